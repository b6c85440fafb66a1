from payments.models.cash import (
    DEFAULT_RETRY_DAYS,
    PAYMENT_TRANSITIONS,
    Allocation,
    GatewayCall,
    Payment,
    PaymentKind,
    PaymentState,
    Refund,
    RefundSource,
    RefundState,
    RetryPolicy,
)
from payments.models.methods import (
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodState,
    SubscriptionPaymentMethod,
    last4_validator,
)

__all__ = [
    "DEFAULT_RETRY_DAYS",
    "PAYMENT_TRANSITIONS",
    "Allocation",
    "GatewayCall",
    "Payment",
    "PaymentKind",
    "PaymentMethod",
    "PaymentMethodKind",
    "PaymentMethodState",
    "PaymentState",
    "Refund",
    "RefundSource",
    "RefundState",
    "RetryPolicy",
    "SubscriptionPaymentMethod",
    "last4_validator",
]
