"""Reads of payment methods."""

from __future__ import annotations

from django.db.models import QuerySet

from payments.models import PaymentMethod, PaymentMethodState, SubscriptionPaymentMethod


def payment_method_list() -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.select_related("customer")


def payment_method_for_subscription(*, subscription_id: int) -> PaymentMethod | None:
    """What a subscription's invoices are charged to: its own method, else its customer's
    default; None when neither is an active, attached method."""
    override = (
        SubscriptionPaymentMethod.objects.select_related("payment_method")
        .filter(subscription_id=subscription_id)
        .first()
    )
    method: PaymentMethod | None
    if override is not None:
        method = override.payment_method
    else:
        method = PaymentMethod.objects.filter(
            customer__subscriptions__pk=subscription_id, is_default=True
        ).first()
    if method is None or method.is_detached or method.state != PaymentMethodState.ACTIVE:
        return None
    return method
