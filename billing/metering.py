"""Checking usage events. Pure: no ORM, no clock (the caller passes `now`).

An event is a JSON object:

    {"event_id": "evt_123", "customer": "acme", "metric": "api_calls",
     "event_time": "2026-01-15T10:00:00Z", "properties": {"calls": 42, "region": "eu"}}

`event_id` is the idempotency key, unique per customer. `event_time` may be omitted (then it is
the time received) and may lie in the past (backfills), but not further in the future than the
configured margin. The metric's property must be present and numeric for every aggregation but
count (and unique count, which reads it as text). Sizes are bounded. Values are kept to 12 decimal
places (rounded half up, as the column stores them) and must stay below 10^26 once rounded. Text
that PostgreSQL cannot store (the NUL character, a lone UTF-16 surrogate) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from core.validators import storable_text

MAX_EVENT_ID = 255
MAX_PROPERTIES = 50
MAX_PROPERTY_KEY = 64
MAX_PROPERTIES_BYTES = 8192
ALLOWED_KEYS = frozenset({"event_id", "customer", "metric", "event_time", "properties"})
MAX_VALUE = Decimal("1e26")
VALUE_STEP = Decimal("1e-12")  # the decimal places the column keeps
OUT_OF_RANGE = object()


@dataclass(frozen=True)
class MetricDef:
    id: int
    code: str
    aggregation: str
    field_name: str


@dataclass
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class Checked:
    event_id: str
    customer: str
    metric: MetricDef
    event_time: datetime
    value: Decimal | None
    properties: dict[str, Any]


def _number(value: Any) -> Decimal | object | None:
    """The value as stored (12 decimal places), OUT_OF_RANGE, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite():
        return None
    if abs(number) >= MAX_VALUE:
        return OUT_OF_RANGE
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        with localcontext() as context:
            context.prec = 60  # enough for 26 + 12 digits: quantize never fails below
            number = number.quantize(VALUE_STEP, rounding=ROUND_HALF_UP)
        if abs(number) >= MAX_VALUE:
            return OUT_OF_RANGE
    return number


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _unstorable(field: str) -> Problem:
    return Problem(
        field,
        "invalid_text",
        f"{field} contains text that cannot be stored (the NUL character or a lone surrogate).",
    )


def check_event(
    raw: Any,
    *,
    metrics: Mapping[str, MetricDef],
    now: datetime,
    future_margin: timedelta,
) -> Checked | Problem:
    """The event ready to store, or the first problem found (field, code, message)."""
    if not isinstance(raw, dict):
        return Problem("", "invalid", "An event is a JSON object.")
    for key in raw:
        if key not in ALLOWED_KEYS:
            return Problem(str(key), "unknown_field", f"Unknown field {key!r}.")
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return Problem("event_id", "required", "event_id is a non-empty string.")
    if len(event_id) > MAX_EVENT_ID:
        return Problem("event_id", "max_length", f"event_id is at most {MAX_EVENT_ID} characters.")
    if not storable_text(event_id):
        return _unstorable("event_id")
    customer = raw.get("customer")
    if not isinstance(customer, str) or not customer:
        return Problem("customer", "required", "customer is the customer's external id.")
    if not storable_text(customer):
        return _unstorable("customer")
    code = raw.get("metric")
    if not isinstance(code, str) or not code:
        return Problem("metric", "required", "metric is a billable metric's code.")
    metric = metrics.get(code)
    if metric is None:
        return Problem("metric", "unknown_metric", f"No billable metric {code!r}.")
    if "event_time" in raw and raw["event_time"] is not None:
        event_time = parse_time(raw["event_time"])
        if event_time is None:
            return Problem(
                "event_time",
                "invalid",
                "event_time is an ISO 8601 instant with its offset, e.g. 2026-01-15T10:00:00Z.",
            )
        if event_time > now + future_margin:
            return Problem(
                "event_time",
                "in_the_future",
                f"event_time is more than {int(future_margin.total_seconds())} s in the future.",
            )
    else:
        event_time = now
    properties = raw.get("properties", {})
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        return Problem("properties", "invalid", "properties is a JSON object.")
    if len(properties) > MAX_PROPERTIES:
        return Problem("properties", "too_many", f"At most {MAX_PROPERTIES} properties.")
    size = 2
    for key, item in properties.items():
        if (
            not isinstance(key, str)
            or not key
            or len(key) > MAX_PROPERTY_KEY
            or not storable_text(key)
        ):
            return Problem(
                "properties",
                "invalid_key",
                "Property names are 1 to 64 characters, without NUL or lone surrogates.",
            )
        if isinstance(item, str):
            if not storable_text(item):
                return _unstorable(f"properties.{key}")
            size += len(key) + len(item) + 6
        elif item is None or isinstance(item, bool | int | Decimal):
            size += len(key) + 32
        else:
            return Problem(
                f"properties.{key}",
                "invalid",
                "Property values are strings, numbers, booleans or null.",
            )
    value: Decimal | None = None
    field = metric.field_name
    if metric.aggregation not in ("count", "unique_count"):
        if field not in properties:
            return Problem(
                f"properties.{field}",
                "required",
                f"Metric {code} ({metric.aggregation}) reads properties.{field}.",
            )
        number = _number(properties[field])
        if number is OUT_OF_RANGE:
            return Problem(
                f"properties.{field}",
                "out_of_range",
                f"properties.{field} must be below 10^26 in absolute value (kept to 12 decimal "
                "places).",
            )
        if not isinstance(number, Decimal):
            return Problem(
                f"properties.{field}",
                "not_a_number",
                f"properties.{field} must be a number for a {metric.aggregation} metric.",
            )
        value = number
    elif metric.aggregation == "unique_count" and properties.get(field) in (None, ""):
        return Problem(f"properties.{field}", "required", f"Metric {code} counts distinct {field}.")
    if size > MAX_PROPERTIES_BYTES:
        return Problem(
            "properties", "too_large", f"properties is at most {MAX_PROPERTIES_BYTES} bytes."
        )
    return Checked(event_id, customer, metric, event_time, value, properties)
