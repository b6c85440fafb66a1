"""Cash application: payments received, applied to invoices, taken back, moved to the balance.

One writer applies payments to invoices: `allocations_write`, for a batch of (payment, invoice,
amount) whose rows the caller has locked — staff applying one bank transfer to three invoices,
the API applying one amount, automatic collection applying a chunk of charges. It checks every
part (same customer and currency, a succeeded payment, what the payment still holds, what the
invoice still owes), writes the allocations, the payments' and invoices' amounts
(`invoicing.services.settle`), one ledger posting per payment and the journal events, in the
caller's transaction. Check constraints on both rows stand behind the checks.

Locks are taken in the fixed order: customer, then payments (by id), then invoices (by id); so
eight requests paying the same invoice at once queue on the customer and each sees what the
one before left.

Ledger: money received is debited to cash against unapplied cash (a liability until applied);
applying moves unapplied cash to the receivable; an allocation to an uncollectible invoice first
recovers that part of the bad debt; moving an overpayment to the balance moves it from unapplied
cash to the customers' credit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from billing.models import BalanceKind, Customer, LedgerAccount
from billing.services import (
    BalanceMove,
    Posting,
    balance_moves_record,
    journal_write_many,
    ledger_post_many,
    locked_customer,
)
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.db import bulk_update
from core.exceptions import Conflict, NotFound, ValidationFailed
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services.drafts import MAX_INVOICE_TOTAL
from invoicing.services.settle import PAYABLE, Settlement, invoices_settle
from payments.models import Allocation, CreditGrant, Payment, PaymentKind, PaymentState

ZERO = Decimal(0)
MANUAL_GATEWAY = "manual"


@dataclass(frozen=True)
class AllocationRequest:
    invoice_id: int
    amount: Decimal | None = None  # None: all the invoice still owes, up to what the payment holds


# ---------------------------------------------------------------------------------------------
# reads used under the locks


def _locked_payment(payment_id: int) -> tuple[Customer, Payment]:
    customer_id = (
        Payment.objects.filter(pk=payment_id).values_list("customer_id", flat=True).first()
    )
    if customer_id is None:
        raise NotFound(f"No payment with id {payment_id}.")
    customer = locked_customer(customer_id, field="customer")
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    return customer, payment


def _locked_invoices(
    customer: Customer, ids: Sequence[int], fields: Sequence[str]
) -> dict[int, Invoice]:
    found = {
        i.pk: i
        for i in Invoice.objects.select_for_update()
        .filter(pk__in=list(ids), customer=customer)  # only the locked customer's: never others'
        .order_by("pk")
    }
    for index, invoice_id in enumerate(ids):
        invoice = found.get(invoice_id)
        if invoice is None or invoice.customer_id != customer.pk:
            raise ValidationFailed(
                f"The customer {customer.external_id} has no invoice {invoice_id}.",
                field=fields[index],
                code="not_found",
            )
    return found


def open_invoices(customer_id: int) -> list[Invoice]:
    """A customer's invoices a payment can go to by default, oldest due first."""
    return list(
        Invoice.objects.filter(
            customer_id=customer_id,
            status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID),
            amount_due__gt=0,
        ).order_by("due_at", "finalized_at", "pk")
    )


def live_paid(invoice_ids: Sequence[int]) -> dict[int, Decimal]:
    """The sum of live allocations per invoice."""
    from django.db.models import Sum

    rows = (
        Allocation.objects.filter(invoice_id__in=list(invoice_ids), unapplied_at__isnull=True)
        .values("invoice_id")
        .annotate(t=Sum("amount"))
    )
    return {row["invoice_id"]: row["t"] for row in rows}


# ---------------------------------------------------------------------------------------------
# the one writer


@dataclass(frozen=True)
class Part:
    payment: Payment  # locked, succeeded
    invoice: Invoice  # locked
    amount: Decimal
    field: str = "allocations"  # where a refusal of this part is reported


def allocations_write(parts: Sequence[Part], *, as_of: datetime, actor: Actor) -> list[Allocation]:
    """Apply locked payments to locked invoices (see the module's note). The payments and
    invoices given are updated in place; the same object stands for a row wherever it repeats."""
    if not parts:
        return []
    paid = live_paid([p.invoice.pk for p in parts])
    allocations: list[Allocation] = []
    settlements: list[Settlement] = []
    amounts: dict[int, list[tuple[str, Decimal]]] = {}
    events: list[dict[str, Any]] = []
    payments: dict[int, Payment] = {}
    for part in parts:
        payment, invoice, amount = part.payment, part.invoice, part.amount
        _check_part(part)
        payment.applied += amount
        payment.unapplied -= amount
        payment.updated_at = as_of
        payments[payment.pk] = payment
        paid[invoice.pk] = paid.get(invoice.pk, ZERO) + amount
        recovering = invoice.status == InvoiceStatus.UNCOLLECTIBLE
        settlements.append(Settlement(invoice, amount, paid[invoice.pk]))
        allocations.append(
            Allocation(
                payment=payment,
                invoice=invoice,
                amount=amount,
                created_at=as_of,
                created_by=actor.label,
            )
        )
        posting = amounts.setdefault(payment.pk, [])
        posting += [(LedgerAccount.UNAPPLIED_CASH, amount), (LedgerAccount.RECEIVABLE, -amount)]
        if recovering:  # the part written off comes back before it is paid
            posting += [(LedgerAccount.RECEIVABLE, amount), (LedgerAccount.BAD_DEBT, -amount)]
        events.append(
            {
                "type": "payment.applied",
                "subject_type": "payment",
                "subject_id": payment.pk,
                "payload": {
                    "payment": payment.pk,
                    "invoice": invoice.number,
                    "invoice_id": invoice.pk,
                    "amount": str(amount),
                    "currency": payment.currency,
                    "unapplied": str(payment.unapplied),
                },
                "occurred_at": as_of,
            }
        )
    created = Allocation.objects.bulk_create(allocations)
    bulk_update(list(payments.values()), ["applied", "unapplied", "updated_at"])
    invoices_settle(settlements, as_of=as_of, actor=actor)
    ledger_post_many(
        [
            Posting(
                customer_id=payments[pk].customer_id,
                currency=payments[pk].currency,
                amounts=posted,
                document_type="payment",
                document_id=pk,
                memo=f"payment #{pk} applied",
                at=as_of,
            )
            for pk, posted in amounts.items()
        ]
    )
    journal_write_many(events, actor=actor)
    return created


def _check_part(part: Part) -> None:
    payment, invoice, amount, field = part.payment, part.invoice, part.amount, part.field
    # refusals about the invoice itself name its row's invoice, those about the amount its amount
    invoice_field = (
        field.removesuffix(".amount") + ".invoice" if field.endswith(".amount") else field
    )
    if payment.state != PaymentState.SUCCEEDED:
        raise Conflict(f"Payment #{payment.pk} is {payment.state}: only money received is applied.")
    if invoice.customer_id != payment.customer_id:
        raise ValidationFailed(
            f"Invoice {invoice} belongs to another customer.",
            field=invoice_field,
            code="other_customer",
        )
    if invoice.currency != payment.currency:
        raise ValidationFailed(
            f"Invoice {invoice} is in {invoice.currency}, the payment in {payment.currency}.",
            field=invoice_field,
            code="currency_mismatch",
        )
    if invoice.status not in PAYABLE:
        raise ValidationFailed(
            f"Invoice {invoice} is {invoice.get_status_display()}: nothing can be applied to it.",
            field=invoice_field,
            code="not_payable",
        )
    if amount <= 0:
        raise ValidationFailed("An applied amount is positive.", field=field, code="not_positive")
    if quantize(amount, payment.currency) != amount:
        raise ValidationFailed(
            f"{amount} has more decimals than {payment.currency} allows.",
            field=field,
            code="too_many_decimals",
        )
    if amount > invoice.amount_due:
        raise ValidationFailed(
            f"{amount} is more than invoice {invoice} still owes "
            f"({quantize(invoice.amount_due, invoice.currency)}).",
            field=field,
            code="exceeds_amount_due",
        )
    if amount > payment.unapplied:
        raise ValidationFailed(
            f"{amount} is more than payment #{payment.pk} still holds "
            f"({quantize(payment.unapplied, payment.currency)}).",
            field=field,
            code="exceeds_unapplied",
        )


def parts_for(
    payment: Payment,
    customer: Customer,
    requests: Sequence[AllocationRequest] | None,
    *,
    field: str = "allocations",
) -> list[Part]:
    """The parts applying `payment` (locked) as asked: each requested invoice (its amount, or
    all it still owes up to what the payment holds), or with no request the customer's open
    invoices oldest due first until the payment is used. Locks the invoices."""
    if requests is None:
        ids = [i.pk for i in open_invoices(customer.pk)]
        invoices = _locked_invoices(customer, ids, [field] * len(ids))
        parts, left = [], payment.unapplied
        for invoice_id in ids:
            invoice = invoices[invoice_id]
            if left <= 0:
                break
            if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID):
                continue  # changed since it was listed
            amount = min(left, invoice.amount_due)
            if amount > 0:
                parts.append(Part(payment, invoice, amount, field))
                left -= amount
        return parts
    fields = [f"{field}[{index}].invoice" for index in range(len(requests))]
    seen: set[int] = set()
    for index, request in enumerate(requests):
        if request.invoice_id in seen:
            raise ValidationFailed(
                f"Invoice {request.invoice_id} is listed twice.",
                field=fields[index],
                code="duplicate",
            )
        seen.add(request.invoice_id)
    invoices = _locked_invoices(customer, [r.invoice_id for r in requests], fields)
    parts, left = [], payment.unapplied
    for index, request in enumerate(requests):
        invoice = invoices[request.invoice_id]
        amount_field = f"{field}[{index}].amount"
        if request.amount is not None:
            amount = request.amount
        else:
            amount = min(left, invoice.amount_due)
            if amount <= 0:
                raise ValidationFailed(
                    f"Nothing is left to apply to invoice {invoice}: it owes "
                    f"{quantize(invoice.amount_due, invoice.currency)}, the payment holds "
                    f"{quantize(left, payment.currency)}.",
                    field=amount_field,
                    code="nothing_to_apply",
                )
        parts.append(Part(payment, invoice, amount, amount_field))
        left -= amount
    return parts


# ---------------------------------------------------------------------------------------------
# services


def received_write(payments: Sequence[Payment], *, as_of: datetime, actor: Actor) -> None:
    """Money received for payments (locked, just succeeded): their whole amount is unapplied
    cash until applied; debit cash, credit unapplied cash; `payment.succeeded`. The caller has
    set their state and saved them."""
    ledger_post_many(
        [
            Posting(
                customer_id=p.customer_id,
                currency=p.currency,
                amounts=[(LedgerAccount.CASH, p.amount), (LedgerAccount.UNAPPLIED_CASH, -p.amount)],
                document_type="payment",
                document_id=p.pk,
                memo=f"payment #{p.pk} received ({p.gateway} {p.gateway_reference})".strip(),
                at=as_of,
            )
            for p in payments
        ]
    )
    journal_write_many(
        [
            {
                "type": "payment.succeeded",
                "subject_type": "payment",
                "subject_id": p.pk,
                "payload": payment_payload(p),
                "occurred_at": as_of,
            }
            for p in payments
        ],
        actor=actor,
    )


def payment_payload(payment: Payment) -> dict[str, Any]:
    return {
        "payment": payment.pk,
        "customer": payment.customer.external_id,
        "kind": payment.kind,
        "state": payment.state,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "gateway": payment.gateway,
        "gateway_reference": payment.gateway_reference,
        "invoice_id": payment.invoice_id,
        "attempt": payment.attempt,
        "failure_code": payment.failure_code,
    }


def _check_amount(amount: Decimal, currency: str, field: str = "amount") -> None:
    """A payment's or a move's amount: above zero, in the currency's decimals, and below
    `MAX_INVOICE_TOTAL` (invoicing's bound of an invoice's subtotal, 10^14 in any currency):
    no invoice is that large, and the bound keeps amounts well inside the numeric(20, 4)
    columns (an API or admin amount beyond them is refused on its field, never a DataError).
    ONE_OFF_LINE_MAX is not the bound here: it caps one-off lines, and a transfer may pay an
    invoice, or several, of many lines."""
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("The amount must be above zero.", field=field, code="not_positive")
    if amount >= MAX_INVOICE_TOTAL:
        raise ValidationFailed(
            f"An amount is below {MAX_INVOICE_TOTAL:,.0f} {currency}.",
            field=field,
            code="max_value",
        )
    if quantize(amount, currency) != amount:
        raise ValidationFailed(
            f"{amount} has more decimals than {currency} allows.",
            field=field,
            code="too_many_decimals",
        )


def payment_record(
    *,
    customer_id: int,
    amount: Decimal,
    currency: str,
    received_at: datetime,
    reference: str,
    actor: Actor,
    as_of: datetime,
    allocations: Sequence[AllocationRequest] | None = None,
    apply_oldest_first: bool = False,
    memo: str = "",
) -> Payment:
    """Record money received outside a gateway (a bank transfer, a cheque): a succeeded manual
    payment, applied to the `allocations` asked, or with `apply_oldest_first` to the customer's
    open invoices oldest due first; what is left stays unapplied cash on the customer."""
    if received_at > as_of:
        raise ValidationFailed(
            "Money cannot be received in the future.", field="received_at", code="in_future"
        )
    if allocations is not None and apply_oldest_first:
        raise ValidationFailed(
            "Give the allocations or ask to apply oldest first, not both.", field="allocations"
        )
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payment recorded"):
        customer = locked_customer(customer_id, field="customer")
        if currency != customer.currency:
            raise ValidationFailed(
                f"The customer is billed in {customer.currency}, not {currency}.",
                field="currency",
                code="currency_mismatch",
            )
        _check_amount(amount, currency)
        payment = manual_payment_locked(customer, amount=amount, reference=reference,
                                        received_at=received_at, memo=memo, actor=actor,
                                        as_of=as_of)  # fmt: skip
        if allocations is not None or apply_oldest_first:
            parts = parts_for(payment, customer, allocations)
            allocations_write(parts, as_of=as_of, actor=actor)
    return payment


def manual_payment_locked(
    customer: Customer,
    *,
    amount: Decimal,
    reference: str,
    received_at: datetime,
    memo: str,
    actor: Actor,
    as_of: datetime,
) -> Payment:
    """A succeeded manual payment of the locked `customer`, in its currency, received (money
    in, `payment.succeeded`), all of it unapplied cash: `payment_record`'s, and an import's
    "paid in the previous system" (invoicing/services/imports.py), in the caller's
    transaction. The amount is the caller's to check."""
    payment = Payment.objects.create(
        customer=customer,
        kind=PaymentKind.MANUAL,
        state=PaymentState.SUCCEEDED,
        currency=customer.currency,
        amount=amount,
        gateway=MANUAL_GATEWAY,
        gateway_reference=reference,
        idempotency_key=f"manual-{uuid.uuid4()}",
        unapplied=amount,
        received_at=received_at,
        memo=memo,
        created_by=actor.label,
        created_at=as_of,
        updated_at=as_of,
    )
    received_write([payment], as_of=as_of, actor=actor)
    return payment


def payment_apply(
    *,
    payment_id: int,
    actor: Actor,
    as_of: datetime,
    allocations: Sequence[AllocationRequest] | None = None,
) -> list[Allocation]:
    """Apply what a payment still holds: to the invoices asked, or (None) to the customer's open
    invoices oldest due first."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payment applied"):
        customer, payment = _locked_payment(payment_id)
        if payment.state != PaymentState.SUCCEEDED:
            raise Conflict(f"Payment #{payment.pk} is {payment.state}: nothing to apply.")
        if payment.unapplied <= 0:
            raise Conflict(
                f"Payment #{payment.pk} is fully used: nothing is left to apply.",
                code="nothing_unapplied",
            )
        if allocations is not None and not allocations:
            raise ValidationFailed("Name at least one invoice.", field="allocations")
        parts = parts_for(payment, customer, allocations)
        if not parts:
            raise Conflict(
                f"The customer {customer.external_id} has no open invoice to apply it to.",
                code="no_open_invoice",
            )
        return allocations_write(parts, as_of=as_of, actor=actor)


def payment_unapply(
    *, allocation_id: int, actor: Actor, as_of: datetime, reason: str
) -> Allocation:
    """Take an allocation back: the payment holds it as unapplied cash again and the invoice
    owes it again (`open` or `partially_paid`; an uncollectible invoice is written off again)."""
    if not reason.strip():
        raise ValidationFailed("Say why it is taken back.", field="reason", code="required")
    payment_id = (
        Allocation.objects.filter(pk=allocation_id).values_list("payment_id", flat=True).first()
    )
    if payment_id is None:
        raise NotFound(f"No allocation with id {allocation_id}.")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer, payment = _locked_payment(payment_id)
        allocation = Allocation.objects.select_for_update().get(pk=allocation_id)
        if allocation.unapplied_at is not None:
            raise Conflict("This allocation was already taken back.", code="already_unapplied")
        if CreditGrant.objects.filter(top_up_invoice_id=allocation.invoice_id).exists():
            raise Conflict(
                "This payment paid a top-up whose prepaid credit was granted: taking it back "
                "would leave the credit unpaid. Take the credit back from the balance first.",
                code="top_up_granted",
            )
        invoice = _locked_invoices(customer, [allocation.invoice_id], ["allocation"])[
            allocation.invoice_id
        ]
        amount = allocation.amount
        allocation.unapplied_at = as_of
        allocation.unapplied_by = actor.label
        allocation.unapply_reason = reason
        allocation.save(update_fields=["unapplied_at", "unapplied_by", "unapply_reason"])
        payment.applied -= amount
        payment.unapplied += amount
        payment.updated_at = as_of
        payment.save(update_fields=["applied", "unapplied", "updated_at"])
        writing_off = invoice.status == InvoiceStatus.UNCOLLECTIBLE
        paid_after = live_paid([invoice.pk]).get(invoice.pk, ZERO)
        invoices_settle([Settlement(invoice, -amount, paid_after)], as_of=as_of, actor=actor)
        posted = [(LedgerAccount.RECEIVABLE, amount), (LedgerAccount.UNAPPLIED_CASH, -amount)]
        if writing_off:
            posted += [(LedgerAccount.BAD_DEBT, amount), (LedgerAccount.RECEIVABLE, -amount)]
        _posted(
            payment, posted, f"payment #{payment.pk} taken back from {invoice.number}: {reason}",
            "payment.unapplied",
            {"invoice": invoice.number, "invoice_id": invoice.pk, "amount": str(amount),
             "unapplied": str(payment.unapplied), "reason": reason},
            as_of=as_of, actor=actor,
        )  # fmt: skip
    return allocation


def payment_move_to_balance(
    *,
    payment_id: int,
    actor: Actor,
    as_of: datetime,
    reason: str,
    amount: Decimal | None = None,
) -> Payment:
    """Move unapplied cash (an overpayment) to the customer's credit balance, which later
    invoices use at finalization. `amount` None: all of it."""
    if not reason.strip():
        raise ValidationFailed("Say why it is moved.", field="reason", code="required")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer, payment = _locked_payment(payment_id)
        if payment.state != PaymentState.SUCCEEDED:
            raise Conflict(f"Payment #{payment.pk} is {payment.state}: it holds no cash.")
        moved = payment.unapplied if amount is None else amount
        if moved <= 0 and amount is None:
            raise Conflict("The payment holds no unapplied cash.", code="nothing_unapplied")
        _check_amount(moved, payment.currency)
        if moved > payment.unapplied:
            raise ValidationFailed(
                f"{moved} is more than the payment's unapplied cash "
                f"({quantize(payment.unapplied, payment.currency)}).",
                field="amount",
                code="exceeds_unapplied",
            )
        payment.unapplied -= moved
        payment.to_balance += moved
        payment.updated_at = as_of
        payment.save(update_fields=["unapplied", "to_balance", "updated_at"])
        balance_moves_record(
            [BalanceMove(customer, moved, BalanceKind.OVERPAYMENT, "payment", payment.pk, reason)],
            actor=actor,
            at=as_of,
        )
        _posted(
            payment,
            [(LedgerAccount.UNAPPLIED_CASH, moved), (LedgerAccount.CUSTOMER_CREDIT, -moved)],
            f"payment #{payment.pk} moved to the credit balance: {reason}",
            "payment.moved_to_balance",
            {"customer": customer.external_id, "amount": str(moved),
             "balance": str(customer.balance), "reason": reason},
            as_of=as_of, actor=actor,
        )  # fmt: skip
    return payment


def _posted(
    payment: Payment,
    amounts: Sequence[tuple[str, Decimal]],
    memo: str,
    event: str,
    payload: dict[str, Any],
    *,
    as_of: datetime,
    actor: Actor,
) -> None:
    """One fact about one payment: its balanced posting and its journal event (the payment's
    id and currency added to the payload), inside the caller's transaction."""
    ledger_post_many(
        [
            Posting(
                customer_id=payment.customer_id,
                currency=payment.currency,
                amounts=amounts,
                document_type="payment",
                document_id=payment.pk,
                memo=memo,
                at=as_of,
            )
        ]
    )
    journal_write_many(
        [
            {
                "type": event,
                "subject_type": "payment",
                "subject_id": payment.pk,
                "payload": {"payment": payment.pk, "currency": payment.currency, **payload},
                "occurred_at": as_of,
            }
        ],
        actor=actor,
    )


def paid_outside(
    customer: Customer, invoices: Sequence[Invoice], at: datetime, key: str, actor: Actor
) -> None:
    """Invoices an import replayed, paid in the previous system: each is paid by a manual payment
    received at `at` (its finalization), allocated to it, in the caller's transaction (the
    customer locked). Registered with invoicing.services.imports at start-up."""
    for invoice in invoices:
        payment = manual_payment_locked(
            customer,
            amount=invoice.amount_due,
            reference=f"import {key}"[:255],
            received_at=at,
            memo=f"paid in the previous system (import {key})"[:255],
            actor=actor,
            as_of=at,
        )
        parts = parts_for(payment, customer, [AllocationRequest(invoice.pk)])
        allocations_write(parts, as_of=at, actor=actor)
