from payments.models import dunning as dunning_models  # noqa: F401 (models of their own parts)
from payments.models import payouts as payout_models  # noqa: F401
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
from payments.models.reports import AgingReport
from payments.models.wallets import CreditGrant, GrantSource, WalletSettings

__all__ = [
    "DEFAULT_RETRY_DAYS",
    "PAYMENT_TRANSITIONS",
    "AgingReport",
    "Allocation",
    "CreditGrant",
    "GatewayCall",
    "GrantSource",
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
    "WalletSettings",
    "last4_validator",
]
