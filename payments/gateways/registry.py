"""`gateway(name)`: the gateway stored under `name` on a payment method or a payment."""

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


def gateway(name: str) -> Gateway:
    """The gateway called `name`, configured from the settings. GatewayError `unknown_gateway`
    for a name that is not one of GATEWAY_NAMES, `disabled` for one not in PAYMENT_GATEWAYS (the
    sandbox is off in production unless listed) and for Stripe without STRIPE_API_KEY."""
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
