"""The manual gateway: bank transfers and cheques that finance staff record.

Nothing is ever taken automatically: `charge` refuses (`manual_only`) — staff record the payment
received instead. `refund` records a refund that staff pay out by hand (a bank transfer back, a
cheque): it succeeds at once with a reference derived from the idempotency key, and the same key
never records it twice. `status` answers from what was recorded. The records live in Redis under a
namespace (`MANUAL_GATEWAY_NAMESPACE`, default "manual"), like the sandbox's; the payment models
keep the lasting record of what was refunded and bound it by what was paid.

`payout` records a payout instruction to a payee whose payout method is a bank account staff pay
by hand (the method's token is the account's reference, e.g. an IBAN or an internal label): like
a refund, it succeeds at once — the instruction is recorded with a reference `po_manual_...` and
finance staff make the transfer — and the same key never records it twice.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import redis
from django.conf import settings

from payments.gateways.base import GatewayError, Outcome, Result, SetupResult, SetupStart
from payments.gateways.sandbox import (
    checked_key,
    checked_money,
    checked_namespace,
    redis_client,
)


class ManualGateway:
    name = "manual"

    def __init__(
        self,
        *,
        namespace: str | None = None,
        redis_url: str | None = None,
        client: redis.Redis | None = None,
    ) -> None:
        self.namespace = checked_namespace(
            namespace or str(getattr(settings, "MANUAL_GATEWAY_NAMESPACE", "manual"))
        )
        self._redis = client or redis_client(redis_url or settings.REDIS_URL)

    def _key(self, idempotency_key: str) -> str:
        return f"{self.namespace}:refund:{idempotency_key}"

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
        raise GatewayError(
            "The manual gateway never charges: record the payment received instead.",
            code="manual_only",
        )

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
        if not isinstance(reference, str) or not reference.strip():
            raise GatewayError("The payment's reference is required.", code="unknown_reference")
        record = {
            "payment_reference": reference,
            "amount": str(amount),
            "amount_minor": units,
            "currency": code,
            "reason": reason,
            "reference": self.refund_reference(key),
            "payout": "by hand",
        }
        try:
            # SET NX: the first call records; a record is never changed, so a replay reads it.
            if not self._redis.set(self._key(key), json.dumps(record), nx=True):
                stored = self._redis.get(self._key(key))
                if stored is None:  # reset() between the two calls
                    raise GatewayError("The refund record vanished; retry.", code="gateway_error")
                recorded = json.loads(str(stored))
                first = (recorded["payment_reference"], recorded["amount_minor"])
                if (*first, recorded["currency"]) != (reference, units, code):
                    raise GatewayError(
                        f"The idempotency key {key!r} was already used for another refund.",
                        code="idempotency_key_reused",
                    )
                record = recorded
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return Result(
                outcome=Outcome.UNKNOWN,
                reason="gateway_unreachable",
                message=f"Redis did not answer: {error}",
            )
        return _result(record)

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
        units, code = checked_money(amount, currency)
        key = checked_key(idempotency_key)
        if not isinstance(token, str) or not token.strip():
            raise GatewayError(
                "The payee's bank account reference is required.", code="invalid_token"
            )
        record = {
            "account": token,
            "amount": str(amount),
            "amount_minor": units,
            "currency": code,
            "description": description,
            "reference": self.payout_reference(key),
            "payout": "by hand",
        }
        name = f"{self.namespace}:payout:{key}"
        try:
            if self._redis.exists(self._key(key)):
                raise GatewayError(
                    f"The idempotency key {key!r} was already used for a refund.",
                    code="idempotency_key_reused",
                )
            if not self._redis.set(name, json.dumps(record), nx=True):
                stored = self._redis.get(name)
                if stored is None:  # reset() between the two calls
                    raise GatewayError("The payout record vanished; retry.", code="gateway_error")
                recorded = json.loads(str(stored))
                if (recorded["account"], recorded["amount_minor"], recorded["currency"]) != (
                    token,
                    units,
                    code,
                ):
                    raise GatewayError(
                        f"The idempotency key {key!r} was already used for another payout.",
                        code="idempotency_key_reused",
                    )
                record = recorded
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return Result(
                outcome=Outcome.UNKNOWN,
                reason="gateway_unreachable",
                message=f"Redis did not answer: {error}",
            )
        return Result(
            outcome=Outcome.SUCCEEDED,
            reference=str(record["reference"]),
            message="Payout recorded; finance staff make the bank transfer.",
            raw={"manual": record},
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
        """Bank transfers have no card form: refused (`setup_unsupported`)."""
        raise GatewayError(
            "The manual gateway saves no payment method: staff record bank transfers.",
            code="setup_unsupported",
        )

    def setup_result(self, *, setup_id: str) -> SetupResult:
        raise GatewayError("The manual gateway saves no payment method.", code="setup_unsupported")

    def status(self, *, idempotency_key: str) -> Result:
        key = checked_key(idempotency_key)
        try:
            payout = self._redis.get(f"{self.namespace}:payout:{key}")
            if payout is not None:
                recorded = json.loads(str(payout))
                return Result(
                    outcome=Outcome.SUCCEEDED,
                    reference=str(recorded["reference"]),
                    message="Payout recorded; finance staff make the bank transfer.",
                    raw={"manual": recorded},
                )
            stored = self._redis.get(self._key(key))
        except (redis.ConnectionError, redis.TimeoutError) as error:
            return Result(
                outcome=Outcome.UNKNOWN,
                reason="gateway_unreachable",
                message=f"Redis did not answer: {error}",
            )
        if stored is None:
            return Result(
                outcome=Outcome.FAILED,
                reason="not_found",
                message="Nothing was recorded with this idempotency key.",
            )
        return _result(json.loads(str(stored)))

    @staticmethod
    def payout_reference(idempotency_key: str) -> str:
        return "po_manual_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    @staticmethod
    def refund_reference(idempotency_key: str) -> str:
        return "re_manual_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    def reset(self) -> int:
        """Forget everything under this namespace (tests, demos); returns the keys deleted."""
        names = [str(n) for n in self._redis.scan_iter(match=f"{self.namespace}:*", count=1000)]
        return int(self._redis.delete(*names)) if names else 0


def _result(record: dict[str, object]) -> Result:
    return Result(
        outcome=Outcome.SUCCEEDED,
        reference=str(record["reference"]),
        message="Refund recorded; finance staff pay it out by hand.",
        raw={"manual": record},
    )
