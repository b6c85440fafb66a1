from billing.models.apikeys import ApiKey
from billing.models.credits import BalanceKind, CouponRedemption, CustomerBalanceTransaction
from billing.models.customers import Customer, external_id_validator
from billing.models.entitlements import CustomerEntitlement, EntitlementOverride
from billing.models.journal import JournalDelivery, JournalEvent
from billing.models.ledger import LedgerAccount, LedgerEntry
from billing.models.subscriptions import (
    ProrationLine,
    Subscription,
    SubscriptionChange,
    SubscriptionPause,
    SubscriptionPriceMove,
)
from billing.models.testclocks import TestClock, TestClockStatus
from billing.models.usage import UsageEvent, UsageEventKey

__all__ = [
    "ApiKey",
    "BalanceKind",
    "CouponRedemption",
    "Customer",
    "CustomerBalanceTransaction",
    "CustomerEntitlement",
    "EntitlementOverride",
    "JournalDelivery",
    "JournalEvent",
    "LedgerAccount",
    "LedgerEntry",
    "ProrationLine",
    "Subscription",
    "SubscriptionChange",
    "SubscriptionPause",
    "SubscriptionPriceMove",
    "TestClock",
    "TestClockStatus",
    "UsageEvent",
    "UsageEventKey",
    "external_id_validator",
]
