"""Stripe, through the official `stripe` library (`StripeClient`: no global state, one client per
gateway with its own key and HTTP transport).

- `charge` creates and confirms a PaymentIntent off session (`confirm=True`, `off_session=True`,
  the token as `payment_method`, `metadata["customer"]` as `customer`), with our idempotency
  key as Stripe's `Idempotency-Key` and in the intent's `metadata["idempotency_key"]`, where
  `status` finds it again: we store nothing locally.
- `refund` creates a Refund of the intent (`payment_intent=reference`), idempotent by key.
- `status` searches the PaymentIntents by `metadata['idempotency_key']`. Stripe's search is
  eventually consistent (usually under a minute, up to an hour in an outage), so a `not_found`
  answer is not final while the charge is recent: the gateway says so with
  `status_lag_seconds` (86400: Stripe replays an idempotency key for 24 hours), and collection's
  one recording path keeps a payment pending on a `failed`/`not_found` status answer until its
  charge was sent that long ago (the reconciler asks again on each pass; the
  `payment_intent.succeeded` webhook usually settles it first). A charge may also be retried
  with the *same* key, which Stripe replays instead of charging again. Refunds cannot be
  searched: an `unknown` refund is settled by repeating the refund with the same key (Stripe
  answers with the first refund for 24 hours).
- `setup_start` creates a Checkout Session in setup mode (`mode=setup`, `currency`, the
  `success_url` with `?setup={CHECKOUT_SESSION_ID}` that Stripe fills in, `cancel_url`,
  `customer`, our external id in `client_reference_id`), idempotent by key; the customer types
  the card on Stripe's page. Stripe reuses a PaymentMethod off session only when it is attached
  to a Customer, and setup mode attaches it only to the `customer` given: the customer's known
  `cus_...` (`gateway_customer`, kept on its Stripe methods), else a Customer created first
  (`customers.create`, idempotency key `billing-customer-<our id>`, our ids in `metadata`).
  `setup_result` retrieves the session with `expand=["setup_intent.payment_method"]`:
  `complete` with the PaymentMethod's id as the token and its card's brand, last four, expiry
  and holder, and the session's customer (`gateway_customer`, to keep with the method); `open`;
  `expired`; `failed` when the SetupIntent did not succeed.
- `verify_webhook` checks Stripe's signature (`Stripe-Signature`, HMAC-SHA256 over
  `"{t}.{payload}"`, five minutes of tolerance) and `webhook_results` turns the outcomes we
  consume (`payment_intent.succeeded`, `payment_intent.payment_failed`, `charge.refunded` and the
  refund events) into `Result`s keyed by the `metadata["idempotency_key"]` of the intent or refund.

Outcomes: `succeeded` → SUCCEEDED; `requires_payment_method` or a card error → FAILED with the
decline code as reason (retryable for soft declines); `processing`, `requires_action`,
`requires_confirmation`, `requires_capture` → UNKNOWN (poll later); a connection error or timeout
→ UNKNOWN `timeout`; a 5xx → UNKNOWN `gateway_error`; a 429 → UNKNOWN `rate_limited`; a request
Stripe refuses (invalid, idempotency conflict, bad key) → `GatewayError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings

from catalog.money import get_currency, to_minor_units

from .base import GatewayError, Outcome, Result, SetupResult, SetupStart, SetupState
from .registry import GATEWAY_CUSTOMER_IDS

if TYPE_CHECKING:
    from .base import Gateway

# Declines a later attempt may turn into a success (Stripe's decline codes whose advice is
# "try again" or "the customer's situation may change"); every other decline is hard.
SOFT_DECLINES = frozenset(
    {
        "insufficient_funds",
        "try_again_later",
        "processing_error",
        "issuer_not_available",
        "reenter_transaction",
        "approve_with_id",
        "card_velocity_exceeded",
        "withdrawal_count_limit_exceeded",
    }
)

# Stripe's amounts are in minor units, and for almost every currency Stripe's exponent is ISO
# 4217's (catalog.money): 2 for USD/EUR, 0 for JPY/KRW/CLP/UGX... The exceptions we know of:
# - ISK: ISO 0, but Stripe keeps it two-decimal for backwards compatibility (5 ISK is 500, and
#   the last two digits must be 00): we send ISO units x 100.
# - HUF, TWD: ISO 2 and Stripe charges take two decimals too (only payouts are whole units): no
#   conversion needed.
# - BHD, JOD, KWD, OMR, TND: ISO 3 and Stripe 3, but Stripe wants the last digit 0: an amount
#   with a non-zero thousandth cannot be charged and is refused (GatewayError), never rounded.
_STRIPE_EXTRA_FACTOR = {"ISK": 100}
_STRIPE_LAST_DIGIT_ZERO = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})

_UNKNOWN_STATUSES = frozenset(
    {"processing", "requires_action", "requires_confirmation", "requires_capture"}
)


def stripe_amount(amount: Decimal, currency: str) -> int:
    """`amount` (major units, rounded to the ISO exponent) in Stripe's minor units."""
    code = get_currency(currency).code
    try:
        units = to_minor_units(amount, code)
    except ValueError as exc:
        raise GatewayError(str(exc), code="invalid_amount") from exc
    if units <= 0:
        raise GatewayError(f"{amount} {code} is not a positive amount", code="invalid_amount")
    if code in _STRIPE_LAST_DIGIT_ZERO and units % 10:
        raise GatewayError(
            f"Stripe takes {code} amounts in whole hundredths only, not {amount}",
            code="unsupported_amount",
        )
    return units * _STRIPE_EXTRA_FACTOR.get(code, 1)


@dataclass(frozen=True)
class _Declined:
    reason: str
    message: str
    retryable: bool


def _decline(error: dict[str, Any]) -> _Declined:
    reason = str(error.get("decline_code") or error.get("code") or "card_declined")
    return _Declined(reason, str(error.get("message") or ""), reason in SOFT_DECLINES)


class StripeGateway:
    """The Stripe adapter (`name = "stripe"`), enabled by STRIPE_API_KEY."""

    name = "stripe"
    # How long `status` may answer `not_found` for a charge Stripe did take (its search lags
    # behind; an idempotency key is replayed for 24 hours): collection keeps the payment pending
    # until then instead of failing it.
    status_lag_seconds = 86400

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str = "",
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = 2,
    ) -> None:
        if not api_key:
            raise GatewayError("Stripe is not configured (STRIPE_API_KEY)", code="disabled")
        self.webhook_secret = webhook_secret
        # The library's own retries resend the same Idempotency-Key: a retry never charges twice.
        self.client = stripe.StripeClient(
            api_key, http_client=http_client, max_network_retries=max_network_retries
        )

    @classmethod
    def from_settings(cls) -> StripeGateway | None:
        """The gateway configured by STRIPE_API_KEY / STRIPE_WEBHOOK_SECRET; None when disabled."""
        if not settings.STRIPE_API_KEY:
            return None
        return cls(api_key=settings.STRIPE_API_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET)

    # ------------------------------------------------------------------------------- calls
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
        if not token:
            raise GatewayError("No payment method token", code="invalid_token")
        meta = dict(metadata or {})
        customer = meta.get("customer", "")
        meta["idempotency_key"] = idempotency_key
        params: dict[str, Any] = {
            "amount": stripe_amount(amount, currency),
            "currency": get_currency(currency).code.lower(),
            "payment_method": token,
            "confirm": True,
            "off_session": True,
            "metadata": meta,
        }
        if customer:
            params["customer"] = customer
        if description:
            params["description"] = description
        try:
            intent = self.client.v1.payment_intents.create(
                params,  # type: ignore[arg-type]  # a plain dict for the TypedDict of params
                {"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            body = _error_body(exc)
            declined = _decline(body)
            intent_id = str((body.get("payment_intent") or {}).get("id") or "")
            return Result(
                Outcome.FAILED,
                reference=intent_id,
                reason=declined.reason,
                message=declined.message,
                retryable=declined.retryable,
                raw=body,
            )
        except stripe.StripeError as exc:
            return _unknown_or_raise(exc)
        return _intent_result(intent.to_dict())

    def refund(
        self,
        *,
        reference: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Result:
        if not reference:
            raise GatewayError("No charge to refund", code="invalid_reference")
        params: dict[str, Any] = {
            "payment_intent": reference,
            "amount": stripe_amount(amount, currency),
            "metadata": {"idempotency_key": idempotency_key, "reason": reason},
        }
        try:
            refund = self.client.v1.refunds.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            return _unknown_or_raise(exc)
        return _refund_result(refund.to_dict())

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
        """Payouts to payees are not made through Stripe here (Stripe Connect is not set up):
        refused before anything is sent; pay payees through the manual or sandbox gateway."""
        raise GatewayError(
            "Stripe payouts are not supported: use the manual gateway for payees.",
            code="payouts_unsupported",
        )

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
        if customer_ref.startswith("cus_") and not gateway_customer:
            gateway_customer, customer_ref = customer_ref, ""
        if gateway_customer and not GATEWAY_CUSTOMER_IDS["stripe"].match(gateway_customer):
            raise GatewayError(
                f"{gateway_customer!r} is not a Stripe customer id (cus_...)",
                code="invalid_customer",
            )
        # Checkout's setup mode attaches the PaymentMethod only to the customer it is given, and
        # Stripe charges a PaymentMethod off session again only through that Customer
        customer = gateway_customer or self._customer_create(customer_ref, customer_id)
        success = f"{return_url}{'&' if '?' in return_url else '?'}setup={{CHECKOUT_SESSION_ID}}"
        params: dict[str, Any] = {
            "mode": "setup",
            "success_url": success,
            "cancel_url": cancel_url,
            "customer": customer,
            "metadata": {"idempotency_key": idempotency_key},
        }
        if currency:  # the methods offered are those of the customer's currency
            params["currency"] = get_currency(currency).code.lower()
        else:
            params["payment_method_types"] = ["card"]
        if customer_ref:
            params["client_reference_id"] = customer_ref
        try:
            session = self.client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise _setup_error(exc) from exc
        data = session.to_dict()
        return SetupStart(id=str(data["id"]), url=str(data.get("url") or ""))

    def _customer_create(self, customer_ref: str, customer_id: int | None) -> str:
        """A Stripe Customer for our customer (`metadata`: our external id and id), idempotent
        by our customer's id: two setups started at once make one (Stripe replays a key for 24
        hours; after that the caller passes the `cus_...` its saved methods keep)."""
        ours = str(customer_id) if customer_id is not None else customer_ref
        if not ours:
            raise GatewayError("No customer to save a payment method for", code="invalid_customer")
        metadata = {"customer": customer_ref}
        if customer_id is not None:
            metadata["customer_id"] = str(customer_id)
        key = (
            f"billing-customer-{ours}"
            if customer_id is not None
            else f"billing-customer-ref-{ours}"
        )
        try:
            created = self.client.v1.customers.create(
                {"metadata": metadata},
                {"idempotency_key": key},
            )
        except stripe.StripeError as exc:
            raise _setup_error(exc) from exc
        return str(created.to_dict()["id"])

    def setup_result(self, *, setup_id: str) -> SetupResult:
        if not setup_id.startswith("cs_"):
            return SetupResult(SetupState.EXPIRED, reason="unknown_setup")
        try:
            session = self.client.v1.checkout.sessions.retrieve(
                setup_id, {"expand": ["setup_intent.payment_method"]}
            )
        except stripe.InvalidRequestError:
            return SetupResult(SetupState.EXPIRED, reason="unknown_setup")
        except stripe.StripeError as exc:
            raise _setup_error(exc) from exc
        return _setup_result(session.to_dict())

    def status(self, *, idempotency_key: str) -> Result:
        query = f"metadata['idempotency_key']:'{_search_literal(idempotency_key)}'"
        try:
            found = self.client.v1.payment_intents.search({"query": query, "limit": 1})
        except stripe.StripeError as exc:
            return _unknown_or_raise(exc)
        intents = found.to_dict().get("data") or []
        if not intents:
            return Result(
                Outcome.FAILED,
                reason="not_found",
                message="No PaymentIntent carries this idempotency key",
            )
        return _intent_result(intents[0])

    # ------------------------------------------------------------------------------ webhooks
    def verify_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        """The event Stripe signed, as a dict; GatewayError(`invalid_signature`) when the
        signature does not match STRIPE_WEBHOOK_SECRET (or is older than five minutes)."""
        if not self.webhook_secret:
            raise GatewayError("STRIPE_WEBHOOK_SECRET is not set", code="disabled")
        try:
            event = self.client.construct_event(payload, signature_header, self.webhook_secret)
        except stripe.SignatureVerificationError as exc:
            raise GatewayError(str(exc), code="invalid_signature") from exc
        except ValueError as exc:  # signed, but not JSON
            raise GatewayError(str(exc), code="invalid_payload") from exc
        return event.to_dict()

    @staticmethod
    def webhook_results(event: dict[str, Any]) -> list[tuple[str, Result]]:
        """(idempotency key, Result) pairs for the events payments consume, keyed by the
        `metadata["idempotency_key"]` we set on intents and refunds; [] for other events and
        for objects we did not create.

        `payment_intent.succeeded` / `payment_intent.payment_failed`: the intent's outcome under
        the charge's key. `charge.refunded`: each refund listed on the charge (the `refunds` list
        that API versions before 2022-11-15 embed) under its refund key; `refund.updated`,
        `refund.failed` and `charge.refund.updated` carry the refund itself."""
        kind = str(event.get("type") or "")
        obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
        if kind in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            key = _key(obj)
            return [(key, _intent_result(obj))] if key else []
        if kind == "charge.refunded":
            refunds = (obj.get("refunds") or {}).get("data") or []
            return [(_key(r), _refund_result(r)) for r in refunds if _key(r)]
        if kind in ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated"):
            key = _key(obj)
            return [(key, _refund_result(obj))] if key else []
        return []


def _setup_error(exc: stripe.StripeError) -> GatewayError:
    """Setups change no money: any failure is the caller's to show (try again later)."""
    body = _error_body(exc)
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        code = "gateway_unavailable"
    else:
        code = str(body.get("code") or "invalid_request")
    return GatewayError(str(body.get("message") or exc.user_message or exc), code=code)


def _setup_result(session: dict[str, Any]) -> SetupResult:
    status = session.get("status")
    if status == "expired":
        return SetupResult(SetupState.EXPIRED)
    if status != "complete":
        return SetupResult(SetupState.OPEN)
    intent = session.get("setup_intent") or {}
    if not isinstance(intent, dict) or intent.get("status") != "succeeded":
        reason = str(((intent or {}).get("last_setup_error") or {}).get("code") or "setup_failed")
        return SetupResult(SetupState.FAILED, reason=reason)
    method = intent.get("payment_method") or {}
    if not isinstance(method, dict) or not method.get("id"):
        return SetupResult(SetupState.FAILED, reason="no_payment_method")
    card = method.get("card") or {}
    kind = "card" if method.get("type") == "card" else str(method.get("type") or "card")
    if kind not in ("card", "sepa_debit"):
        return SetupResult(SetupState.FAILED, reason="unsupported_payment_method")
    details = method.get("sepa_debit") or {} if kind == "sepa_debit" else card
    customer = session.get("customer") or method.get("customer") or ""
    if isinstance(customer, dict):  # expanded
        customer = customer.get("id") or ""
    return SetupResult(
        SetupState.COMPLETE,
        token=str(method["id"]),
        kind=kind,
        brand=str(card.get("brand") or details.get("bank_code") or "")[:32],
        last4=str(details.get("last4") or ""),
        exp_month=card.get("exp_month") if kind == "card" else None,
        exp_year=card.get("exp_year") if kind == "card" else None,
        holder_name=str((method.get("billing_details") or {}).get("name") or "")[:200],
        gateway_customer=str(customer),
    )


def _key(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("idempotency_key") or "")


def _refund_result(data: dict[str, Any]) -> Result:
    status = data.get("status")
    reference = str(data.get("id") or "")
    if status == "succeeded":
        return Result(Outcome.SUCCEEDED, reference=reference, raw=data)
    if status in ("failed", "canceled"):
        reason = str(data.get("failure_reason") or "refund_failed")
        return Result(Outcome.FAILED, reference=reference, reason=reason, raw=data)
    # pending / requires_action: Stripe tells the outcome later (refund.updated)
    return Result(Outcome.UNKNOWN, reference=reference, reason=str(status or "pending"), raw=data)


def _error_body(exc: stripe.StripeError) -> dict[str, Any]:
    body = exc.json_body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return dict(body["error"])
    return {}


def _unknown_or_raise(exc: stripe.StripeError) -> Result:
    """A call whose outcome is unknown (no answer, a 5xx, rate limited) becomes UNKNOWN; a call
    Stripe refused before trying becomes GatewayError."""
    body = _error_body(exc)
    if isinstance(exc, stripe.APIConnectionError):
        return Result(Outcome.UNKNOWN, reason="timeout", message=str(exc.user_message or ""))
    if isinstance(exc, stripe.RateLimitError):
        return Result(Outcome.UNKNOWN, reason="rate_limited", message=str(exc.user_message or ""))
    if isinstance(exc, stripe.APIError):
        return Result(
            Outcome.UNKNOWN,
            reason="gateway_error",
            message=str(exc.user_message or ""),
            raw=body,
        )
    if isinstance(exc, stripe.IdempotencyError):
        code = "idempotency_conflict"
    elif isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        code = "not_authorized"
    else:
        code = str(body.get("code") or "invalid_request")
    raise GatewayError(str(body.get("message") or exc.user_message or exc), code=code) from exc


def _intent_result(intent: dict[str, Any]) -> Result:
    status = intent.get("status")
    reference = str(intent.get("id") or "")
    if status == "succeeded":
        return Result(Outcome.SUCCEEDED, reference=reference, raw=intent)
    if status in _UNKNOWN_STATUSES:
        return Result(Outcome.UNKNOWN, reference=reference, reason=str(status), raw=intent)
    # requires_payment_method (declined) or canceled
    last_error = intent.get("last_payment_error") or {}
    declined = _decline(last_error) if last_error else _Declined(str(status), "", False)
    return Result(
        Outcome.FAILED,
        reference=reference,
        reason=declined.reason,
        message=declined.message,
        retryable=declined.retryable,
        raw=intent,
    )


def _search_literal(value: str) -> str:
    """A value quoted for Stripe's search language (backslash-escaped quotes)."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


if TYPE_CHECKING:
    _implements: type[Gateway] = StripeGateway  # mypy checks the adapter against the protocol
