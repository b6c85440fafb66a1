"""Writes of the billing app. Each public service is one transaction, takes `actor` and `as_of`,
and writes its journal event and its audit context in that same transaction."""

from billing.services.apikeys import (
    API_KEY_PATTERN,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
)
from billing.services.credits import (
    BalanceMove,
    active_redemptions,
    balance_moves_record,
    coupon_redeem,
    coupon_redemption_remove,
    customer_balance_adjust,
)
from billing.services.customers import (
    CUSTOMER_FIELDS,
    customer_archive,
    customer_create,
    customer_snapshot,
    customer_unarchive,
    customer_update,
    locked_customer,
)
from billing.services.entitlements import (
    entitlement_override_remove,
    entitlement_override_set,
    entitlements_block,
    entitlements_recompute,
)
from billing.services.journal import journal_dispatch, journal_write, journal_write_many
from billing.services.ledger import (
    Posting,
    account_balances,
    ledger_post,
    ledger_post_many,
    trial_balance,
)
from billing.services.subscription_clock import (
    subscription_advance,
    subscription_ids_due,
    subscription_periods,
    subscriptions_due,
    subscriptions_roll,
)
from billing.services.subscriptions import (
    subscription_activate,
    subscription_addon_add,
    subscription_cancel,
    subscription_change,
    subscription_change_cancel,
    subscription_create,
    subscription_end,
    subscription_pause,
    subscription_resume,
    subscription_undo_cancel,
)
from billing.services.usage import (
    usage_ingest,
    usage_partitions_ahead,
    usage_partitions_ensure,
)

__all__ = [
    "API_KEY_PATTERN",
    "CUSTOMER_FIELDS",
    "BalanceMove",
    "Posting",
    "account_balances",
    "active_redemptions",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "balance_moves_record",
    "coupon_redeem",
    "coupon_redemption_remove",
    "customer_archive",
    "customer_balance_adjust",
    "customer_create",
    "customer_snapshot",
    "customer_unarchive",
    "customer_update",
    "entitlement_override_remove",
    "entitlement_override_set",
    "entitlements_block",
    "entitlements_recompute",
    "journal_dispatch",
    "journal_write",
    "journal_write_many",
    "ledger_post",
    "ledger_post_many",
    "locked_customer",
    "subscription_activate",
    "subscription_addon_add",
    "subscription_advance",
    "subscription_cancel",
    "subscription_change",
    "subscription_change_cancel",
    "subscription_create",
    "subscription_end",
    "subscription_ids_due",
    "subscription_pause",
    "subscription_periods",
    "subscription_resume",
    "subscription_undo_cancel",
    "subscriptions_due",
    "subscriptions_roll",
    "trial_balance",
    "usage_ingest",
    "usage_partitions_ahead",
    "usage_partitions_ensure",
]
