"""A customer's credit balance and its coupons.

The balance is credit the customer holds in its currency. It grows by staff grants and
adjustments (and, with the payments issue, prepaid credit bought), by credit carried from an
invoice whose total fell below zero, and by credit notes beyond what an invoice still owed; it is
spent by finalized invoices, oldest first. Every movement is a `CustomerBalanceTransaction` and a
balanced ledger posting (customer credit is a liability), in the transaction of its cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from billing.models import (
    BalanceKind,
    CouponRedemption,
    Customer,
    CustomerBalanceTransaction,
    LedgerAccount,
    Subscription,
)
from billing.services.customers import locked_customer
from billing.services.journal import journal_write
from billing.services.ledger import ledger_post
from catalog.models import Coupon
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.db import bulk_update, copy_insert
from core.exceptions import Conflict, NotFound, ValidationFailed


@dataclass(frozen=True)
class BalanceMove:
    """A movement of a locked customer's balance, recorded by `balance_moves_record`."""

    customer: Customer
    amount: Decimal  # positive: credit added
    kind: str
    document_type: str = ""
    document_id: int | None = None
    reason: str = ""


def balance_moves_record(moves: Sequence[BalanceMove], *, actor: Actor, at: datetime) -> None:
    """Apply movements to customers the caller has locked (their `balance` is updated and saved)
    and record their transactions. The caller posts the matching ledger entries."""
    rows = []
    changed: dict[int, Customer] = {}
    for move in moves:
        if not move.amount:
            continue
        customer = changed.setdefault(move.customer.pk, move.customer)  # one object per row
        customer.balance += move.amount
        if customer.balance < 0:
            raise Conflict(f"The balance of {customer.external_id} cannot go below zero.")
        rows.append(
            CustomerBalanceTransaction(
                customer=customer,
                kind=move.kind,
                amount=move.amount,
                currency=customer.currency,
                balance_after=customer.balance,
                document_type=move.document_type,
                document_id=move.document_id,
                reason=move.reason,
                created_by=actor.label,
                created_at=at,
            )
        )
    bulk_update(list(changed.values()), ["balance"])
    copy_insert(rows)


def customer_balance_adjust(
    *,
    customer_id: int,
    amount: Decimal,
    actor: Actor,
    as_of: datetime,
    reason: str,
    kind: str = BalanceKind.GRANT,
) -> CustomerBalanceTransaction:
    """Staff grant credit (positive) or take back unused credit (negative), with a reason. The
    ledger records the credit as granted (an expense) against the customers' credit liability."""
    if kind not in (BalanceKind.GRANT, BalanceKind.ADJUSTMENT, BalanceKind.PREPAID):
        raise ValidationFailed(f"{kind!r} is not a manual balance movement.", field="kind")
    if not reason.strip():
        raise ValidationFailed("A balance adjustment needs its reason.", field="reason")
    if not amount:
        raise ValidationFailed("The amount cannot be zero.", field="amount")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id)
        if quantize(amount, customer.currency) != amount:
            raise ValidationFailed(
                f"{amount} has more decimals than {customer.currency} allows.", field="amount"
            )
        if customer.balance + amount < 0:
            raise ValidationFailed(
                f"The balance is {customer.balance}: it cannot go below zero.",
                field="amount",
                code="exceeds_balance",
            )
        balance_moves_record(
            [BalanceMove(customer, amount, kind, reason=reason)], actor=actor, at=as_of
        )
        source = (
            LedgerAccount.CASH if kind == BalanceKind.PREPAID else LedgerAccount.CREDITS_GRANTED
        )
        ledger_post(
            customer=customer,
            currency=customer.currency,
            amounts=[(source, amount), (LedgerAccount.CUSTOMER_CREDIT, -amount)],
            document_type="balance",
            document_id=customer.pk,
            memo=f"balance {kind}: {reason}",
            at=as_of,
        )
        journal_write(
            type="customer.balance_changed",
            subject_type="customer",
            subject_id=customer.pk,
            payload={
                "customer": customer.external_id,
                "amount": str(amount),
                "balance": str(customer.balance),
                "kind": kind,
                "reason": reason,
            },
            actor=actor,
            occurred_at=as_of,
        )
        return CustomerBalanceTransaction.objects.filter(customer=customer).latest("id")


def coupon_redeem(
    *,
    customer_id: int,
    coupon_code: str,
    actor: Actor,
    as_of: datetime,
    subscription_id: int | None = None,
) -> CouponRedemption:
    """Apply a coupon to the customer's next billings (of one subscription, or of all). Checked:
    the coupon is live (not archived, not past its redeem-by date, redemptions left), in the
    customer's currency for a fixed amount, for the subscription's plan, not already active."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="coupon redeemed"):
        customer = locked_customer(customer_id)
        coupon = Coupon.objects.select_for_update().filter(code=coupon_code).first()
        if coupon is None:
            raise NotFound(f"No coupon {coupon_code!r}.", field="coupon")
        if coupon.archived_at is not None:
            raise ValidationFailed("This coupon is archived.", field="coupon", code="archived")
        if coupon.redeem_by is not None and coupon.redeem_by < as_of:
            raise ValidationFailed(
                f"This coupon could be redeemed until {coupon.redeem_by.isoformat()}.",
                field="coupon",
                code="expired",
            )
        used = CouponRedemption.objects.filter(coupon=coupon).count()
        if coupon.max_redemptions is not None and used >= coupon.max_redemptions:
            raise Conflict(
                f"This coupon has been redeemed {used} times, its limit.",
                field="coupon",
                code="redemption_limit",
            )
        if coupon.kind == Coupon.Kind.FIXED and coupon.currency != customer.currency:
            raise ValidationFailed(
                f"This coupon is in {coupon.currency}, the customer is billed in "
                f"{customer.currency}.",
                field="coupon",
                code="currency_mismatch",
            )
        plans = set(coupon.plans.values_list("pk", flat=True))
        subscription = None
        if subscription_id is not None:
            subscription = Subscription.objects.filter(
                pk=subscription_id, customer=customer
            ).first()
            if subscription is None:
                raise NotFound(
                    f"The customer has no subscription {subscription_id}.", field="subscription"
                )
            if plans and subscription.plan_id not in plans:
                raise ValidationFailed(
                    "This coupon is not for the subscription's plan.",
                    field="subscription",
                    code="plan_not_eligible",
                )
        if CouponRedemption.objects.filter(
            customer=customer, coupon=coupon, status=CouponRedemption.Status.ACTIVE
        ).exists():
            raise Conflict(
                "This coupon is already active for the customer.",
                field="coupon",
                code="already_redeemed",
            )
        redemption = CouponRedemption.objects.create(
            customer=customer, coupon=coupon, subscription=subscription, redeemed_at=as_of
        )
        journal_write(
            type="customer.coupon_redeemed",
            subject_type="customer",
            subject_id=customer.pk,
            payload={"customer": customer.external_id, "coupon": coupon.code},
            actor=actor,
            occurred_at=as_of,
        )
    return redemption


def coupon_redemption_remove(
    *, redemption_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> CouponRedemption:
    """Stop a coupon from discounting further billings (what it discounted stays)."""
    try:
        customer_id = CouponRedemption.objects.values_list("customer_id", flat=True).get(
            pk=redemption_id
        )
    except CouponRedemption.DoesNotExist:
        raise NotFound(f"No coupon redemption {redemption_id}.") from None
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason or "removed"):
        locked_customer(customer_id)
        redemption = CouponRedemption.objects.select_for_update().get(pk=redemption_id)
        if redemption.status != CouponRedemption.Status.ACTIVE:
            raise Conflict(f"This redemption is already {redemption.status}.")
        redemption.status = CouponRedemption.Status.REMOVED
        redemption.removed_at = as_of
        redemption.save(update_fields=["status", "removed_at"])
    return redemption


def active_redemptions(
    customer_ids: Sequence[int], invoice_ids: Sequence[int] = ()
) -> dict[int, list[CouponRedemption]]:
    """The customers' active coupon redemptions, and those that last discounted one of
    `invoice_ids` (a percentage used up on an invoice still discounts that invoice's other
    subscriptions), oldest first, with their coupons and plans."""
    found: dict[int, list[CouponRedemption]] = {}
    rows = (
        CouponRedemption.objects.filter(customer_id__in=customer_ids)
        .filter(Q(status=CouponRedemption.Status.ACTIVE) | Q(last_invoice_id__in=invoice_ids))
        .select_related("coupon")
        .prefetch_related("coupon__plans")
        .order_by("redeemed_at", "id")
    )
    for redemption in rows:
        found.setdefault(redemption.customer_id, []).append(redemption)
    return found
