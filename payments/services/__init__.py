"""Payments' writes, one module per role: methods, cash (payments, allocations, balances),
collection (automatic charges, retries, the reconciler), refunds and wallets."""

from payments.services.cash import (
    AllocationRequest,
    payment_apply,
    payment_move_to_balance,
    payment_record,
    payment_unapply,
)
from payments.services.methods import (
    iban_ok,
    looks_like_account_number,
    luhn_ok,
    payment_method_add,
    payment_method_detach,
    payment_method_set_default,
    payment_method_snapshot,
    payment_method_update,
    subscription_payment_method_clear,
    subscription_payment_method_set,
)

__all__ = [
    "AllocationRequest",
    "iban_ok",
    "looks_like_account_number",
    "luhn_ok",
    "payment_apply",
    "payment_method_add",
    "payment_method_detach",
    "payment_method_set_default",
    "payment_method_snapshot",
    "payment_method_update",
    "payment_move_to_balance",
    "payment_record",
    "payment_unapply",
    "subscription_payment_method_clear",
    "subscription_payment_method_set",
]
