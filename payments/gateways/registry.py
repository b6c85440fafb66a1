"""`gateway(name, test=...)`: the gateway stored under `name` on a payment method or a payment,
for a live customer or a test customer (one on a test clock: never real money)."""

from __future__ import annotations

import re
from importlib import import_module
from typing import cast

from django.conf import settings

from payments.gateways.base import Gateway, GatewayError
from payments.gateways.manual import ManualGateway
from payments.gateways.sandbox import SandboxGateway

GATEWAY_NAMES = ("sandbox", "manual", "stripe")

# Gateways that never take money from a method (the manual gateway's `charge` always refuses,
# `manual_only`: staff record the bank transfers that arrive): not offered to pay now.
NON_CHARGING_GATEWAYS = frozenset({"manual"})

# A gateway's own customer a method may be attached to (`PaymentMethod.gateway_customer`): only
# Stripe has them (its Customer ids).
GATEWAY_CUSTOMER_IDS = {"stripe": re.compile(r"^cus_[A-Za-z0-9]{1,250}$")}


def can_charge(name: str) -> bool:
    """Whether the gateway `name` can charge a stored method at all (not the manual one)."""
    return name in GATEWAY_NAMES and name not in NON_CHARGING_GATEWAYS


# The Stripe adapter is imported only when asked for (it loads the `stripe` library).
_STRIPE_MODULE = "payments.gateways.stripe_gateway"


# Stripe's keys that move no money (its test mode): secret and restricted.
STRIPE_TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")
TEST_MODE_GATEWAY = "test_mode_gateway"  # the code of a gateway refused for a test customer


def stripe_test_mode() -> bool:
    """Whether the configured STRIPE_API_KEY is one of Stripe's test keys (moves no money)."""
    return str(settings.STRIPE_API_KEY).startswith(STRIPE_TEST_KEY_PREFIXES)


def refusal_for_test_customer(name: str) -> str | None:
    """Why the gateway `name` may not hold a test customer's methods or move its money, or None.
    A test customer (on a test clock) pays with the sandbox, the manual gateway (it moves no
    money: staff record transfers), or Stripe only when STRIPE_API_KEY is a test key."""
    if name == "stripe" and not stripe_test_mode():
        return (
            "A test customer cannot use Stripe with a live key: use the sandbox, or a Stripe "
            "test key (sk_test_/rk_test_)."
        )
    return None


def gateway(name: str, *, test: bool = False) -> Gateway:
    """The gateway called `name`, configured from the settings, for a live customer's money or
    (`test`) a test customer's. GatewayError `unknown_gateway` for a name that is not one of
    GATEWAY_NAMES, `disabled` for one not in PAYMENT_GATEWAYS (the sandbox is off in production
    unless listed: for live customers; a test customer always has it) and for Stripe without
    STRIPE_API_KEY, `test_mode_gateway` for a gateway that would move real money for a test
    customer (`refusal_for_test_customer`)."""
    if test:
        refusal = refusal_for_test_customer(name)
        if refusal is not None:
            raise GatewayError(refusal, code=TEST_MODE_GATEWAY)
        if name == "sandbox":
            return SandboxGateway()
    if name in GATEWAY_NAMES and name not in settings.PAYMENT_GATEWAYS:
        raise GatewayError(
            f"The {name} gateway is not enabled here (PAYMENT_GATEWAYS).", code="disabled"
        )
    if name == "sandbox":
        return SandboxGateway()
    if name == "manual":
        return ManualGateway()
    if name == "stripe":
        stripe = import_module(_STRIPE_MODULE).StripeGateway.from_settings()
        if stripe is None:
            raise GatewayError("Stripe is not configured (STRIPE_API_KEY).", code="disabled")
        return cast(Gateway, stripe)
    raise GatewayError(
        f"Unknown gateway {name!r}: one of {', '.join(GATEWAY_NAMES)}.", code="unknown_gateway"
    )
