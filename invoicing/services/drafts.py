"""Drafts made or added to by hand: one-off lines and add-ons (never discounted: coupons discount
the fees, usage and minimums the clock bills). Refreshing a draft's usage is the writer's
(invoicing/services/writer.py, through invoicing/services/corrections.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from billing.services import journal_write, locked_customer
from catalog.models import AddOn
from catalog.money import quantize
from catalog.pricing import plain
from core.audit import Actor, audit_context
from core.exceptions import NotFound, TransitionNotAllowed, ValidationFailed
from invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from invoicing.services.lines import (
    invoice_created,
    locked_invoice,
    recompute_totals,
    taxed,
)
from invoicing.taxes import Rates


def invoice_draft_create(
    *, customer_id: int, as_of: datetime, actor: Actor, grace_days: int = 0
) -> Invoice:
    """A draft for a customer outside its billing periods (a one-off sale, a refund), dated
    `as_of`; lines are then added by hand. The clock finalizes it after `grace_days`, unless
    finance finalizes it first."""
    if not 0 <= grace_days <= 60:
        raise ValidationFailed("grace_days is 0 to 60.", field="grace_days", code="max_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="draft by hand"):
        customer = locked_customer(customer_id)
        if customer.archived_at is not None:
            raise TransitionNotAllowed("The customer is archived.")
        invoice = Invoice.objects.create(
            customer=customer,
            kind=InvoiceKind.MANUAL,
            currency=customer.currency,
            billing_date=as_of,
            grace_until=as_of + timedelta(days=grace_days),
            created_at=as_of,
            updated_at=as_of,
        )
        journal_write(**invoice_created(invoice, customer, by_hand=True), actor=actor)
    return invoice


def invoice_line_add(
    *,
    invoice_id: int,
    description: str,
    amount: Decimal,
    quantity: Decimal,
    as_of: datetime,
    actor: Actor,
) -> InvoiceLine:
    """A one-off line on a draft (a setup fee, a goodwill credit): amount is per unit, the line is
    quantity x amount rounded once."""
    if not description.strip():
        raise ValidationFailed("A line needs a description.", field="description", code="required")
    if quantity <= 0:
        raise ValidationFailed("quantity is positive.", field="quantity", code="min_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="one-off line"):
        invoice = _locked_draft(invoice_id)
        line_amount = _line_amount(quantity, amount, invoice.currency)
        bound = one_off_line_max(invoice.currency)
        if abs(line_amount) > bound:
            raise ValidationFailed(
                f"A one-off line is at most {bound:,} {invoice.currency} either way (quantity x "
                f"amount = {line_amount:,}); ONE_OFF_LINE_MAX sets the bound.",
                field="amount",
                code="max_value",
            )
        # the same bound for the draft's one-off lines together: a thousand lines of the
        # maximum are not a way around it
        others = invoice.lines.filter(kind=LineKind.ONE_OFF).aggregate(t=Sum("amount"))["t"]
        together = (others or Decimal(0)) + line_amount
        if abs(together) > bound:
            raise ValidationFailed(
                f"The one-off lines of a draft total at most {bound:,} {invoice.currency} either "
                f"way (with this one: {together:,}); ONE_OFF_LINE_MAX sets the bound.",
                field="amount",
                code="max_value",
            )
        return _store_on_draft(
            invoice,
            InvoiceLine(
                kind=LineKind.ONE_OFF,
                description=description.strip(),
                quantity=quantity,
                unit_amount=amount,
                amount=line_amount,
                explanation={"formula": f"{quantity} x {amount}", "added_by": actor.label},
            ),
            as_of,
        )


def one_off_line_max(currency: str) -> Decimal:
    """The largest absolute amount of a one-off line, in the currency's major units (settings
    ONE_OFF_LINE_MAX, or ONE_OFF_LINE_MAX_BY_CURRENCY for this currency)."""
    per_currency: dict[str, int] = settings.ONE_OFF_LINE_MAX_BY_CURRENCY
    return Decimal(per_currency.get(currency, settings.ONE_OFF_LINE_MAX))


def _locked_draft(invoice_id: int) -> Invoice:
    invoice = locked_invoice(invoice_id)
    if invoice.status != InvoiceStatus.DRAFT:
        raise TransitionNotAllowed("Only a draft takes new lines; credit or correct instead.")
    return invoice


# a line's amount, and a draft's total, stay well inside the columns (20 digits, 4 decimals)
MAX_LINE_AMOUNT = Decimal("1e12")
MAX_INVOICE_TOTAL = Decimal("1e14")


def _line_amount(quantity: Decimal, amount: Decimal, currency: str) -> Decimal:
    """quantity x amount, rounded once; refused (before rounding) when it is out of bounds."""
    exact = quantity * amount
    if abs(exact) >= MAX_LINE_AMOUNT:
        raise ValidationFailed(
            f"A line is less than {MAX_LINE_AMOUNT:,.0f} {currency} (quantity x amount "
            f"= {exact:,f}).",
            field="amount",
            code="max_value",
        )
    return quantize(exact, currency)


def _store_on_draft(invoice: Invoice, line: InvoiceLine, as_of: datetime) -> InvoiceLine:
    """A hand-added line after the draft's last one, taxed at the customer's address rate (or at
    the rate set on its add-on: invoicing/taxes.py); totals again."""
    if abs(invoice.subtotal + line.amount) >= MAX_INVOICE_TOTAL:
        raise ValidationFailed(
            f"An invoice's subtotal stays below {MAX_INVOICE_TOTAL:,.0f} {invoice.currency}.",
            field="amount",
            code="max_value",
        )
    line.invoice = invoice
    line.position = invoice.lines.count()
    rate = Rates().for_line(invoice.customer, line.catalog_tax_rate_id)
    taxed(line, rate, invoice.currency).save()
    recompute_totals(invoice)
    invoice.updated_at = as_of
    invoice.save()
    return line


def invoice_addon_add(
    *,
    invoice_id: int,
    addon_code: str,
    quantity: Decimal,
    as_of: datetime,
    actor: Actor,
) -> InvoiceLine:
    """An add-on from the catalog on a draft: quantity x its price, rounded once, taxed as the
    customer's other lines."""
    if quantity <= 0:
        raise ValidationFailed("quantity is positive.", field="quantity", code="min_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="add-on"):
        invoice = _locked_draft(invoice_id)
        addon = AddOn.objects.filter(code=addon_code, archived_at__isnull=True).first()
        if addon is None:
            raise NotFound(f"No add-on {addon_code!r}.", field="add_on")
        if addon.currency != invoice.currency:
            raise ValidationFailed(
                f"The add-on is priced in {addon.currency}, the invoice is in {invoice.currency}.",
                field="add_on",
                code="currency_mismatch",
            )
        return _store_on_draft(
            invoice,
            InvoiceLine(
                kind=LineKind.ADD_ON,
                description=f"{addon.name} x {plain(quantity)}",
                quantity=quantity,
                unit_amount=addon.amount,
                amount=_line_amount(quantity, addon.amount, invoice.currency),
                explanation={
                    "add_on": addon.code,
                    "formula": f"{plain(quantity)} x {plain(addon.amount)}",
                    "added_by": actor.label,
                },
                catalog_tax_rate_id=addon.tax_rate_id,
            ),
            as_of,
        )


def invoice_line_remove(*, invoice_id: int, line_id: int, as_of: datetime, actor: Actor) -> None:
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason="one-off line removed"),
    ):
        invoice = locked_invoice(invoice_id)
        if invoice.status != InvoiceStatus.DRAFT:
            raise TransitionNotAllowed("A finalized invoice never changes.")
        deleted, _ = invoice.lines.filter(
            pk=line_id, kind__in=[LineKind.ONE_OFF, LineKind.ADD_ON], subscription__isnull=True
        ).delete()
        if not deleted:
            raise NotFound(
                "No one-off or add-on line with that id on this draft (billed lines stay)."
            )
        recompute_totals(invoice)
        invoice.updated_at = as_of
        invoice.save()
