"""The one interface every gateway implements.

Each call carries an idempotency key that the gateway itself sees (Stripe's `Idempotency-Key`,
the sandbox's own record of keys): a call retried with the same key — after a timeout, a crash
of the worker, a redelivered journal event — returns the first call's outcome and never charges
or refunds twice. Amounts are `Decimal` in the currency's major units, already rounded to its
ISO 4217 exponent (`catalog.money.quantize`); a gateway converts to minor units itself.

Payouts are the mirror image of charges: `payout` sends money to a payee's payout method (a
sandbox token, or the bank details staff pay by hand through the manual gateway), with the same
idempotency key rule and the same outcomes; `status` answers about a payout's key too.

Saving a card for later (`setup_start` / `setup_result`): a hosted flow like Stripe Checkout in
setup mode. `setup_start` answers the id of a setup and the URL of the gateway's own card form
(the sandbox's page served by this project, Stripe's Checkout page); the customer fills it in
there (the card number never reaches our database) and is sent back to `return_url` with
`?setup=<id>`. `setup_result` then answers the setup's state (`complete`, `open`, `expired`,
`failed`) and, when complete, the gateway's token of the saved method and what may be shown of it
(brand, last four, expiry, holder). The caller stores the token with
`payments.services.methods.payment_method_add`.

Outcomes: `succeeded`, `failed` (with a reason code and whether a retry may succeed), or
`unknown` (a timeout, a 5xx: the charge may or may not have happened — the caller keeps the
payment pending and asks `status` with the same key before anything else touches it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"  # ask `status` later with the same idempotency key


@dataclass(frozen=True)
class Result:
    """What a gateway answered, as recorded on the attempt."""

    outcome: Outcome
    reference: str = ""  # the gateway's id of the charge or refund ("" when none is known)
    reason: str = ""  # a stable code: "card_declined", "insufficient_funds", "timeout"...
    message: str = ""  # for people
    retryable: bool = False  # a failure a later attempt may turn into a success
    raw: dict[str, Any] = field(default_factory=dict)  # the gateway's answer, for the timeline


class SetupState(StrEnum):
    COMPLETE = "complete"  # the method is saved: `token` and its display fields are set
    OPEN = "open"  # the customer has not finished the gateway's form
    EXPIRED = "expired"  # abandoned, or too old (the gateway forgot it)
    FAILED = "failed"  # the gateway refused the method


@dataclass(frozen=True)
class SetupStart:
    """A hosted setup begun: its id and the gateway's form to send the customer to."""

    id: str
    url: str


@dataclass(frozen=True)
class SetupResult:
    """What a setup became; the token and display fields only when `complete`."""

    state: SetupState
    token: str = ""
    kind: str = "card"
    brand: str = ""
    last4: str = ""
    exp_month: int | None = None
    exp_year: int | None = None
    holder_name: str = ""
    reason: str = ""  # why `failed` (a stable code)
    # the gateway's customer the method is attached to (Stripe: `cus_...`), to keep with it
    gateway_customer: str = ""


class GatewayError(Exception):
    """A call the gateway refused before trying (bad token, unsupported currency, bad amount):
    nothing happened, and retrying the same call will not help."""

    def __init__(self, message: str, *, code: str = "gateway_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Gateway(Protocol):
    """A payment gateway. `name` is stored on payment methods and payments."""

    name: str

    def charge(
        self,
        *,
        token: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        description: str = "",
        metadata: dict[str, str] | None = None,
    ) -> Result:
        """Take `amount` from the payment method `token`; the same key never charges twice."""
        ...

    def refund(
        self,
        *,
        reference: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Result:
        """Give back `amount` of the charge `reference`; the same key never refunds twice."""
        ...

    def payout(
        self,
        *,
        token: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        description: str = "",
        metadata: dict[str, str] | None = None,
    ) -> Result:
        """Send `amount` to the payout method `token`; the same key never pays twice."""
        ...

    def setup_start(
        self,
        *,
        customer_ref: str,
        return_url: str,
        cancel_url: str,
        idempotency_key: str,
        currency: str = "",
        customer_id: int | None = None,
        gateway_customer: str = "",
    ) -> SetupStart:
        """Begin saving a payment method on the gateway's own form (see the module's note);
        GatewayError `setup_unsupported` for a gateway without one (the manual gateway).
        `customer_ref` is our customer's external id, `customer_id` its id, `gateway_customer`
        the customer's own at this gateway when one is known (Stripe: `cus_...`; else Stripe
        creates one and the result carries it)."""
        ...

    def setup_result(self, *, setup_id: str) -> SetupResult:
        """The state of the setup `setup_id` and, when complete, the saved method's token."""
        ...

    def status(self, *, idempotency_key: str) -> Result:
        """The outcome of the charge, refund or payout made with `idempotency_key` (after an
        `unknown`): `succeeded` or `failed` once the gateway knows, `unknown` while it does
        not; `failed` with reason `not_found` when no call with that key ever reached it."""
        ...
