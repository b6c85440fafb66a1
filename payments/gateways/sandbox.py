"""The sandbox gateway: deterministic by token, for demos, tests and integrators.

Its state lives in Redis (`settings.REDIS_URL`), so every process — web, workers, the benchmark —
sees the same charges, refunds and counts; each call is one Lua script, so two processes racing
with one idempotency key charge once. Keys, under a namespace (`SANDBOX_GATEWAY_NAMESPACE`,
default "sandbox"; tests pass their own and `reset()` it):

    <ns>:charge:<idempotency key>       hash: the charge as recorded (token, amount, outcome...)
    <ns>:refund:<idempotency key>       hash: the refund as recorded
    <ns>:reference:<charge reference>   the idempotency key of the charge with that reference
    <ns>:attempts:<token>:<invoice>     set: the keys charged for a soft-decline token and invoice
    <ns>:payout:<idempotency key>       hash: the payout as recorded (token, amount, outcome...)
    <ns>:payout-attempts:<token>:<ref>  set: the keys sent for a soft-decline token and payout
    <ns>:setup:<setup id>               hash: a card setup (state open → complete) and, once
                                        complete, its token, brand, last four, expiry, holder
                                        (never the card number); expires after an hour
    <ns>:setup-key:<idempotency key>    the setup id started with that key (an hour)
    <ns>:counts                         hash: charges taken ("charges", "charges:<token>"), refunds,
                                        payouts sent ("payouts", "payouts:<token>")

Tokens (the README has the table): `tok_ok`; `tok_declined`; `tok_insufficient_funds`;
`tok_soft_decline_<n>` (declined on attempts 1..n-1, an attempt being a distinct idempotency key
for that token and `metadata["invoice"]`, succeeds on the n-th); `tok_timeout_charged` and
`tok_timeout_not_charged` (the first answer is `unknown`; every later call with that key, and
`status`, answers what really happened); `tok_slow_<seconds>` (succeeds after sleeping, at most
`SLOW_MAX_SECONDS`); `tok_processing_error` (saved fine, every charge fails with
`processing_error`, retryable). Any other token is a `GatewayError("invalid_token")`.

Payouts (`payout`) take the same tokens, as a payee's payout method: `tok_ok` pays;
`tok_declined` fails for good (`payout_declined`: the account refuses it, not retryable);
`tok_insufficient_funds` fails retryably (`insufficient_funds`: the platform's balance was short);
`tok_soft_decline_<n>` fails retryably (`soft_decline`) on attempts 1..n-1 — an attempt being a
distinct idempotency key for that token and `metadata["payout"]` — and pays on the n-th;
`tok_timeout_charged` pays but the first answer is `unknown`, `tok_timeout_not_charged` does
not pay and the first answer is `unknown` (`status` and a replay answer what happened).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import redis
from django.conf import settings

from catalog.money import UnknownCurrencyError, from_minor_units, get_currency, to_minor_units
from payments.gateways.base import (
    GatewayError,
    Outcome,
    Result,
    SetupResult,
    SetupStart,
    SetupState,
)

SLOW_MAX_SECONDS = Decimal(10)
SETUP_TTL_SECONDS = 3600  # a card setup (open or complete) is forgotten after an hour
SOFT_DECLINE_MAX_ATTEMPTS = 100
IDEMPOTENCY_KEY_MAX_LENGTH = 255

_SOFT_DECLINE = re.compile(r"tok_soft_decline_([1-9][0-9]{0,2})")
_SLOW = re.compile(r"tok_slow_([0-9]{1,4}(?:\.[0-9]{1,3})?)")
_NAMESPACE = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
SETUP_ID = re.compile(r"seti_sandbox_[0-9a-f]{24}")


@cache
def redis_client(url: str) -> redis.Redis:
    """One client (one connection pool) per URL and process; redis-py re-opens its
    connections after a fork."""
    return redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2
    )


def checked_namespace(namespace: str) -> str:
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(
            f"Gateway namespace {namespace!r}: 1-100 letters, digits or _ . : - (no glob)"
        )
    return namespace


def checked_key(idempotency_key: str) -> str:
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise GatewayError("An idempotency key is required.", code="invalid_idempotency_key")
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise GatewayError(
            f"An idempotency key has at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters.",
            code="invalid_idempotency_key",
        )
    return idempotency_key


def checked_money(amount: Decimal, currency: str) -> tuple[int, str]:
    """(amount in minor units, ISO code) of a positive amount already rounded to its currency."""
    try:
        code = get_currency(currency).code
    except UnknownCurrencyError:
        raise GatewayError(f"Unknown currency {currency!r}.", code="invalid_currency") from None
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise GatewayError(f"Amount {amount!r} must be a positive Decimal.", code="invalid_amount")
    try:
        units = to_minor_units(amount, code)
    except (ValueError, InvalidOperation):
        raise GatewayError(
            f"Amount {amount} is not rounded to {code}'s minor unit.", code="invalid_amount"
        ) from None
    return units, code


def _pairs(flat: list[Any]) -> dict[str, str]:
    return {str(flat[i]): str(flat[i + 1]) for i in range(0, len(flat), 2)}


def _strs(mapping: Mapping[Any, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()}


def _unreachable(error: Exception) -> Result:
    # The call may or may not have reached Redis (a reply lost): the caller asks `status` later.
    return Result(
        outcome=Outcome.UNKNOWN,
        reason="gateway_unreachable",
        message=f"The sandbox's Redis did not answer: {error}",
    )


@dataclass(frozen=True)
class _Behaviour:
    outcome: Outcome  # what really happens (the "final" outcome)
    reason: str = ""
    retryable: bool = False
    message: str = ""
    first_unknown: bool = False  # the first answer is `unknown` (a timeout)
    soft_decline_after: int = 0  # tok_soft_decline_<n>: n
    sleep_seconds: Decimal = Decimal(0)


_FIXED: dict[str, _Behaviour] = {
    "tok_ok": _Behaviour(Outcome.SUCCEEDED, message="Charged (sandbox)."),
    "tok_declined": _Behaviour(
        Outcome.FAILED, "card_declined", False, "The card was declined (sandbox)."
    ),
    "tok_insufficient_funds": _Behaviour(
        Outcome.FAILED, "insufficient_funds", True, "Insufficient funds (sandbox)."
    ),
    "tok_processing_error": _Behaviour(
        Outcome.FAILED, "processing_error", True, "The card could not be processed (sandbox)."
    ),
    "tok_timeout_charged": _Behaviour(
        Outcome.SUCCEEDED, message="Charged; the first answer timed out.", first_unknown=True
    ),
    "tok_timeout_not_charged": _Behaviour(
        Outcome.FAILED,
        "timeout_not_charged",
        True,
        "The call timed out before the charge was made (sandbox).",
        first_unknown=True,
    ),
}


def behaviour_of(token: str) -> _Behaviour:
    """What the sandbox does with `token`; GatewayError("invalid_token") for any other. A
    suffix after "+" is ignored (`tok_ok+c17` behaves as `tok_ok`): payment methods' tokens are
    unique per gateway, so each customer can hold its own copy of a sandbox card."""
    if isinstance(token, str) and "+" in token:
        token = token.split("+", 1)[0]
    if token in _FIXED:
        return _FIXED[token]
    if isinstance(token, str) and (m := _SOFT_DECLINE.fullmatch(token)):
        n = int(m.group(1))
        if n <= SOFT_DECLINE_MAX_ATTEMPTS:
            return _Behaviour(
                Outcome.SUCCEEDED,
                message=f"Charged on attempt {n} (sandbox).",
                soft_decline_after=n,
            )
    if isinstance(token, str) and (m := _SLOW.fullmatch(token)):
        return _Behaviour(
            Outcome.SUCCEEDED,
            message="Charged, slowly (sandbox).",
            sleep_seconds=min(Decimal(m.group(1)), SLOW_MAX_SECONDS),
        )
    raise GatewayError(f"Unknown sandbox token {token!r}.", code="invalid_token")


# KEYS: charge, refund (same idempotency key), attempts set, counts, reference -> key
# ARGV: token, amount (minor), amount (decimal), currency, invoice, outcome, reason, retryable,
#       first answer, soft decline n, reference, idempotency key
_CHARGE = """
local existing = redis.call('HGETALL', KEYS[1])
if #existing > 0 then return {0, existing} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, {}} end
local outcome, reason, retryable = ARGV[6], ARGV[7], ARGV[8]
local attempt = 1
local n = tonumber(ARGV[10])
if n > 0 then
  redis.call('SADD', KEYS[3], ARGV[12])
  attempt = redis.call('SCARD', KEYS[3])
  if attempt < n then
    outcome, reason, retryable = 'failed', 'soft_decline', '1'
  end
end
local reference = ''
if outcome == 'succeeded' then
  reference = ARGV[11]
  redis.call('SET', KEYS[5], ARGV[12])
  redis.call('HINCRBY', KEYS[4], 'charges', 1)
  redis.call('HINCRBY', KEYS[4], 'charges:' .. ARGV[1], 1)
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'amount_minor', ARGV[2], 'amount', ARGV[3],
  'currency', ARGV[4], 'invoice', ARGV[5], 'outcome', outcome, 'reason', reason,
  'retryable', retryable, 'first', ARGV[9], 'attempt', attempt, 'reference', reference,
  'refunded_minor', 0, 'idempotency_key', ARGV[12])
return {1, redis.call('HGETALL', KEYS[1])}
"""

# KEYS: refund, charge (same idempotency key), the charged charge, counts
# ARGV: reference, amount (minor), amount (decimal), currency, reason, refund reference, key
_REFUND = """
local existing = redis.call('HGETALL', KEYS[1])
if #existing > 0 then return {0, existing} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, {}} end
local charge = redis.call('HMGET', KEYS[3], 'amount_minor', 'refunded_minor', 'currency', 'outcome')
if not charge[1] or charge[4] ~= 'succeeded' then return {-2, {}} end
if charge[3] ~= ARGV[4] then return {-3, {charge[3]}} end
local refundable = tonumber(charge[1]) - tonumber(charge[2])
if tonumber(ARGV[2]) > refundable then return {-4, {tostring(refundable)}} end
redis.call('HINCRBY', KEYS[3], 'refunded_minor', ARGV[2])
redis.call('HINCRBY', KEYS[4], 'refunds', 1)
redis.call('HSET', KEYS[1], 'charge_reference', ARGV[1], 'amount_minor', ARGV[2],
  'amount', ARGV[3], 'currency', ARGV[4], 'reason', ARGV[5], 'outcome', 'succeeded',
  'reference', ARGV[6], 'idempotency_key', ARGV[7])
return {1, redis.call('HGETALL', KEYS[1])}
"""


# KEYS: payout, attempts set, counts, charge (same key), refund (same key)
# ARGV: token, amount (minor), amount (decimal), currency, payout ref, outcome, reason, retryable,
#       first answer, soft decline n, reference, idempotency key
_PAYOUT = """
local existing = redis.call('HGETALL', KEYS[1])
if #existing > 0 then return {0, existing} end
if redis.call('EXISTS', KEYS[4]) == 1 or redis.call('EXISTS', KEYS[5]) == 1 then
  return {-1, {}}
end
local outcome, reason, retryable = ARGV[6], ARGV[7], ARGV[8]
local attempt = 1
local n = tonumber(ARGV[10])
if n > 0 then
  redis.call('SADD', KEYS[2], ARGV[12])
  attempt = redis.call('SCARD', KEYS[2])
  if attempt < n then
    outcome, reason, retryable = 'failed', 'soft_decline', '1'
  end
end
local reference = ''
if outcome == 'succeeded' then
  reference = ARGV[11]
  redis.call('HINCRBY', KEYS[3], 'payouts', 1)
  redis.call('HINCRBY', KEYS[3], 'payouts:' .. ARGV[1], 1)
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'amount_minor', ARGV[2], 'amount', ARGV[3],
  'currency', ARGV[4], 'payout', ARGV[5], 'outcome', outcome, 'reason', reason,
  'retryable', retryable, 'first', ARGV[9], 'attempt', attempt, 'reference', reference,
  'idempotency_key', ARGV[12])
redis.call('HINCRBY', KEYS[3], 'payout_calls', 1)
return {1, redis.call('HGETALL', KEYS[1])}
"""

# KEYS: the setup; ARGV: ttl, then field, value pairs. Only an open setup completes (once).
_SETUP_COMPLETE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'open' then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


def _flat(mapping: Mapping[str, str]) -> list[str]:
    return [item for pair in mapping.items() for item in pair]


# What a payout's failure is called (the tokens are the cards'; a payee's account declines).
_PAYOUT_REASONS = {"card_declined": "payout_declined"}


@dataclass(frozen=True)
class _Prepared:
    """A checked charge: what the Lua script gets, and what its reply is compared with."""

    token: str
    units: int
    code: str
    key: str
    keys: list[str]
    args: list[Any]


class SandboxGateway:
    """Deterministic by token; state in Redis under `namespace` (see the module's docstring)."""

    name = "sandbox"

    def __init__(
        self,
        *,
        namespace: str | None = None,
        redis_url: str | None = None,
        client: redis.Redis | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.namespace = checked_namespace(
            namespace or str(getattr(settings, "SANDBOX_GATEWAY_NAMESPACE", "sandbox"))
        )
        self._redis = client or redis_client(redis_url or settings.REDIS_URL)
        self._sleep = sleep
        self._charge = self._redis.register_script(_CHARGE)
        self._refund = self._redis.register_script(_REFUND)
        self._payout = self._redis.register_script(_PAYOUT)
        self._complete = self._redis.register_script(_SETUP_COMPLETE)

    def _key(self, purpose: str, *parts: str) -> str:
        return ":".join((self.namespace, purpose, *parts))

    # ------------------------------------------------------------------ the Gateway interface
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
        prepared = self._prepare_charge(token, amount, currency, idempotency_key, metadata)
        try:
            created, flat = self._charge(keys=prepared.keys, args=prepared.args)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return _unreachable(error)
        return self._charge_answer(prepared, created, flat)

    def charge_many(self, charges: Sequence[Mapping[str, Any]]) -> list[Result | GatewayError]:
        """Many `charge` calls (each a mapping of `charge`'s keyword arguments) sent in one Redis
        pipeline: the same Lua script per charge, so each answers exactly what `charge` would
        (idempotent per key, two processes racing with one key charge once); one round trip.
        An answer per charge, in order: its Result, or the GatewayError `charge` would raise."""
        answers: list[Result | GatewayError | None] = [None] * len(charges)
        prepared: list[tuple[int, _Prepared]] = []
        for index, c in enumerate(charges):
            try:
                prepared.append(
                    (
                        index,
                        self._prepare_charge(
                            c["token"],
                            c["amount"],
                            c["currency"],
                            c["idempotency_key"],
                            c.get("metadata"),
                        ),
                    )
                )
            except GatewayError as error:
                answers[index] = error
        if prepared:
            pipe = self._redis.pipeline(transaction=False)
            for _, p in prepared:
                self._charge(keys=p.keys, args=p.args, client=pipe)
            try:
                replies = pipe.execute(raise_on_error=False)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                replies = [error] * len(prepared)
            for (index, p), reply in zip(prepared, replies, strict=True):
                if isinstance(reply, redis.ConnectionError | redis.TimeoutError):
                    answers[index] = _unreachable(reply)
                    continue
                if isinstance(reply, Exception):
                    raise reply
                try:
                    answers[index] = self._charge_answer(p, *reply)
                except GatewayError as error:
                    answers[index] = error
        return [a for a in answers if a is not None]

    def _prepare_charge(
        self,
        token: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str] | None,
    ) -> _Prepared:
        """Checks (GatewayError on a bad token, amount, currency or key), the slow tokens'
        sleep, and the Lua script's keys and arguments."""
        behaviour = behaviour_of(token)
        units, code = checked_money(amount, currency)
        key = checked_key(idempotency_key)
        invoice = str((metadata or {}).get("invoice", ""))
        if behaviour.sleep_seconds:
            self._sleep(float(behaviour.sleep_seconds))
        return _Prepared(
            token=token,
            units=units,
            code=code,
            key=key,
            keys=[
                self._key("charge", key),
                self._key("refund", key),
                self._key("attempts", token, invoice),
                self._key("counts"),
                self._key("reference", self.charge_reference(key)),
            ],
            args=[
                token,
                units,
                str(amount),
                code,
                invoice,
                behaviour.outcome.value,
                behaviour.reason,
                "1" if behaviour.retryable else "0",
                "unknown" if behaviour.first_unknown else "",
                behaviour.soft_decline_after,
                self.charge_reference(key),
                key,
            ],
        )

    @staticmethod
    def _charge_answer(p: _Prepared, created: int, flat: list[Any]) -> Result:
        """What the script's reply means for the caller (GatewayError on a reused key)."""
        key = p.key
        if created == -1:
            raise _reused(key, "a refund")
        record = _pairs(flat)
        same = (record["token"], int(record["amount_minor"]), record["currency"])
        if same != (p.token, p.units, p.code):
            raise _reused(key, "another charge")
        if created == 1 and record["first"] == "unknown":
            return Result(
                outcome=Outcome.UNKNOWN,
                reason="timeout",
                message="The sandbox timed out; ask `status` with the same key.",
                raw={"sandbox": {"answer": "timeout", "idempotency_key": key}},
            )
        return _charge_result(record)

    def refund(
        self,
        *,
        reference: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Result:
        units, code = checked_money(amount, currency)
        key = checked_key(idempotency_key)
        try:
            charge_key = self._redis.get(self._key("reference", reference)) if reference else None
            if charge_key is None:
                # A replay of a recorded refund still answers; anything else has nothing to refund.
                charge_key = ""
            created, flat = self._refund(
                keys=[
                    self._key("refund", key),
                    self._key("charge", key),
                    self._key("charge", str(charge_key)),
                    self._key("counts"),
                ],
                args=[reference, units, str(amount), code, reason, self.refund_reference(key), key],
            )
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return _unreachable(error)
        if created == -1:
            raise _reused(key, "a charge")
        if created == -2:
            raise GatewayError(
                f"No sandbox charge has the reference {reference!r}.", code="unknown_reference"
            )
        if created == -3:
            raise GatewayError(
                f"The charge {reference} is in {flat[0]}, not {code}.", code="currency_mismatch"
            )
        if created == -4:
            left = from_minor_units(int(flat[0]), code)
            raise GatewayError(
                f"Refund of {amount} {code} exceeds what is left to refund of {reference}: "
                f"{left} {code}.",
                code="refund_exceeds_charge",
            )
        record = _pairs(flat)
        same = (record["charge_reference"], int(record["amount_minor"]), record["currency"])
        if same != (reference, units, code):
            raise _reused(key, "another refund")
        return _refund_result(record)

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
        """Send `amount` to a payee's sandbox token (see the module's note); the same key never
        pays twice, and a replay answers what the first call did."""
        behaviour = behaviour_of(token)
        units, code = checked_money(amount, currency)
        key = checked_key(idempotency_key)
        ref = str((metadata or {}).get("payout", ""))
        if behaviour.sleep_seconds:
            self._sleep(float(behaviour.sleep_seconds))
        reason = _PAYOUT_REASONS.get(behaviour.reason, behaviour.reason)
        try:
            created, flat = self._payout(
                keys=[
                    self._key("payout", key),
                    self._key("payout-attempts", token, ref),
                    self._key("counts"),
                    self._key("charge", key),
                    self._key("refund", key),
                ],
                args=[
                    token, units, str(amount), code, ref, behaviour.outcome.value, reason,
                    "1" if behaviour.retryable else "0",
                    "unknown" if behaviour.first_unknown else "",
                    behaviour.soft_decline_after, self.payout_reference(key), key,
                ],
            )  # fmt: skip
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return _unreachable(error)
        if created == -1:
            raise _reused(key, "a charge or a refund")
        record = _pairs(flat)
        if (record["token"], int(record["amount_minor"]), record["currency"]) != (
            token,
            units,
            code,
        ):
            raise _reused(key, "another payout")
        if created == 1 and record["first"] == "unknown":
            return Result(
                outcome=Outcome.UNKNOWN,
                reason="timeout",
                message="The sandbox timed out; ask `status` with the same key.",
                raw={"sandbox": {"answer": "timeout", "idempotency_key": key}},
            )
        return _payout_result(record)

    def status(self, *, idempotency_key: str) -> Result:
        key = checked_key(idempotency_key)
        try:
            charge = _strs(self._redis.hgetall(self._key("charge", key)))
            refund = {} if charge else _strs(self._redis.hgetall(self._key("refund", key)))
            payout = (
                {} if charge or refund else _strs(self._redis.hgetall(self._key("payout", key)))
            )
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return _unreachable(error)
        if charge:
            return _charge_result(charge)
        if refund:
            return _refund_result(refund)
        if payout:
            return _payout_result(payout)
        return Result(
            outcome=Outcome.FAILED,
            reason="not_found",
            message="No call with this idempotency key reached the sandbox.",
        )

    # ------------------------------------------------------------------ saving a card
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
        """A setup on the sandbox's own card form (/gateways/sandbox/setup/<id>/, served by this
        project while the sandbox is enabled). The same key answers the same setup for an hour."""
        from django.urls import reverse

        key = checked_key(idempotency_key)
        setup_id = "seti_sandbox_" + secrets.token_hex(12)
        by_key = self._key("setup-key", key)
        if not self._redis.set(by_key, setup_id, nx=True, ex=SETUP_TTL_SECONDS):
            setup_id = str(self._redis.get(by_key) or "")
            if not setup_id:
                raise GatewayError("The setup just expired: start again.", code="setup_expired")
        else:
            record = {"state": SetupState.OPEN.value, "customer_ref": customer_ref,
                      "return_url": return_url, "cancel_url": cancel_url}  # fmt: skip
            pipe = self._redis.pipeline()
            pipe.hset(self._key("setup", setup_id), mapping=record)  # type: ignore[arg-type]
            pipe.expire(self._key("setup", setup_id), SETUP_TTL_SECONDS)
            pipe.execute()
        return SetupStart(id=setup_id, url=reverse("sandbox_setup", args=[setup_id]))

    def setup_record(self, setup_id: str) -> dict[str, str]:
        """The setup as kept ({} when unknown or expired)."""
        if not isinstance(setup_id, str) or not SETUP_ID.fullmatch(setup_id):
            return {}
        return _strs(self._redis.hgetall(self._key("setup", setup_id)))

    def setup_complete(self, setup_id: str, result: SetupResult) -> bool:
        """The sandbox's form saved a card (its token and display fields, never its number):
        the setup becomes complete, once (False when it is not open any more)."""
        name = self._key("setup", setup_id)
        fields = {
            "state": result.state.value, "token": result.token, "kind": result.kind,
            "brand": result.brand, "last4": result.last4,
            "exp_month": str(result.exp_month or ""), "exp_year": str(result.exp_year or ""),
            "holder_name": result.holder_name, "reason": result.reason,
        }  # fmt: skip
        done = self._complete(keys=[name], args=[SETUP_TTL_SECONDS, *_flat(fields)])
        return bool(done)

    def setup_result(self, *, setup_id: str) -> SetupResult:
        record = self.setup_record(setup_id)
        if not record:
            return SetupResult(SetupState.EXPIRED)
        state = SetupState(record["state"])
        if state is not SetupState.COMPLETE:
            return SetupResult(state, reason=record.get("reason", ""))
        return SetupResult(
            state,
            token=record["token"],
            kind=record["kind"],
            brand=record["brand"],
            last4=record["last4"],
            exp_month=int(record["exp_month"]) if record["exp_month"] else None,
            exp_year=int(record["exp_year"]) if record["exp_year"] else None,
            holder_name=record["holder_name"],
        )

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def charge_reference(idempotency_key: str) -> str:
        """The reference a successful charge with this key gets (deterministic)."""
        return "ch_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    @staticmethod
    def refund_reference(idempotency_key: str) -> str:
        return "re_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    @staticmethod
    def payout_reference(idempotency_key: str) -> str:
        return "po_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    def payout_count(self, token: str | None = None) -> int:
        """Payouts that paid (each idempotency key at most once), of `token` or all."""
        field = "payouts" if token is None else f"payouts:{token}"
        return int(self._redis.hget(self._key("counts"), field) or 0)

    def payout_calls(self) -> int:
        """Distinct payout idempotency keys the sandbox has seen (any outcome)."""
        return int(self._redis.hget(self._key("counts"), "payout_calls") or 0)

    def charge_count(self, token: str | None = None) -> int:
        """Charges that took money (each idempotency key at most once), of `token` or all."""
        field = "charges" if token is None else f"charges:{token}"
        return int(self._redis.hget(self._key("counts"), field) or 0)

    def refund_count(self) -> int:
        return int(self._redis.hget(self._key("counts"), "refunds") or 0)

    def reset(self) -> int:
        """Forget everything under this namespace (tests, demos); returns the keys deleted."""
        deleted = 0
        batch: list[str] = []
        for name in self._redis.scan_iter(match=f"{self.namespace}:*", count=1000):
            batch.append(str(name))
            if len(batch) == 1000:
                deleted += int(self._redis.delete(*batch))
                batch = []
        if batch:
            deleted += int(self._redis.delete(*batch))
        return deleted


def _charge_result(record: Mapping[str, str]) -> Result:
    outcome = Outcome(record["outcome"])
    if outcome is Outcome.FAILED and record["reason"] == "soft_decline":
        message = f"Soft decline on attempt {record['attempt']} (sandbox)."
    else:
        message = behaviour_of(record["token"]).message
    return Result(
        outcome=outcome,
        reference=record["reference"],
        reason=record["reason"],
        message=message,
        retryable=record["retryable"] == "1",
        raw={"sandbox": dict(record)},
    )


def _refund_result(record: Mapping[str, str]) -> Result:
    return Result(
        outcome=Outcome(record["outcome"]),
        reference=record["reference"],
        message="Refunded (sandbox).",
        raw={"sandbox": dict(record)},
    )


def _payout_result(record: Mapping[str, str]) -> Result:
    outcome = Outcome(record["outcome"])
    if outcome is Outcome.SUCCEEDED:
        message = "Paid out (sandbox)."
    elif record["reason"] == "soft_decline":
        message = f"Payout soft-declined on attempt {record['attempt']} (sandbox)."
    else:
        message = f"Payout failed: {record['reason']} (sandbox)."
    return Result(
        outcome=outcome,
        reference=record["reference"],
        reason=record["reason"],
        message=message,
        retryable=record["retryable"] == "1",
        raw={"sandbox": dict(record)},
    )


def _reused(key: str, other: str) -> GatewayError:
    return GatewayError(
        f"The idempotency key {key!r} was already used for {other}: a new call needs a new key.",
        code="idempotency_key_reused",
    )
