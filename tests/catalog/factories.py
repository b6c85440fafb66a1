from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from catalog import services
from catalog.models import BillableMetric, Feature, Plan, PlanVersion
from tests.conftest import TEST_ACTOR


def metric(code: str = "api_calls", **extra: Any) -> BillableMetric:
    data = {
        "code": code,
        "name": code.replace("_", " ").title(),
        "aggregation": "sum",
        "field_name": "calls",
        **extra,
    }
    return services.metric_create(actor=TEST_ACTOR, as_of=timezone.now(), data=data)


def feature(code: str = "seats", kind: str = "limit") -> Feature:
    return services.feature_create(
        actor=TEST_ACTOR, as_of=timezone.now(), data={"code": code, "name": code, "kind": kind}
    )


def plan(code: str = "pro", currency: str = "USD", **extra: Any) -> Plan:
    data = {
        "code": code,
        "name": code.title(),
        "currency": currency,
        "interval_unit": "month",
        "interval_count": 1,
        **extra,
    }
    return services.plan_create(actor=TEST_ACTOR, as_of=timezone.now(), data=data)


def published_version(
    the_plan: Plan,
    effective_from: datetime,
    charges: list[dict[str, Any]],
    **data: Any,
) -> PlanVersion:
    version = services.plan_version_create(
        plan_id=the_plan.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"effective_from": effective_from, **data},
        charges=charges,
    )
    return services.plan_version_publish(
        version_id=version.pk, actor=TEST_ACTOR, as_of=timezone.now()
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
