"""The plan change's words: a price book's price as a customer reads it ("49,00 € pro Monat",
its usage charges summed up), a proration preview's lines and the upcoming invoice's lines
through the pages part's display (the invoice PDF's own functions), and the services' refusals
as sentences a customer understands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import Customer
from billing.proration import Line
from catalog.models import Charge, PlanVersion
from core.exceptions import ApplicationError
from invoicing import pdf
from invoicing.models import InvoiceLine, LineKind
from invoicing.services.lines import tax_rate_of, taxed
from portal.pages.display import line_rows, upcoming_lines


def interval_words(unit: str, count: int) -> str:
    """ "per month", "every 3 months"."""
    if count == 1:
        return {
            "day": _("per day"),
            "week": _("per week"),
            "month": _("per month"),
            "year": _("per year"),
        }.get(unit, unit)
    terms = {"count": count}
    if unit == "day":
        return ngettext("every %(count)s day", "every %(count)s days", count) % terms
    if unit == "week":
        return ngettext("every %(count)s week", "every %(count)s weeks", count) % terms
    if unit == "year":
        return ngettext("every %(count)s year", "every %(count)s years", count) % terms
    return ngettext("every %(count)s month", "every %(count)s months", count) % terms


def _param(params: dict[str, Any], name: str) -> Decimal | None:
    try:
        return Decimal(str(params[name]))
    except (KeyError, ArithmeticError, ValueError, TypeError):
        return None


def charge_words(charge: Charge, reader: pdf.Reader) -> str:
    """One usage charge in a sentence: "API calls: $0.002 each"."""
    name = charge.display_name or charge.metric.name
    params: dict[str, Any] = charge.params if isinstance(charge.params, dict) else {}
    model = charge.pricing_model
    if model == "per_unit" and (price := _param(params, "unit_price")) is not None:
        return _("%(name)s: %(price)s each") % {"name": name, "price": reader.price(price)}
    if model == "flat" and (amount := _param(params, "amount")) is not None:
        return _("%(name)s: %(price)s per period") % {"name": name, "price": reader.price(amount)}
    if model == "package" and (price := _param(params, "package_price")) is not None:
        size = _param(params, "package_size") or Decimal(1)
        return _("%(name)s: %(price)s per %(size)s") % {
            "name": name,
            "price": reader.price(price),
            "size": reader.number(size),
        }
    if model == "percentage" and (rate := _param(params, "rate")) is not None:
        return _("%(name)s: %(rate)s %% of the amount") % {
            "name": name,
            "rate": reader.number(rate),
        }
    if model in ("graduated", "volume"):
        tiers = params.get("tiers") or []
        first = _param(tiers[0], "unit_price") if tiers and isinstance(tiers[0], dict) else None
        if first is not None:
            return _("%(name)s: by volume, from %(price)s each") % {
                "name": name,
                "price": reader.price(first),
            }
    return _("%(name)s: charged by usage") % {"name": name}


def price_words(version: PlanVersion, reader: pdf.Reader, quantity: int = 1) -> dict[str, Any]:
    """A price book as the plan list shows it: its fee per interval (times the seats, when there
    are several) and its usage charges, each in a sentence."""
    plan = version.plan
    fee = version.fixed_fee * quantity
    return {
        "fee": _("%(price)s %(interval)s")
        % {
            "price": reader.price(fee),
            "interval": interval_words(plan.interval_unit, plan.interval_count),
        },
        "charges": [charge_words(charge, reader) for charge in version.charges.all()],
        "trial_days": version.trial_days,
    }


def preview_lines(lines: list[Line], customer: Customer) -> list[InvoiceLine]:
    """A preview's proration lines (credit for the unused time, charge for the rest of the
    period) as unsaved invoice lines, each with its tax as the invoice writer computes it (the
    customer's rate, `invoicing.services.lines.tax_rate_of`, and `taxed`: rounded per line)."""
    rate = tax_rate_of(customer)
    return [
        taxed(
            InvoiceLine(
                kind=LineKind.PRORATION,
                description=line.description,
                quantity=Decimal(str(line.explanation.get("quantity", 1))),
                amount=line.rounded,
                period_start=line.start,
                period_end=line.end,
                explanation=line.explanation,
            ),
            rate,
            customer.currency,
        )
        for line in lines
    ]


def preview_rows(lines: list[InvoiceLine], reader: pdf.Reader) -> list[dict[str, Any]]:
    """The preview's lines as the invoice will show them."""
    return line_rows(lines, reader)


def preview_totals(lines: list[InvoiceLine]) -> dict[str, Any]:
    """The change's net before tax, its tax and its net with tax (an inclusive tax is already in
    the amounts: then the two nets are one), as the invoice's totals add them up."""
    net = sum((line.amount for line in lines), Decimal(0))
    tax = sum((line.tax_amount for line in lines), Decimal(0))
    exclusive = sum((line.tax_amount for line in lines if not line.tax_inclusive), Decimal(0))
    return {
        "net": net,
        "tax": tax,
        "tax_inclusive": any(line.tax_inclusive for line in lines),
        "net_with_tax": net + exclusive,
    }


def upcoming_rows(upcoming: dict[str, Any], reader: pdf.Reader) -> list[dict[str, Any]]:
    return line_rows(upcoming_lines(upcoming.get("lines") or []), reader)


def refusal_words(exc: ApplicationError) -> str:
    """A service's refusal as the customer reads it (the service's own message is staff's)."""
    known = {
        "plan_changes_refused": _(
            "Plan changes are not possible while invoices are overdue. Please pay the overdue "
            "invoices first."
        ),
        "currency_mismatch": _("This plan is priced in another currency than your account."),
        "interval_mismatch": _("This plan is billed on another schedule than your subscription."),
        "no_price_in_force": _("This plan has no price at that date."),
        "no_change": _("This change has already been made."),
        "conflicting_change": _(
            "This change has already been made, or another change is scheduled at that time."
        ),
        "change_after_end": _(
            "Your subscription ends before this change would take effect. Undo the "
            "cancellation first."
        ),
        "preview_expired": _("This preview has expired. Please look at the new one."),
        "preview_invalid": _("This is not the preview that was shown. Please preview again."),
        "preview_stale": _(
            "The amounts have changed since your preview (time has passed). Please check the "
            "new preview."
        ),
        "billing_failed": _(
            "Your billing could not be brought up to date. Please try again later or contact us."
        ),
        "transition_not_allowed": _("This subscription can no longer be changed."),
        "min_value": _("The quantity is at least 1."),
    }
    return known.get(exc.code) or _(
        "This could not be done. Please contact us if it keeps happening."
    )
