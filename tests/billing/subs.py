"""Helpers for subscription tests: a customer, plans with published price books."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from catalog.models import Feature, Plan
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import feature as make_feature
from tests.catalog.factories import plan as make_plan
from tests.catalog.factories import published_version


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def priced_plan(
    code: str,
    fee: str,
    *,
    currency: str = "USD",
    timing: str = "advance",
    trial_days: int = 0,
    features: list[dict[str, Any]] | None = None,
    **plan_extra: Any,
) -> Plan:
    plan = make_plan(code, currency=currency, **plan_extra)
    from django.utils import timezone

    from catalog import services
    from tests.conftest import TEST_ACTOR

    version = services.plan_version_create(
        plan_id=plan.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={
            "effective_from": utc(2020, 1, 1),
            "fixed_fee": Decimal(fee),
            "fee_timing": timing,
            "trial_days": trial_days,
        },
        features=features or [],
    )
    services.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=timezone.now())
    return plan


def seats(limit: int) -> dict[str, Any]:
    feature = Feature.objects.filter(code="seats").first() or make_feature("seats", "limit")
    return {"feature": feature, "limit": Decimal(limit)}


def customer(zone: str = "UTC", currency: str = "USD", **extra: Any) -> Any:
    return CustomerFactory(timezone=zone, currency=currency, **extra)


__all__ = ["customer", "priced_plan", "published_version", "seats", "utc"]
