from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from pghistory.models import Events

from catalog import selectors, services
from catalog.models import Charge, PlanVersion
from core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed
from tests.catalog.factories import feature, metric, plan, published_version, utc
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


def per_unit(m, price: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [{"metric": m, "pricing_model": "per_unit", "params": {"unit_price": price}}]


def test_reference_price_books_usage_on_jan_15_is_priced_by_v2() -> None:
    calls = metric()
    pro = plan()
    v1 = published_version(pro, utc(2024, 1, 1), per_unit(calls, "0.10"))
    v2 = published_version(pro, utc(2024, 1, 15), per_unit(calls, "0.08"))
    v3 = published_version(pro, utc(2024, 2, 1), per_unit(calls, "0.12"))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.effective_until, v2.effective_until, v3.effective_until) == (
        utc(2024, 1, 15),
        utc(2024, 2, 1),
        None,
    )
    at = selectors.plan_version_at(plan=pro, at=utc(2024, 1, 15))
    assert at.pk == v2.pk
    rating = selectors.charge_rater(charge=at.charges.get()).rate(Decimal(1234))
    assert rating.rounded == Decimal("98.72")
    assert rating.explanation()["price_version"] == "pro@v2"
    assert selectors.plan_version_at(plan=pro, at=utc(2024, 1, 14, 23, 59)).pk == v1.pk
    assert selectors.plan_version_at(plan=pro, at=utc(2024, 3, 1)).pk == v3.pk
    with pytest.raises(selectors.NoPriceInForce):
        selectors.plan_version_at(plan=pro, at=utc(2023, 12, 31))


def test_a_future_version_can_be_scheduled() -> None:
    calls = metric()
    pro = plan()
    now = timezone.now()
    current = published_version(pro, utc(2024, 1, 1), per_unit(calls, "0.10"))
    future = published_version(pro, now + timezone.timedelta(days=30), per_unit(calls, "0.20"))
    assert selectors.plan_version_at(plan=pro, at=now).pk == current.pk
    assert selectors.plan_version_at(plan=pro, at=now + timezone.timedelta(days=31)).pk == future.pk


def test_overlapping_versions_are_refused() -> None:
    calls = metric()
    pro = plan()
    published_version(pro, utc(2024, 1, 1), per_unit(calls, "0.10"))
    published_version(pro, utc(2024, 2, 1), per_unit(calls, "0.11"))
    earlier = services.plan_version_create(
        plan_id=pro.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 10)},
        charges=per_unit(calls, "0.09"),
    )
    with pytest.raises(Conflict, match="overlaps pro@v1") as info:
        services.plan_version_publish(version_id=earlier.pk, actor=TEST_ACTOR, as_of=timezone.now())
    assert info.value.code == "overlapping_versions"
    assert PlanVersion.objects.get(pk=earlier.pk).status == "draft"


def test_database_refuses_overlap_even_without_the_service() -> None:
    calls = metric()
    pro = plan()
    v1 = published_version(pro, utc(2024, 1, 1), per_unit(calls, "0.10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(
            plan=pro,
            number=9,
            status="published",
            effective_from=utc(2024, 6, 1),
            created_at=v1.created_at,
            updated_at=v1.created_at,
            published_at=v1.created_at,
        )


def test_published_versions_are_immutable_and_copies_change_prices() -> None:
    calls = metric()
    pro = plan()
    seats = feature()
    v1 = services.plan_version_create(
        plan_id=pro.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1), "fixed_fee": Decimal("49"), "trial_days": 14},
        charges=per_unit(calls, "0.10"),
        features=[{"feature": seats, "limit": Decimal(5)}],
    )
    services.plan_version_publish(version_id=v1.pk, actor=TEST_ACTOR, as_of=timezone.now())
    with pytest.raises(TransitionNotAllowed):
        services.plan_version_update(
            version_id=v1.pk, actor=TEST_ACTOR, as_of=timezone.now(), data={"trial_days": 0}
        )
    with pytest.raises(TransitionNotAllowed):
        services.plan_version_discard(version_id=v1.pk, actor=TEST_ACTOR, as_of=timezone.now())
    copy = services.plan_version_copy(
        version_id=v1.pk, actor=TEST_ACTOR, as_of=timezone.now(), effective_from=utc(2024, 3, 1)
    )
    assert (copy.number, copy.status, copy.copied_from_id) == (2, "draft", v1.pk)
    assert copy.fixed_fee == Decimal("49")
    assert copy.trial_days == 14
    assert copy.features.get().limit == 5
    services.plan_version_update(
        version_id=copy.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={},
        charges=per_unit(calls, "0.12"),
    )
    services.plan_version_publish(version_id=copy.pk, actor=TEST_ACTOR, as_of=timezone.now())
    assert Charge.objects.get(plan_version=v1).params == {"unit_price": "0.10"}
    assert Charge.objects.get(plan_version=copy).params == {"unit_price": "0.12"}


def test_bad_charges_are_refused_with_the_field_path() -> None:
    calls = metric()
    pro = plan()
    bad_tiers = {
        "tiers": [
            {"from": "0", "to": "10", "unit_price": "1"},
            {"from": "11", "to": None, "unit_price": "1"},
        ]
    }
    with pytest.raises(ValidationFailed) as info:
        services.plan_version_create(
            plan_id=pro.pk,
            actor=TEST_ACTOR,
            as_of=timezone.now(),
            data={"effective_from": utc(2024, 1, 1)},
            charges=[{"metric": calls, "pricing_model": "graduated", "params": bad_tiers}],
        )
    assert info.value.field == "charges[0].params.tiers[1].from"
    with pytest.raises(ValidationFailed, match="charged twice"):
        services.plan_version_create(
            plan_id=pro.pk,
            actor=TEST_ACTOR,
            as_of=timezone.now(),
            data={"effective_from": utc(2024, 1, 1)},
            charges=per_unit(calls, "1") + per_unit(calls, "2"),
        )
    assert not PlanVersion.objects.exists()


def test_metric_definition_is_frozen_once_a_published_price_book_uses_it() -> None:
    calls = metric()
    pro = plan()
    services.metric_update(
        metric_id=calls.pk, actor=TEST_ACTOR, as_of=timezone.now(), changes={"field_name": "n"}
    )
    published_version(pro, utc(2024, 1, 1), per_unit(calls, "0.10"))
    with pytest.raises(Conflict) as info:
        services.metric_update(
            metric_id=calls.pk,
            actor=TEST_ACTOR,
            as_of=timezone.now(),
            changes={"aggregation": "max"},
        )
    assert info.value.field == "aggregation"
    renamed = services.metric_update(
        metric_id=calls.pk, actor=TEST_ACTOR, as_of=timezone.now(), changes={"name": "Calls"}
    )
    assert renamed.name == "Calls"


def test_metric_rules() -> None:
    with pytest.raises(ValidationFailed, match="needs the event property"):
        metric("bad", field_name="")
    with pytest.raises(ValidationFailed, match="reads no property"):
        metric("events", aggregation="count", field_name="x")
    with pytest.raises(ValidationFailed) as info:
        metric("filtered", filters={"region": "eu"})
    assert info.value.field == "filters"
    assert metric("eu_calls", filters={"region": ["eu"]}).filters == {"region": ["eu"]}


def test_coupon_rules() -> None:
    now = timezone.now()
    ok = services.coupon_create(
        actor=TEST_ACTOR,
        as_of=now,
        data={
            "code": "welcome",
            "name": "Welcome",
            "kind": "percent",
            "percent_off": Decimal("20"),
            "duration": "repeating",
            "duration_periods": 3,
        },
        plan_ids=[plan().pk],
    )
    assert ok.plans.count() == 1
    cases = [
        ({"kind": "fixed", "amount_off": Decimal(5), "duration": "once"}, "currency"),
        ({"kind": "percent", "duration": "once"}, "percent_off"),
        (
            {"kind": "percent", "percent_off": Decimal(5), "duration": "repeating"},
            "duration_periods",
        ),
        (
            {
                "kind": "percent",
                "percent_off": Decimal(5),
                "duration": "once",
                "redeem_by": now - timezone.timedelta(days=1),
            },
            "redeem_by",
        ),
    ]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as info:
            services.coupon_create(
                actor=TEST_ACTOR, as_of=now, data={"code": "c", "name": "C", **data}
            )
        assert info.value.field == field
    with pytest.raises(ValidationError):
        services.coupon_create(
            actor=TEST_ACTOR,
            as_of=now,
            data={
                "code": "big",
                "name": "B",
                "kind": "percent",
                "percent_off": Decimal(101),
                "duration": "forever",
            },
        )


def test_history_records_who_published_and_why() -> None:
    from core.audit import Actor

    calls = metric()
    pro = plan()
    version = services.plan_version_create(
        plan_id=pro.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1)},
        charges=per_unit(calls, "0.10"),
    )
    services.plan_version_publish(
        version_id=version.pk,
        actor=Actor(kind="user", id="3", label="carol"),
        as_of=timezone.now(),
        reason="Q1 prices",
    )
    last = Events.objects.tracks(version).order_by("-pgh_created_at", "-pgh_id").first()
    assert last is not None
    assert last.pgh_diff["status"] == ["draft", "published"]
    assert last.pgh_context["actor"] == "carol"
    assert last.pgh_context["reason"] == "Q1 prices"
    assert Events.objects.tracks(version.charges.get()).count() == 1
