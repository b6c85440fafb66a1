"""The sandbox and manual gateways against the real Redis (settings.REDIS_URL), each test under its
own namespace; and the registry."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from payments.gateways.base import GatewayError, Outcome, Result
from payments.gateways.manual import ManualGateway
from payments.gateways.registry import gateway
from payments.gateways.sandbox import SandboxGateway

USD = "USD"


def new_namespace() -> str:
    return f"test-gw-{uuid.uuid4().hex}"


@pytest.fixture
def sandbox() -> Iterator[SandboxGateway]:
    gw = SandboxGateway(namespace=new_namespace())
    yield gw
    gw.reset()


@pytest.fixture
def manual() -> Iterator[ManualGateway]:
    gw = ManualGateway(namespace=new_namespace())
    yield gw
    gw.reset()


def charge(
    gw: SandboxGateway,
    token: str,
    key: str,
    amount: str = "100.00",
    *,
    invoice: str = "inv-1",
    currency: str = USD,
) -> Result:
    return gw.charge(
        token=token,
        amount=Decimal(amount),
        currency=currency,
        idempotency_key=key,
        metadata={"invoice": invoice},
    )


def race(n: int, call: Callable[[], Any]) -> list[Any]:
    """`call` from n threads released at once; each thread's result or exception."""
    barrier = threading.Barrier(n)

    def run() -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as error:  # collected for the assertions
            return error

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: run(), range(n)))


# ---------------------------------------------------------------------------- each token


def test_tok_ok_succeeds_with_a_reference_and_is_counted(sandbox: SandboxGateway) -> None:
    result = charge(sandbox, "tok_ok", "k1")
    assert result.outcome is Outcome.SUCCEEDED
    assert result.reference == SandboxGateway.charge_reference("k1")
    assert result.reference.startswith("ch_sandbox_")
    assert result.raw["sandbox"]["amount"] == "100.00"
    assert sandbox.charge_count() == 1
    assert sandbox.charge_count("tok_ok") == 1
    assert sandbox.charge_count("tok_declined") == 0
    assert sandbox.status(idempotency_key="k1") == result


@pytest.mark.parametrize(
    ("token", "reason", "retryable"),
    [
        ("tok_declined", "card_declined", False),
        ("tok_insufficient_funds", "insufficient_funds", True),
    ],
)
def test_failures_take_nothing(
    sandbox: SandboxGateway, token: str, reason: str, retryable: bool
) -> None:
    result = charge(sandbox, token, "k1")
    assert (result.outcome, result.reason, result.retryable) == (Outcome.FAILED, reason, retryable)
    assert result.reference == ""
    assert sandbox.charge_count() == 0
    # The same key answers the same, and status agrees.
    assert charge(sandbox, token, "k1") == result
    assert sandbox.status(idempotency_key="k1") == result
    with pytest.raises(GatewayError) as refused:
        sandbox.refund(
            reference=SandboxGateway.charge_reference("k1"),
            amount=Decimal("1.00"),
            currency=USD,
            idempotency_key="r1",
        )
    assert refused.value.code == "unknown_reference"


def test_soft_decline_succeeds_on_the_nth_distinct_key_per_invoice(
    sandbox: SandboxGateway,
) -> None:
    token = "tok_soft_decline_3"
    first = charge(sandbox, token, "inv-1/1")
    assert (first.outcome, first.reason, first.retryable) == (Outcome.FAILED, "soft_decline", True)
    assert first.raw["sandbox"]["attempt"] == "1"
    # Retrying attempt 1 with its own key is not a new attempt.
    assert charge(sandbox, token, "inv-1/1") == first
    second = charge(sandbox, token, "inv-1/2")
    assert (second.outcome, second.reason) == (Outcome.FAILED, "soft_decline")
    # Another invoice counts its own attempts.
    assert charge(sandbox, token, "inv-2/1", invoice="inv-2").outcome is Outcome.FAILED
    assert sandbox.charge_count() == 0
    third = charge(sandbox, token, "inv-1/3")
    assert third.outcome is Outcome.SUCCEEDED
    assert third.raw["sandbox"]["attempt"] == "3"
    assert charge(sandbox, token, "inv-1/4").outcome is Outcome.SUCCEEDED
    assert sandbox.charge_count(token) == 2
    assert sandbox.status(idempotency_key="inv-1/2").reason == "soft_decline"


def test_soft_decline_1_succeeds_at_once(sandbox: SandboxGateway) -> None:
    assert charge(sandbox, "tok_soft_decline_1", "k").outcome is Outcome.SUCCEEDED


def test_timeout_that_charged_then_a_retry_charges_once(sandbox: SandboxGateway) -> None:
    first = charge(sandbox, "tok_timeout_charged", "inv-9/1")
    assert (first.outcome, first.reason, first.reference) == (Outcome.UNKNOWN, "timeout", "")
    assert sandbox.charge_count() == 1  # the money was taken nonetheless
    status = sandbox.status(idempotency_key="inv-9/1")
    assert status.outcome is Outcome.SUCCEEDED
    assert status.reference == SandboxGateway.charge_reference("inv-9/1")
    retried = charge(sandbox, "tok_timeout_charged", "inv-9/1")
    assert retried.outcome is Outcome.SUCCEEDED
    assert retried.reference == status.reference
    assert sandbox.charge_count() == 1
    assert sandbox.charge_count("tok_timeout_charged") == 1


def test_timeout_that_did_not_charge(sandbox: SandboxGateway) -> None:
    first = charge(sandbox, "tok_timeout_not_charged", "k")
    assert (first.outcome, first.reason) == (Outcome.UNKNOWN, "timeout")
    status = sandbox.status(idempotency_key="k")
    assert (status.outcome, status.reason, status.retryable) == (
        Outcome.FAILED,
        "timeout_not_charged",
        True,
    )
    assert charge(sandbox, "tok_timeout_not_charged", "k") == status
    assert sandbox.charge_count() == 0


def test_slow_token_sleeps_then_succeeds_capped_at_ten_seconds() -> None:
    slept: list[float] = []
    gw = SandboxGateway(namespace=new_namespace(), sleep=slept.append)
    try:
        assert charge(gw, "tok_slow_2", "a").outcome is Outcome.SUCCEEDED
        assert charge(gw, "tok_slow_0.5", "b").outcome is Outcome.SUCCEEDED
        assert charge(gw, "tok_slow_3600", "c").outcome is Outcome.SUCCEEDED
        assert slept == [2.0, 0.5, 10.0]
        assert gw.charge_count() == 3
    finally:
        gw.reset()


@pytest.mark.parametrize(
    "token",
    [
        "tok_nope",
        "",
        "tok_OK",
        "tok_soft_decline_0",
        "tok_soft_decline_101",
        "tok_soft_decline_x",
        "tok_slow_",
        "tok_slow_-1",
        "tok_slow_1e3",
        "4242424242424242",
    ],
)
def test_unknown_tokens_are_refused_and_nothing_is_recorded(
    sandbox: SandboxGateway, token: str
) -> None:
    with pytest.raises(GatewayError) as refused:
        charge(sandbox, token, "k")
    assert refused.value.code == "invalid_token"
    assert sandbox.status(idempotency_key="k").reason == "not_found"


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (Decimal("0.00"), USD, "invalid_amount"),
        (Decimal("-1.00"), USD, "invalid_amount"),
        (Decimal("10.005"), USD, "invalid_amount"),
        (Decimal("1.5"), "JPY", "invalid_amount"),
        (Decimal("NaN"), USD, "invalid_amount"),
        (10.0, USD, "invalid_amount"),
        (Decimal("1.00"), "ZZZ", "invalid_currency"),
    ],
)
def test_bad_amounts_and_currencies_are_refused(
    sandbox: SandboxGateway, amount: Any, currency: str, code: str
) -> None:
    with pytest.raises(GatewayError) as refused:
        sandbox.charge(token="tok_ok", amount=amount, currency=currency, idempotency_key="k")
    assert refused.value.code == code
    assert sandbox.charge_count() == 0


def test_minor_units_follow_the_currency(sandbox: SandboxGateway) -> None:
    assert charge(sandbox, "tok_ok", "jpy", "1500", currency="jpy").outcome is Outcome.SUCCEEDED
    assert sandbox.status(idempotency_key="jpy").raw["sandbox"]["amount_minor"] == "1500"
    assert charge(sandbox, "tok_ok", "kwd", "1.234", currency="KWD").outcome is Outcome.SUCCEEDED
    assert sandbox.status(idempotency_key="kwd").raw["sandbox"]["currency"] == "KWD"


def test_a_missing_idempotency_key_is_refused(sandbox: SandboxGateway) -> None:
    for key in ("", "   ", "k" * 256):
        with pytest.raises(GatewayError) as refused:
            charge(sandbox, "tok_ok", key)
        assert refused.value.code == "invalid_idempotency_key"


# ---------------------------------------------------------------------------- idempotency


def test_the_same_key_twice_charges_once(sandbox: SandboxGateway) -> None:
    first = charge(sandbox, "tok_ok", "k")
    assert charge(sandbox, "tok_ok", "k") == first
    assert sandbox.charge_count() == 1


def test_a_key_reused_for_another_charge_or_a_refund_is_refused(sandbox: SandboxGateway) -> None:
    charge(sandbox, "tok_ok", "k")
    for token, amount in (("tok_ok", "100.01"), ("tok_declined", "100.00")):
        with pytest.raises(GatewayError) as refused:
            charge(sandbox, token, "k", amount)
        assert refused.value.code == "idempotency_key_reused"
    with pytest.raises(GatewayError) as refused:
        sandbox.refund(
            reference=SandboxGateway.charge_reference("k"),
            amount=Decimal("1.00"),
            currency=USD,
            idempotency_key="k",
        )
    assert refused.value.code == "idempotency_key_reused"
    assert sandbox.charge_count() == 1
    assert sandbox.refund_count() == 0


@pytest.mark.parametrize("token", ["tok_ok", "tok_timeout_charged", "tok_soft_decline_1"])
def test_eight_threads_racing_with_one_key_charge_once(sandbox: SandboxGateway, token: str) -> None:
    results = race(8, lambda: charge(sandbox, token, "inv-1/1"))
    assert all(isinstance(r, Result) for r in results), results
    assert sandbox.charge_count() == 1
    final = sandbox.status(idempotency_key="inv-1/1")
    assert final.outcome is Outcome.SUCCEEDED
    # Exactly one caller saw the first answer (a timeout for tok_timeout_charged).
    first_answers = [r for r in results if r.outcome is Outcome.UNKNOWN]
    assert len(first_answers) == (1 if token == "tok_timeout_charged" else 0)
    assert {r.reference for r in results if r.outcome is Outcome.SUCCEEDED} == {final.reference}


def _charge_in_another_process(namespace: str, redis_url: str, key: str) -> str:
    gw = SandboxGateway(namespace=namespace, redis_url=redis_url)
    return gw.charge(
        token="tok_ok", amount=Decimal("5.00"), currency=USD, idempotency_key=key
    ).reference


def test_processes_racing_with_one_key_charge_once(sandbox: SandboxGateway) -> None:
    context = multiprocessing.get_context("spawn")
    keys = ["same"] * 6 + ["other-1", "other-2"]
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        references = list(
            pool.map(
                _charge_in_another_process,
                [sandbox.namespace] * len(keys),
                [settings.REDIS_URL] * len(keys),
                keys,
            )
        )
    assert len(set(references)) == 3
    assert sandbox.charge_count() == 3


def test_two_instances_share_the_state(sandbox: SandboxGateway) -> None:
    other = SandboxGateway(
        namespace=sandbox.namespace,
        client=redis.Redis.from_url(settings.REDIS_URL, decode_responses=True),
    )
    assert charge(sandbox, "tok_timeout_charged", "k").outcome is Outcome.UNKNOWN
    seen = other.status(idempotency_key="k")
    assert seen.outcome is Outcome.SUCCEEDED
    assert charge(other, "tok_timeout_charged", "k") == seen
    assert charge(other, "tok_soft_decline_2", "s1").outcome is Outcome.FAILED
    assert charge(sandbox, "tok_soft_decline_2", "s2").outcome is Outcome.SUCCEEDED
    other.refund(
        reference=seen.reference, amount=Decimal("100.00"), currency=USD, idempotency_key="r"
    )
    with pytest.raises(GatewayError, match="exceeds"):
        sandbox.refund(
            reference=seen.reference, amount=Decimal("0.01"), currency=USD, idempotency_key="r2"
        )
    assert sandbox.charge_count() == other.charge_count() == 2
    assert sandbox.refund_count() == other.refund_count() == 1


def test_reset_forgets_only_its_namespace(sandbox: SandboxGateway) -> None:
    neighbour = SandboxGateway(namespace=new_namespace())
    try:
        charge(sandbox, "tok_ok", "k")
        charge(neighbour, "tok_ok", "k")
        assert sandbox.reset() > 0
        assert sandbox.charge_count() == 0
        assert sandbox.status(idempotency_key="k").reason == "not_found"
        assert neighbour.charge_count() == 1
    finally:
        neighbour.reset()


def test_an_unreachable_redis_is_an_unknown_answer() -> None:
    gw = SandboxGateway(namespace=new_namespace(), redis_url="redis://127.0.0.1:1/0")
    assert charge(gw, "tok_ok", "k").outcome is Outcome.UNKNOWN
    assert gw.status(idempotency_key="k").reason == "gateway_unreachable"


def test_status_of_a_key_never_seen(sandbox: SandboxGateway) -> None:
    result = sandbox.status(idempotency_key="never")
    assert (result.outcome, result.reason) == (Outcome.FAILED, "not_found")


# ---------------------------------------------------------------------------- refunds


def refund(
    gw: SandboxGateway, reference: str, amount: str, key: str, currency: str = USD
) -> Result:
    return gw.refund(
        reference=reference, amount=Decimal(amount), currency=currency, idempotency_key=key
    )


def test_refunds_are_bounded_by_what_is_left_and_idempotent(sandbox: SandboxGateway) -> None:
    ref = charge(sandbox, "tok_ok", "c").reference
    first = refund(sandbox, ref, "60.00", "r1")
    assert first.outcome is Outcome.SUCCEEDED
    assert first.reference == SandboxGateway.refund_reference("r1")
    assert refund(sandbox, ref, "60.00", "r1") == first  # a replay refunds nothing more
    with pytest.raises(GatewayError) as refused:
        refund(sandbox, ref, "40.01", "r2")
    assert refused.value.code == "refund_exceeds_charge"
    assert "40.00 USD" in refused.value.message
    assert refund(sandbox, ref, "40.00", "r2").outcome is Outcome.SUCCEEDED
    with pytest.raises(GatewayError, match="exceeds"):
        refund(sandbox, ref, "0.01", "r3")
    with pytest.raises(GatewayError) as reused:
        refund(sandbox, ref, "10.00", "r1")
    assert reused.value.code == "idempotency_key_reused"
    assert sandbox.status(idempotency_key="r2").reference == SandboxGateway.refund_reference("r2")
    assert sandbox.status(idempotency_key="r3").reason == "not_found"  # refused: not recorded
    assert sandbox.refund_count() == 2
    assert sandbox.charge_count() == 1


def test_refund_refusals(sandbox: SandboxGateway) -> None:
    ref = charge(sandbox, "tok_ok", "c").reference
    cases = [
        ("ch_sandbox_nope", "1.00", USD, "unknown_reference"),
        ("", "1.00", USD, "unknown_reference"),
        (ref, "1.00", "EUR", "currency_mismatch"),
        (ref, "0.00", USD, "invalid_amount"),
        (ref, "100.01", USD, "refund_exceeds_charge"),
    ]
    for reference, amount, currency, code in cases:
        with pytest.raises(GatewayError) as refused:
            refund(sandbox, reference, amount, f"r-{code}", currency)
        assert refused.value.code == code
    assert sandbox.refund_count() == 0


def test_eight_threads_refunding_never_exceed_the_charge(sandbox: SandboxGateway) -> None:
    ref = charge(sandbox, "tok_ok", "c").reference
    keys = iter(range(8))
    lock = threading.Lock()

    def one() -> Result:
        with lock:
            key = f"r{next(keys)}"
        return refund(sandbox, ref, "30.00", key)

    results = race(8, one)
    assert sum(isinstance(r, Result) for r in results) == 3
    assert all(isinstance(r, Result) or r.code == "refund_exceeds_charge" for r in results), results
    assert sandbox.refund_count() == 3


def test_a_timeout_that_charged_can_be_refunded_by_its_reference(
    sandbox: SandboxGateway,
) -> None:
    charge(sandbox, "tok_timeout_charged", "c")
    ref = sandbox.status(idempotency_key="c").reference
    assert refund(sandbox, ref, "100.00", "r").outcome is Outcome.SUCCEEDED


# ---------------------------------------------------------------------------- the property

TOKENS = [
    "tok_ok",
    "tok_declined",
    "tok_insufficient_funds",
    "tok_timeout_charged",
    "tok_timeout_not_charged",
    "tok_soft_decline_2",
]


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(TOKENS)), max_size=25))
def test_charge_count_is_the_number_of_distinct_keys_that_succeeded(
    calls: list[tuple[int, str]],
) -> None:
    gw = SandboxGateway(namespace=new_namespace())
    try:
        token_of: dict[str, str] = {}
        soft_attempts = 0
        expected_success: set[str] = set()
        for index, token in calls:
            key = f"key-{index}"
            if token_of.setdefault(key, token) != token:
                with pytest.raises(GatewayError):
                    charge(gw, token, key)
                continue
            result = charge(gw, token, key)
            if result.outcome is not Outcome.UNKNOWN:
                assert result == gw.status(idempotency_key=key)
        for key, token in token_of.items():
            if token == "tok_soft_decline_2":
                soft_attempts += 1
            if token in ("tok_ok", "tok_timeout_charged") or (
                token == "tok_soft_decline_2" and soft_attempts >= 2
            ):
                expected_success.add(key)
        succeeded = {
            key for key in token_of if gw.status(idempotency_key=key).outcome is Outcome.SUCCEEDED
        }
        assert succeeded == expected_success
        assert gw.charge_count() == len(succeeded)
    finally:
        gw.reset()


# ---------------------------------------------------------------------------- manual gateway


def test_manual_never_charges(manual: ManualGateway) -> None:
    with pytest.raises(GatewayError) as refused:
        manual.charge(token="x", amount=Decimal("10.00"), currency=USD, idempotency_key="k")
    assert refused.value.code == "manual_only"
    assert manual.status(idempotency_key="k").reason == "not_found"


def test_manual_refund_is_recorded_once(manual: ManualGateway) -> None:
    def call(amount: str = "25.00") -> Result:
        return manual.refund(
            reference="BANK-2026-0042",
            amount=Decimal(amount),
            currency="eur",
            idempotency_key="refund-1",
            reason="overpaid",
        )

    results = race(8, call)
    assert all(r == results[0] for r in results)
    first = results[0]
    assert first.outcome is Outcome.SUCCEEDED
    assert first.reference == ManualGateway.refund_reference("refund-1")
    assert first.raw["manual"]["currency"] == "EUR"
    assert manual.status(idempotency_key="refund-1") == first
    # The reference comes from the key alone: the same in another namespace.
    other = ManualGateway(namespace=new_namespace())
    try:
        again = other.refund(
            reference="X", amount=Decimal("1.00"), currency=USD, idempotency_key="refund-1"
        )
        assert again.reference == first.reference
    finally:
        other.reset()
    with pytest.raises(GatewayError) as reused:
        call("26.00")
    assert reused.value.code == "idempotency_key_reused"


def test_manual_refund_refusals(manual: ManualGateway) -> None:
    for reference, amount, code in [
        ("", "1.00", "unknown_reference"),
        ("BANK-1", "0", "invalid_amount"),
        ("BANK-1", "1.001", "invalid_amount"),
    ]:
        with pytest.raises(GatewayError) as refused:
            manual.refund(
                reference=reference, amount=Decimal(amount), currency=USD, idempotency_key="k"
            )
        assert refused.value.code == code
    assert manual.status(idempotency_key="k").reason == "not_found"


# ---------------------------------------------------------------------------- registry


def test_registry() -> None:
    assert isinstance(gateway("sandbox"), SandboxGateway)
    assert gateway("sandbox").namespace == "sandbox"
    assert isinstance(gateway("manual"), ManualGateway)
    with pytest.raises(GatewayError) as unknown:
        gateway("paypal")
    assert unknown.value.code == "unknown_gateway"


def test_registry_stripe_without_a_key_is_disabled() -> None:
    pytest.importorskip("payments.gateways.stripe_gateway")
    with override_settings(STRIPE_API_KEY=""), pytest.raises(GatewayError) as disabled:
        gateway("stripe")
    assert disabled.value.code == "disabled"


def test_the_sandbox_is_off_where_it_is_not_enabled() -> None:
    """It "pays" without taking money: in production (no DEBUG) it is off unless listed."""
    with (
        override_settings(PAYMENT_GATEWAYS=["manual", "stripe"]),
        pytest.raises(GatewayError) as off,
    ):
        gateway("sandbox")
    assert off.value.code == "disabled"
    with override_settings(PAYMENT_GATEWAYS=["manual"]):
        assert isinstance(gateway("manual"), ManualGateway)


# ------------------------------------------------------------------------------ payouts (issue 13)


def payout(gw: Any, token: str, key: str, amount: str = "40.00", ref: str = "po-1") -> Result:
    return gw.payout(  # type: ignore[no-any-return]
        token=token, amount=Decimal(amount), currency=USD, idempotency_key=key,
        metadata={"payout": ref},
    )  # fmt: skip


def test_sandbox_payouts_are_deterministic_by_token(sandbox: SandboxGateway) -> None:
    ok = payout(sandbox, "tok_ok", "p-1")
    assert (ok.outcome, ok.reference) == (Outcome.SUCCEEDED, sandbox.payout_reference("p-1"))
    declined = payout(sandbox, "tok_declined", "p-2")
    assert (declined.outcome, declined.reason, declined.retryable) == (
        Outcome.FAILED, "payout_declined", False,
    )  # fmt: skip
    short = payout(sandbox, "tok_insufficient_funds", "p-3")
    assert (short.outcome, short.retryable) == (Outcome.FAILED, True)
    first = payout(sandbox, "tok_soft_decline_2", "p-4a", ref="po-4")
    second = payout(sandbox, "tok_soft_decline_2", "p-4b", ref="po-4")
    assert (first.outcome, first.reason, second.outcome) == (
        Outcome.FAILED, "soft_decline", Outcome.SUCCEEDED,
    )  # fmt: skip
    timeout = payout(sandbox, "tok_timeout_charged", "p-5")
    assert timeout.outcome is Outcome.UNKNOWN
    assert sandbox.status(idempotency_key="p-5").outcome is Outcome.SUCCEEDED
    lost = payout(sandbox, "tok_timeout_not_charged", "p-6")
    assert lost.outcome is Outcome.UNKNOWN
    assert sandbox.status(idempotency_key="p-6").outcome is Outcome.FAILED
    assert sandbox.status(idempotency_key="p-never").reason == "not_found"
    assert sandbox.payout_count() == 3  # p-1, p-4b, p-5
    assert sandbox.payout_count("tok_ok") == 1


def test_a_sandbox_payout_key_pays_once_and_is_never_reused(sandbox: SandboxGateway) -> None:
    assert payout(sandbox, "tok_ok", "p-1").outcome is Outcome.SUCCEEDED
    again = payout(sandbox, "tok_ok", "p-1")
    assert again.reference == sandbox.payout_reference("p-1")
    assert (sandbox.payout_count(), sandbox.payout_calls()) == (1, 1)
    with pytest.raises(GatewayError) as other:
        payout(sandbox, "tok_ok", "p-1", amount="41.00")
    assert other.value.code == "idempotency_key_reused"
    charge(sandbox, "tok_ok", "c-1")
    with pytest.raises(GatewayError) as mixed:
        payout(sandbox, "tok_ok", "c-1")
    assert mixed.value.code == "idempotency_key_reused"
    with pytest.raises(GatewayError) as bad:
        payout(sandbox, "tok_ok", "p-9", amount="1.001")
    assert bad.value.code == "invalid_amount"


def test_manual_payouts_are_recorded_at_once_for_staff_to_pay(manual: ManualGateway) -> None:
    first = payout(manual, "IBAN DE89 3704", "m-1")
    assert (first.outcome, first.reference) == (Outcome.SUCCEEDED, manual.payout_reference("m-1"))
    assert payout(manual, "IBAN DE89 3704", "m-1").reference == first.reference
    assert manual.status(idempotency_key="m-1").outcome is Outcome.SUCCEEDED
    with pytest.raises(GatewayError) as reused:
        payout(manual, "IBAN DE89 3704", "m-1", amount="1.00")
    assert reused.value.code == "idempotency_key_reused"
    with pytest.raises(GatewayError) as blank:
        payout(manual, " ", "m-2")
    assert blank.value.code == "invalid_token"


def test_stripe_refuses_payouts_clearly() -> None:
    from payments.gateways.stripe_gateway import StripeGateway

    with pytest.raises(GatewayError) as refused:
        StripeGateway.payout(
            object.__new__(StripeGateway), token="acct_1", amount=Decimal("1.00"), currency=USD,
            idempotency_key="s-1",
        )  # fmt: skip
    assert refused.value.code == "payouts_unsupported"
