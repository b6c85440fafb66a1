"""Wallets: prepaid credit granted by staff or bought with a top-up invoice, its expiry, and the
automatic top-up of a low balance.

The customer's credit balance (`Customer.balance`, moved only by `CustomerBalanceTransaction`s
through billing's `balance_moves_record`) stays the one source of truth; a `CreditGrant` says
which part of it came from where and which part expires when.

- **Grant** (`wallet_grant`): staff give credit, optionally expiring. A grant, the balance move
  (`grant`), the ledger (Dr credits_granted, Cr customer_credit) and `wallet.granted`, in one
  transaction.
- **Buy** (`wallet_top_up`): a manual invoice of one prepaid-credit line (untaxed), finalized at
  once. Its posting is Dr receivable, Cr prepaid_sold (no revenue; the invoice never takes the
  credit balance). Automatic collection charges it like any invoice on `invoice.finalized`. When
  it is paid (`invoice.paid`, handled here), the credit is granted once (the grant's top-up
  invoice is unique): a purchased grant, the balance move (`prepaid`), Dr prepaid_sold,
  Cr customer_credit, and `wallet.topped_up`. Revenue comes when invoices use the credit (their
  finalization posts revenue and takes the balance, as before).
- **Consumption**: invoices take the balance at finalization (invoicing). The wallet then
  attributes the balance's movements to its grants, in balance-transaction order, from a cursor
  kept per customer (`WalletSettings.attributed_through`), so attributing twice changes nothing:
  an `applied` movement uses grants soonest-expiring first (then grants without expiry, oldest
  first); a `restored` one (a void) gives back to the same order of grants, each up to what it
  has used. Other movements (adjustments, refunds of credit) are not attributed: an expiry never
  takes more than the balance holds. Attribution runs in the journal handler of
  `invoice.finalized` / `invoice.voided` and before every grant and expiry.
- **Expiry** (clock hook `payments.wallets`): a grant past its `expires_at` with credit left
  gives up min(remaining, balance): balance move `expired`, Dr customer_credit,
  Cr credits_expired, `wallet.credit_expired`; once (grant row lock, `expired_at`).
- **Automatic top-up**: when the balance is below the customer's threshold, auto top-up is on,
  the customer is collected automatically with an active default payment method, and no top-up
  invoice of it is still unpaid, a top-up of `top_up_amount` is issued; so one per dip. Checked
  by the clock hook and after each invoice finalization.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from billing.journal import register_handler
from billing.models import BalanceKind, Customer, CustomerBalanceTransaction, LedgerAccount
from billing.selectors import clock_scope
from billing.services import (
    BalanceMove,
    balance_moves_record,
    journal_write,
    ledger_post,
    locked_customer,
)
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.db import bulk_update
from core.exceptions import NotFound, TransitionNotAllowed, ValidationFailed
from invoicing.clock_hooks import register_tick_hook
from invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, LineKind
from invoicing.services.drafts import one_off_line_max
from invoicing.services.finalize import finalize_locked
from invoicing.services.lines import invoice_created, recompute_totals
from payments.models import (
    CreditGrant,
    GrantSource,
    PaymentMethod,
    PaymentMethodState,
    WalletSettings,
)

ZERO = Decimal(0)
WALLETS = Actor.system("wallets")
UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


# ---------------------------------------------------------------------------------------------
# checks


def _check_amount(amount: Decimal, currency: str, field: str = "amount") -> None:
    if amount <= 0:
        raise ValidationFailed("The amount must be positive.", field=field, code="min_value")
    if quantize(amount, currency) != amount:
        raise ValidationFailed(
            f"{amount} has more decimals than {currency} allows.", field=field, code="decimals"
        )
    bound = one_off_line_max(currency)
    if amount > bound:
        raise ValidationFailed(
            f"At most {bound:,} {currency} at once (ONE_OFF_LINE_MAX sets the bound).",
            field=field,
            code="max_value",
        )


def _active_customer(customer_id: int) -> Customer:
    customer = locked_customer(customer_id)
    if customer.archived_at is not None:
        raise TransitionNotAllowed(f"The customer {customer.external_id} is archived.")
    return customer


# ---------------------------------------------------------------------------------------------
# the wallet's state and the attribution of balance movements to grants


def _wallet(customer: Customer, as_of: datetime) -> WalletSettings:
    """The locked customer's wallet row, made on first use with its cursor after every balance
    movement so far (none of them concerns grants: there were none)."""
    wallet = WalletSettings.objects.select_for_update().filter(customer=customer).first()
    if wallet is None:
        last = (
            CustomerBalanceTransaction.objects.filter(customer=customer)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        wallet = WalletSettings.objects.create(
            customer=customer, attributed_through=last or 0, updated_at=as_of
        )
    return wallet


def _spending_order(customer: Customer) -> list[CreditGrant]:
    """The customer's unexpired grants, locked, in the order invoices use them: soonest expiry
    first, then those without expiry, oldest first."""
    return list(
        CreditGrant.objects.select_for_update()
        .filter(customer=customer, expired_at__isnull=True)
        .order_by(F("expires_at").asc(nulls_last=True), "granted_at", "id")
    )


def _attribute(customer: Customer, wallet: WalletSettings) -> None:
    """Attribute the balance movements after the wallet's cursor to its grants (see the
    module's note) and move the cursor. The customer is locked by the caller."""
    moves = list(
        CustomerBalanceTransaction.objects.filter(
            customer=customer, id__gt=wallet.attributed_through
        )
        .order_by("id")
        .values_list("id", "kind", "amount")
    )
    if not moves:
        return
    grants = _spending_order(customer)
    changed: dict[int, CreditGrant] = {}
    for _, kind, amount in moves:
        if kind == BalanceKind.APPLIED:
            left = -amount
            for grant in grants:
                take = min(left, grant.remaining)
                if take > 0:
                    grant.remaining -= take
                    left -= take
                    changed[grant.pk] = grant
        elif kind == BalanceKind.RESTORED:
            left = amount
            for grant in grants:
                give = min(left, grant.consumed)
                if give > 0:
                    grant.remaining += give
                    left -= give
                    changed[grant.pk] = grant
    bulk_update(list(changed.values()), ["remaining"])
    wallet.attributed_through = moves[-1][0]
    wallet.save(update_fields=["attributed_through"])


# ---------------------------------------------------------------------------------------------
# granting


def _grant_write(
    customer: Customer,
    *,
    amount: Decimal,
    source: str,
    reason: str,
    expires_at: datetime | None,
    top_up_invoice: Invoice | None,
    actor: Actor,
    as_of: datetime,
) -> CreditGrant:
    """A grant of credit to a locked customer: the grant, the balance move, the ledger and the
    journal event, in the caller's transaction."""
    wallet = _wallet(customer, as_of)
    _attribute(customer, wallet)  # earlier movements never touch the new grant
    grant = CreditGrant.objects.create(
        customer=customer,
        currency=customer.currency,
        amount=amount,
        remaining=amount,
        source=source,
        expires_at=expires_at,
        top_up_invoice=top_up_invoice,
        reason=reason,
        created_by=actor.label,
        granted_at=as_of,
    )
    purchased = source == GrantSource.PURCHASED
    kind = BalanceKind.PREPAID if purchased else BalanceKind.GRANT
    balance_moves_record(
        [BalanceMove(customer, amount, kind, "credit_grant", grant.pk, reason)],
        actor=actor,
        at=as_of,
    )
    # the grant's own movement is not one to attribute
    wallet.attributed_through = (
        CustomerBalanceTransaction.objects.filter(customer=customer).latest("id").pk
    )
    wallet.save(update_fields=["attributed_through"])
    ledger_post(
        customer=customer,
        currency=customer.currency,
        amounts=[
            (LedgerAccount.PREPAID_SOLD if purchased else LedgerAccount.CREDITS_GRANTED, amount),
            (LedgerAccount.CUSTOMER_CREDIT, -amount),
        ],
        document_type="credit_grant",
        document_id=grant.pk,
        memo=f"credit {'bought' if purchased else 'granted'}: {reason}"[:255],
        at=as_of,
    )
    journal_write(
        type="wallet.topped_up" if purchased else "wallet.granted",
        subject_type="customer",
        subject_id=customer.pk,
        payload={
            "customer": customer.external_id,
            "grant": grant.pk,
            "amount": str(amount),
            "currency": customer.currency,
            "balance": str(customer.balance),
            "expires_at": expires_at.isoformat() if expires_at else None,
            "invoice": top_up_invoice.number if top_up_invoice else None,
            "reason": reason,
        },
        actor=actor,
        occurred_at=as_of,
    )
    return grant


def wallet_grant(
    *,
    customer_id: int,
    amount: Decimal,
    reason: str,
    actor: Actor,
    as_of: datetime,
    expires_at: datetime | None = None,
) -> CreditGrant:
    """Staff grant credit to a customer (an expense of ours), optionally expiring."""
    if not reason.strip():
        raise ValidationFailed("A grant needs its reason.", field="reason", code="required")
    if expires_at is not None and expires_at <= as_of:
        raise ValidationFailed(
            "The expiry must be in the future.", field="expires_at", code="in_past"
        )
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = _active_customer(customer_id)
        _check_amount(amount, customer.currency)
        return _grant_write(
            customer,
            amount=amount,
            source=GrantSource.GRANTED,
            reason=reason.strip(),
            expires_at=expires_at,
            top_up_invoice=None,
            actor=actor,
            as_of=as_of,
        )


# ---------------------------------------------------------------------------------------------
# buying: the top-up invoice, and its credit once it is paid


def _top_up_write(
    customer: Customer, *, amount: Decimal, actor: Actor, as_of: datetime, why: str
) -> Invoice:
    """A finalized top-up invoice of one prepaid-credit line for a locked customer."""
    invoice = Invoice.objects.create(
        customer=customer,
        kind=InvoiceKind.MANUAL,
        currency=customer.currency,
        billing_date=as_of,
        grace_until=as_of,
        created_at=as_of,
        updated_at=as_of,
    )
    journal_write(**invoice_created(invoice, customer, by_hand=True, top_up=True), actor=actor)
    InvoiceLine.objects.create(
        invoice=invoice,
        kind=LineKind.PREPAID,
        description=f"Prepaid credit {amount} {customer.currency}",
        quantity=Decimal(1),
        unit_amount=amount,
        amount=amount,
        explanation={"prepaid_credit": str(amount), "why": why, "added_by": actor.label},
        position=0,
    )  # untaxed: tax_rate None, tax 0 (the defaults)
    recompute_totals(invoice)
    finalize_locked([invoice], as_of, actor)
    return invoice


def wallet_top_up(*, customer_id: int, amount: Decimal, actor: Actor, as_of: datetime) -> Invoice:
    """Sell prepaid credit: a top-up invoice finalized at once, collected like any invoice; its
    credit is granted when it is paid (`on_invoices_paid`)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="wallet top-up"):
        customer = _active_customer(customer_id)
        _check_amount(amount, customer.currency)
        return _top_up_write(customer, amount=amount, actor=actor, as_of=as_of, why="bought")


def top_up_paid(*, invoice_id: int, as_of: datetime, actor: Actor) -> CreditGrant | None:
    """Grant the credit of a paid top-up invoice, once (None: not a paid top-up, or already
    granted). Inside the caller's transaction (the journal handler's)."""
    prepaid = InvoiceLine.objects.filter(invoice=invoice_id, kind=LineKind.PREPAID).aggregate(
        t=Sum("amount")
    )["t"]
    if not prepaid:
        return None  # not a top-up: nothing locked (every paid invoice comes through here)
    customer_id = Invoice.objects.values_list("customer_id", flat=True).get(pk=invoice_id)
    customer = locked_customer(customer_id)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    if invoice.status != InvoiceStatus.PAID:
        return None  # taken back before this ran: its next `invoice.paid` grants it
    if CreditGrant.objects.filter(top_up_invoice=invoice).exists():
        return None  # granted already
    with audit_context(actor=actor, reason=f"top-up {invoice.number} paid"):
        return _grant_write(
            customer,
            amount=prepaid,
            source=GrantSource.PURCHASED,
            reason=f"top-up invoice {invoice.number} paid",
            expires_at=None,
            top_up_invoice=invoice,
            actor=actor,
            as_of=as_of,
        )


# ---------------------------------------------------------------------------------------------
# expiry


def wallet_grant_expire(*, grant_id: int, as_of: datetime, actor: Actor) -> CreditGrant:
    """Expire what is left of a grant past its expiry (at most the balance): the balance move,
    Dr customer_credit, Cr credits_expired, `wallet.credit_expired`. An expired grant is left
    as it is."""
    customer_id = (
        CreditGrant.objects.filter(pk=grant_id).values_list("customer_id", flat=True).first()
    )
    if customer_id is None:
        raise NotFound(f"No credit grant with id {grant_id}.")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="credit expired"):
        customer = locked_customer(customer_id)
        _attribute(customer, _wallet(customer, as_of))  # what invoices used does not expire
        grant = CreditGrant.objects.select_for_update().get(pk=grant_id)
        if grant.expired_at is not None:
            return grant
        if grant.expires_at is None or grant.expires_at > as_of:
            raise TransitionNotAllowed(f"Credit grant #{grant.pk} has not expired yet.")
        expired = min(grant.remaining, customer.balance)
        grant.amount_expired = expired
        grant.remaining = ZERO
        grant.expired_at = as_of
        grant.save(update_fields=["amount_expired", "remaining", "expired_at"])
        if expired > 0:
            balance_moves_record(
                [BalanceMove(customer, -expired, BalanceKind.EXPIRED, "credit_grant", grant.pk,
                             f"credit grant #{grant.pk} expired")],
                actor=actor,
                at=as_of,
            )  # fmt: skip
            wallet = _wallet(customer, as_of)
            wallet.attributed_through = (
                CustomerBalanceTransaction.objects.filter(customer=customer).latest("id").pk
            )
            wallet.save(update_fields=["attributed_through"])
            ledger_post(
                customer=customer,
                currency=customer.currency,
                amounts=[
                    (LedgerAccount.CUSTOMER_CREDIT, expired),
                    (LedgerAccount.CREDITS_EXPIRED, -expired),
                ],
                document_type="credit_grant",
                document_id=grant.pk,
                memo=f"credit grant #{grant.pk} expired",
                at=as_of,
            )
        journal_write(
            type="wallet.credit_expired",
            subject_type="customer",
            subject_id=customer.pk,
            payload={
                "customer": customer.external_id,
                "grant": grant.pk,
                "amount": str(expired),
                "currency": customer.currency,
                "balance": str(customer.balance),
            },
            actor=actor,
            occurred_at=as_of,
        )
    return grant


def grants_due_for_expiry(as_of: datetime, *, test_clock: int | None = None) -> list[int]:
    return list(
        CreditGrant.objects.filter(
            clock_scope(test_clock),
            expired_at__isnull=True,
            expires_at__isnull=False,
            expires_at__lte=as_of,
        )
        .order_by("expires_at", "id")
        .values_list("id", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# settings and the automatic top-up


def wallet_settings_set(
    *,
    customer_id: int,
    auto_top_up: bool,
    threshold: Decimal | None,
    top_up_amount: Decimal | None,
    actor: Actor,
    as_of: datetime,
) -> WalletSettings:
    """A customer's automatic top-up: on with a threshold (>= 0) and an amount (> 0) in its
    currency; off keeps or clears them."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="wallet settings"):
        customer = _active_customer(customer_id)
        if threshold is not None:
            if threshold < 0:
                raise ValidationFailed(
                    "The threshold cannot be negative.", field="threshold", code="min_value"
                )
            if quantize(threshold, customer.currency) != threshold:
                raise ValidationFailed(
                    f"{threshold} has more decimals than {customer.currency} allows.",
                    field="threshold",
                    code="decimals",
                )
        if top_up_amount is not None:
            _check_amount(top_up_amount, customer.currency, field="top_up_amount")
        if auto_top_up and threshold is None:
            raise ValidationFailed(
                "An automatic top-up needs its threshold.", field="threshold", code="required"
            )
        if auto_top_up and top_up_amount is None:
            raise ValidationFailed(
                "An automatic top-up needs its amount.", field="top_up_amount", code="required"
            )
        if (threshold is None) != (top_up_amount is None):
            field = "top_up_amount" if top_up_amount is None else "threshold"
            raise ValidationFailed(
                "Give the threshold and the top-up amount together.", field=field,
                code="required",
            )  # fmt: skip
        wallet = _wallet(customer, as_of)
        wallet.auto_top_up = auto_top_up
        wallet.threshold = threshold
        wallet.top_up_amount = top_up_amount
        wallet.updated_at = as_of
        wallet.updated_by = actor.label
        wallet.save(update_fields=["auto_top_up", "threshold", "top_up_amount", "updated_at",
                                   "updated_by"])  # fmt: skip
        journal_write(
            type="wallet.settings_changed",
            subject_type="customer",
            subject_id=customer.pk,
            payload={
                "customer": customer.external_id,
                "auto_top_up": auto_top_up,
                "threshold": None if threshold is None else str(threshold),
                "top_up_amount": None if top_up_amount is None else str(top_up_amount),
            },
            actor=actor,
            occurred_at=as_of,
        )
    return wallet


def unpaid_top_up(customer_id: int) -> Invoice | None:
    """A top-up invoice of the customer still being collected (open or partially paid)."""
    return (
        Invoice.objects.filter(
            customer_id=customer_id, status__in=UNPAID, lines__kind=LineKind.PREPAID
        )
        .order_by("id")
        .first()
    )


def _auto_top_up_locked(
    customer: Customer, wallet: WalletSettings, as_of: datetime, actor: Actor
) -> Invoice | None:
    if not wallet.auto_top_up or wallet.threshold is None or wallet.top_up_amount is None:
        return None
    if customer.balance >= wallet.threshold or customer.archived_at is not None:
        return None
    if not customer.auto_collection:
        return None  # nobody would charge it
    if not PaymentMethod.objects.filter(
        customer=customer, is_default=True, state=PaymentMethodState.ACTIVE,
        detached_at__isnull=True,
    ).exists():  # fmt: skip
        return None
    if unpaid_top_up(customer.pk) is not None:
        return None  # one per dip: the one issued is still being collected
    return _top_up_write(
        customer,
        amount=wallet.top_up_amount,
        actor=actor,
        as_of=as_of,
        why=f"balance {customer.balance} below {wallet.threshold}",
    )


def wallet_auto_top_up(*, customer_id: int, as_of: datetime, actor: Actor) -> Invoice | None:
    """Issue the automatic top-up of a customer whose balance is below its threshold (see the
    module's note); None when none is due."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="auto top-up"):
        customer = locked_customer(customer_id)
        wallet = WalletSettings.objects.select_for_update().filter(customer=customer).first()
        if wallet is None:
            return None
        return _auto_top_up_locked(customer, wallet, as_of, actor)


def customers_below_threshold(*, test_clock: int | None = None) -> list[int]:
    return list(
        WalletSettings.objects.filter(
            clock_scope(test_clock), auto_top_up=True, customer__balance__lt=F("threshold")
        ).values_list("customer_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# journal handlers and the clock hook


def _wallets_of_invoices(events: Sequence[Any]) -> list[tuple[Customer, WalletSettings]]:
    """The customers (locked, in id order) of the events' invoices that have a wallet, with
    their wallet rows; one query finds them (a customer without a wallet has no grants and no
    automatic top-up: most invoices stop here)."""
    invoice_ids = [int(e.subject_id) for e in events]
    customer_ids = sorted(
        set(
            WalletSettings.objects.filter(
                customer__in=Invoice.objects.filter(pk__in=invoice_ids).values("customer_id")
            ).values_list("customer_id", flat=True)
        )
    )
    found = []
    for customer_id in customer_ids:
        customer = locked_customer(customer_id)
        found.append((customer, WalletSettings.objects.select_for_update().get(customer=customer)))
    return found


def on_invoices_finalized(events: Sequence[Any]) -> None:
    """What the invoices took from the balance is attributed to grants; a balance now below
    the threshold gets its automatic top-up. A batch handler (in its transaction)."""
    if not events:
        return
    wallets = _wallets_of_invoices(events)
    if not wallets:
        return
    # each customer at the latest instant of its own events: a test customer's are its test
    # clock's time, never mixed with live customers' (billing.selectors.clock_scope)
    owners = dict(
        Invoice.objects.filter(pk__in=[int(e.subject_id) for e in events]).values_list(
            "pk", "customer_id"
        )
    )
    at: dict[int, datetime] = {}
    for e in events:
        owner = owners.get(int(e.subject_id))
        if owner is not None:
            at[owner] = max(e.occurred_at, at.get(owner, e.occurred_at))
    with audit_context(actor=WALLETS, reason="wallet after finalization"):
        for customer, wallet in wallets:
            _attribute(customer, wallet)
            _auto_top_up_locked(customer, wallet, at[customer.pk], WALLETS)


def on_invoices_voided(events: Sequence[Any]) -> None:
    """A void's restored credit goes back to the grants. A batch handler."""
    for customer, wallet in _wallets_of_invoices(events):
        _attribute(customer, wallet)


def on_invoices_paid(events: Sequence[Any]) -> None:
    """Paid top-up invoices grant their credit, once each. A batch handler: one query picks
    the top-ups among the paid invoices; their customers are locked first, all of them in one
    query in id order (the order collection locks customers in: the batch's transaction never
    holds one customer while waiting for a lower one), then each top-up is granted."""
    ids = {int(e.subject_id): e for e in events}
    found = set(
        InvoiceLine.objects.filter(invoice__in=list(ids), kind=LineKind.PREPAID).values_list(
            "invoice", "invoice__customer"
        )
    )
    if not found:
        return
    list(
        Customer.objects.select_for_update()
        .filter(pk__in=sorted({customer_id for _, customer_id in found}))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for invoice_id in sorted(invoice_id for invoice_id, _ in found):
        top_up_paid(invoice_id=invoice_id, as_of=ids[invoice_id].occurred_at, actor=WALLETS)


def wallets_tick(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """The clock's wallet work for `as_of`: expire the grants due, then issue the automatic
    top-ups due. Each in its own transaction (each is idempotent); few per tick. In one clock
    scope (live customers' by default, or a test clock's)."""
    expired = 0
    for grant_id in grants_due_for_expiry(as_of, test_clock=test_clock):
        if wallet_grant_expire(grant_id=grant_id, as_of=as_of, actor=WALLETS).amount_expired:
            expired += 1
    topped = 0
    for customer_id in customers_below_threshold(test_clock=test_clock):
        if wallet_auto_top_up(customer_id=customer_id, as_of=as_of, actor=WALLETS) is not None:
            topped += 1
    return {"credits_expired": expired, "auto_top_ups": topped}


def register() -> None:
    """Journal handlers and clock hooks of this part, registered at start-up."""
    register_handler(
        "payments.wallets.top_up_paid", on_invoices_paid, types={"invoice.paid"}, batch=True
    )
    register_handler(
        "payments.wallets.consumption",
        on_invoices_finalized,
        types={"invoice.finalized"},
        batch=True,
    )
    register_handler(
        "payments.wallets.restored", on_invoices_voided, types={"invoice.voided"}, batch=True
    )
    register_tick_hook("payments.wallets", wallets_tick)
