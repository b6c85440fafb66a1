"""Portal configurations: what finance staff allow the customers of each one to do in the portal
(change plan, and to which plans; cancel at period end; payment methods; billing details), the
default one, and a customer's own assignment.

A configuration is written whole or in part: its fields, and when given its full list of plans
in the order customers see them (a plan's position is its place in the list). A plan must exist
and not be archived when it is listed; plans of any currency may be listed, and each customer is
offered only those of its own currency (`portal.selectors.plans_offered`). An empty list with
plan changes allowed offers no plan (the plan page says there is none to switch to).

There is always at most one default configuration (`is_default`); the default is moved, never
dropped: `is_default: false` on the default is refused (make another one the default instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from billing.services import journal_write, locked_customer
from catalog.models import Plan
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed
from portal.models import PortalConfiguration, PortalConfigurationPlan, PortalCustomerConfiguration

FLAGS = (
    "allow_plan_change",
    "allow_cancel",
    "allow_payment_method_update",
    "allow_billing_details_update",
)
FIELDS = ("name", "is_default", *FLAGS)
MAX_PLANS = 50
NAME_MAX = 100


# ---------------------------------------------------------------------------------- checks


def _checked(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - {*FIELDS, "plans"})
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}.", field=unknown[0], code="unknown"
        )
    out: dict[str, Any] = {}
    if not partial or "name" in data:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("A name is required.", field="name", code="required")
        name = " ".join(name.split())
        if len(name) > NAME_MAX:
            raise ValidationFailed(
                f"At most {NAME_MAX} characters.", field="name", code="max_length"
            )
        out["name"] = name
    for flag in ("is_default", *FLAGS):
        if flag in data or not partial:
            value = data.get(flag, flag != "is_default")
            if not isinstance(value, bool):
                raise ValidationFailed("true or false is expected.", field=flag, code="invalid")
            out[flag] = value
    if not partial or "plans" in data:
        out["plans"] = _checked_plans(data.get("plans", []))
    return out


def _checked_plans(raw: Any) -> list[Plan]:
    """The plans listed, in order: each an existing plan not archived, listed once."""
    if not isinstance(raw, list | tuple):
        raise ValidationFailed("plans is a list of plan ids.", field="plans", code="not_a_list")
    if len(raw) > MAX_PLANS:
        raise ValidationFailed(f"At most {MAX_PLANS} plans.", field="plans", code="too_many")
    ids: list[int] = []
    for index, value in enumerate(raw):
        pk = value.pk if isinstance(value, Plan) else value
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValidationFailed(
                "A plan is named by its id.", field=f"plans[{index}]", code="invalid"
            )
        if pk in ids:
            raise ValidationFailed(
                "This plan is listed twice.", field=f"plans[{index}]", code="duplicate"
            )
        ids.append(pk)
    found = Plan.objects.in_bulk(ids)
    for index, pk in enumerate(ids):
        plan = found.get(pk)
        if plan is None:
            raise ValidationFailed(
                f"No plan with id {pk}.", field=f"plans[{index}]", code="unknown_plan"
            )
        if plan.archived_at is not None:
            raise ValidationFailed(
                f"The plan {plan.name} ({plan.code}) is archived: customers cannot switch to it.",
                field=f"plans[{index}]",
                code="plan_archived",
            )
    return [found[pk] for pk in ids]


# ---------------------------------------------------------------------------------- writes


def snapshot(configuration: PortalConfiguration) -> dict[str, Any]:
    """The configuration as the journal records it (the plans by code, in order)."""
    rows = PortalConfigurationPlan.objects.filter(configuration=configuration).select_related(
        "plan"
    )
    return {
        "id": configuration.pk,
        "name": configuration.name,
        "is_default": configuration.is_default,
        **{flag: getattr(configuration, flag) for flag in FLAGS},
        "plans": [{"id": r.plan_id, "code": r.plan.code, "currency": r.plan.currency}
                  for r in rows],
    }  # fmt: skip


def _journal(kind: str, configuration: PortalConfiguration, actor: Actor, as_of: datetime) -> None:
    journal_write(
        type=f"portal_configuration.{kind}",
        subject_type="portal_configuration",
        subject_id=configuration.pk,
        payload=snapshot(configuration),
        actor=actor,
        occurred_at=as_of,
    )


def _name_free(name: str, configuration_id: int | None) -> None:
    others = PortalConfiguration.objects.filter(name__iexact=name)
    if configuration_id is not None:
        others = others.exclude(pk=configuration_id)
    if others.exists():
        raise Conflict(
            f"A portal configuration named {name!r} exists.", field="name", code="duplicate"
        )


def _take_default(configuration: PortalConfiguration) -> None:
    """The previous default stops being it (before `configuration` is saved as the default)."""
    PortalConfiguration.objects.select_for_update().filter(is_default=True).exclude(
        pk=configuration.pk
    ).update(is_default=False)


def _write_plans(configuration: PortalConfiguration, plans: list[Plan]) -> None:
    """The list as given: rows of plans left out removed, new ones added, positions 1, 2, 3..."""
    existing = {
        r.plan_id: r
        for r in PortalConfigurationPlan.objects.select_for_update().filter(
            configuration=configuration
        )
    }
    wanted = [p.pk for p in plans]
    PortalConfigurationPlan.objects.filter(
        pk__in=[r.pk for pid, r in existing.items() if pid not in wanted]
    ).delete()
    for position, plan_id in enumerate(wanted, start=1):
        row = existing.get(plan_id)
        if row is None:
            PortalConfigurationPlan.objects.create(
                configuration=configuration, plan_id=plan_id, position=position
            )
        elif row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def portal_configuration_create(
    *, data: Mapping[str, Any], as_of: datetime, actor: Actor, reason: str = ""
) -> PortalConfiguration:
    """A new configuration: `name`, the flags (each true when left out), `is_default` (false
    when left out; true makes it the default), `plans` (ids, in the order offered)."""
    checked = _checked(data, partial=False)
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "portal configuration created"),
    ):
        _name_free(checked["name"], None)
        configuration = PortalConfiguration(
            **{f: checked[f] for f in FIELDS}, created_at=as_of, updated_at=as_of
        )
        if configuration.is_default:
            _take_default(configuration)
        configuration.save()
        _write_plans(configuration, checked["plans"])
        _journal("created", configuration, actor, as_of)
    return configuration


def portal_configuration_update(
    *,
    configuration_id: int,
    data: Mapping[str, Any],
    as_of: datetime,
    actor: Actor,
    reason: str = "",
) -> PortalConfiguration:
    """Change the fields given; `plans`, when given, is the full new list (in order)."""
    checked = _checked(data, partial=True)
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "portal configuration changed"),
    ):
        configuration = (
            PortalConfiguration.objects.select_for_update().filter(pk=configuration_id).first()
        )
        if configuration is None:
            raise NotFound(f"No portal configuration with id {configuration_id}.")
        if "name" in checked:
            _name_free(checked["name"], configuration.pk)
        if configuration.is_default and checked.get("is_default") is False:
            raise ValidationFailed(
                "This is the default configuration: make another one the default instead.",
                field="is_default",
                code="default_required",
            )
        for f in FIELDS:
            if f in checked:
                setattr(configuration, f, checked[f])
        if configuration.is_default:
            _take_default(configuration)
        configuration.updated_at = as_of
        configuration.save()
        if "plans" in checked:
            _write_plans(configuration, checked["plans"])
        _journal("updated", configuration, actor, as_of)
    return configuration


def portal_configuration_set_default(
    *, configuration_id: int, as_of: datetime, actor: Actor, reason: str = ""
) -> PortalConfiguration:
    """Make the configuration the default (for every customer without one of its own)."""
    return portal_configuration_update(
        configuration_id=configuration_id, data={"is_default": True}, as_of=as_of, actor=actor,
        reason=reason or "made the default portal configuration",
    )  # fmt: skip


def _assignment(customer_id: int, configuration_id: int | None, actor: Actor, as_of: datetime,
                previous: int | None) -> None:  # fmt: skip
    journal_write(
        type="customer.portal_configuration_assigned",
        subject_type="customer",
        subject_id=customer_id,
        payload={"configuration": configuration_id, "previous": previous},
        actor=actor,
        occurred_at=as_of,
    )


def portal_customer_configuration_set(
    *, customer_id: int, configuration_id: int, as_of: datetime, actor: Actor, reason: str = ""
) -> PortalCustomerConfiguration:
    """Give the customer its own configuration (instead of the default). Sessions already open
    read it at their next page."""
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "portal configuration assigned"),
    ):
        customer = locked_customer(customer_id, field="customer")
        configuration = PortalConfiguration.objects.filter(pk=configuration_id).first()
        if configuration is None:
            raise ValidationFailed(
                f"No portal configuration with id {configuration_id}.",
                field="configuration",
                code="unknown_configuration",
            )
        row = PortalCustomerConfiguration.objects.filter(customer=customer).first()
        previous = row.configuration_id if row is not None else None
        if row is None:
            row = PortalCustomerConfiguration.objects.create(
                customer=customer, configuration=configuration
            )
        elif row.configuration_id != configuration.pk:
            row.configuration = configuration
            row.save(update_fields=["configuration"])
        if previous != configuration.pk:
            _assignment(customer.pk, configuration.pk, actor, as_of, previous)
    return row


def portal_customer_configuration_clear(
    *, customer_id: int, as_of: datetime, actor: Actor, reason: str = ""
) -> None:
    """The customer goes back to the default configuration."""
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "portal configuration cleared"),
    ):
        customer = locked_customer(customer_id, field="customer")
        row = PortalCustomerConfiguration.objects.filter(customer=customer).first()
        if row is None:
            return
        previous = row.configuration_id
        row.delete()
        _assignment(customer.pk, None, actor, as_of, previous)
