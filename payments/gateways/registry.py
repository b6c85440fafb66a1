"""`gateway(name)`: the gateway stored under `name` on a payment method or a payment."""

from __future__ import annotations

from importlib import import_module
from typing import cast

from django.conf import settings

from payments.gateways.base import Gateway, GatewayError
from payments.gateways.manual import ManualGateway
from payments.gateways.sandbox import SandboxGateway

GATEWAY_NAMES = ("sandbox", "manual", "stripe")

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
