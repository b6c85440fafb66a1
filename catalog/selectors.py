"""Reads of the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from catalog.models import Charge, Plan, PlanChangePolicy, PlanVersion, TaxRate, VersionStatus
from catalog.pricing import Rater, compile_charge


class NoPriceInForce(LookupError):
    pass


def plan_version_at(*, plan: Plan, at: datetime) -> PlanVersion:
    """The published price book of `plan` in force at the instant `at`."""
    version = (
        PlanVersion.objects.filter(
            plan=plan, status=VersionStatus.PUBLISHED, effective_from__lte=at
        )
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
        .select_related("plan__product")
        .first()
    )
    if version is None:
        raise NoPriceInForce(
            f"Plan {plan.code} has no published version in force at {at.isoformat()}."
        )
    return version


def plan_timeline(*, plan: Plan) -> list[dict[str, Any]]:
    """Every version of a plan in order, with the range it is (or would be) in force."""
    rows = []
    versions = plan.versions.annotate(charge_count=Count("charges"))
    for version in versions.order_by("effective_from", "number"):
        rows.append(
            {
                "id": version.pk,
                "number": version.number,
                "status": version.status,
                "effective_from": version.effective_from,
                "effective_until": version.effective_until,
                "fixed_fee": version.fixed_fee,
                "charges": version.charge_count,
                "note": version.note,
            }
        )
    return rows


def published_versions(*, plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.filter(status=VersionStatus.PUBLISHED).order_by("effective_from")


def charge_rater(*, charge: Charge) -> Rater:
    version = charge.plan_version
    return compile_charge(
        charge.pricing_model,
        charge.params,
        currency=version.plan.currency,
        minimum=charge.minimum_amount,
        price_version=version.label,
    )


def tax_rates_in_use() -> list[TaxRate]:
    return list(TaxRate.objects.filter(archived_at__isnull=True).order_by("code"))


def pick_tax_rate(rates: list[TaxRate], country: str, region: str) -> TaxRate | None:
    """The rate for an address: the country's rate for its region, else the country's own
    (no region), else a rate with no country (a default for everyone); None if there is none."""
    region = region.strip().casefold()
    if country:
        for rate in rates:
            if rate.country == country and rate.region and rate.region.casefold() == region:
                return rate
        for rate in rates:
            if rate.country == country and not rate.region:
                return rate
    for rate in rates:
        if not rate.country:
            return rate
    return None


CLOSES, REFUSED = "closes", "refused"


def publish_outcome(
    version: PlanVersion, published: Iterable[PlanVersion]
) -> list[tuple[PlanVersion, str]]:
    """The published versions that publishing `version` touches, each with what happens to it:
    an open-ended one that started before it `closes` where it starts; any other overlap makes
    the publication `refused`. One rule for publishing and for its confirmation page."""
    start, end = version.effective_from, version.effective_until
    touched = []
    for other in published:
        other_end = other.effective_until
        overlaps = (end is None or other.effective_from < end) and (
            other_end is None or start < other_end
        )
        if not overlaps:
            continue
        closes = other_end is None and other.effective_from < start and end is None
        touched.append((other, CLOSES if closes else REFUSED))
    return touched


def publish_effects(*, version: PlanVersion) -> list[str]:
    """What publishing a draft will do, in words (`publish_outcome`): when it takes effect, which
    open-ended version it closes, what overlap refuses it."""
    start, end = version.effective_from, version.effective_until
    until = "with no end date" if end is None else f"until {end:%Y-%m-%d %H:%M %Z}"
    effects = [f"{version.label} takes effect on {start:%Y-%m-%d %H:%M %Z}, {until}."]
    others = PlanVersion.objects.filter(plan_id=version.plan_id, status="published").exclude(
        pk=version.pk
    )
    for other, what in publish_outcome(version, others.order_by("effective_from")):
        if what == CLOSES:
            effects.append(
                f"{other.label} (in force since {other.effective_from:%Y-%m-%d}) ends where "
                f"{version.label} begins; what was billed before stays as it is."
            )
        else:
            effects.append(
                f"Refused: it overlaps {other.label}. Change the dates of this draft first."
            )
    effects.append(
        "A published price book never changes again: a later price change is a copy of it."
    )
    return effects


def plan_change_policy(*, from_plan_id: int, to_plan_id: int) -> PlanChangePolicy | None:
    """The policy of a change from one plan to another (None: no policy for that pair, the
    caller's timing or the price heuristic decides)."""
    return PlanChangePolicy.objects.filter(from_plan_id=from_plan_id, to_plan_id=to_plan_id).first()
