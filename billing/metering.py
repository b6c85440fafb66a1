"""Checking usage events. Pure: no ORM, no clock (the caller passes `now`).

An event is a JSON object:

    {"event_id": "evt_123", "customer": "acme", "metric": "api_calls",
     "event_time": "2026-01-15T10:00:00Z", "properties": {"calls": 42, "region": "eu"}}

`event_id` is the idempotency key, unique per customer. `operation` is "add" (the default) or
"remove": a remove takes a value of a unique count metric away (the user left the account), so a
unique count can go down within a period (billing/aggregation.py says what a window counts); it is
refused for any other metric (field `operation`), and any other operation is refused. `event_time`
may be omitted (then it is the time received); it may lie in the past down to the caller's
`earliest` (the API's window, or a backfill's own bound), but not further in the future than the
configured margin, and must be a representable UTC instant (year 1 at +14:00 is not). The metric's
property must be present and numeric for every aggregation but count (and unique count, which reads
it as text), and not negative unless the metric allows it. Values are kept to 12 decimal places
(rounded half up, as the column stores them) and must stay below 10^26 once rounded. Properties are
bounded by the size of their JSON as stored (numbers written in full), integers beyond 64 bits are
kept as exact decimals (stored as text, like every fractional number). Text that PostgreSQL cannot
store (the NUL character, a lone UTF-16 surrogate) is refused. Every problem is the event's own:
nothing here raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

import orjson

from core.validators import storable_text

MAX_EVENT_ID = 255
MAX_PROPERTIES = 50
MAX_PROPERTY_KEY = 64
MAX_PROPERTIES_BYTES = 8192
ALLOWED_KEYS = frozenset(
    {"event_id", "customer", "metric", "event_time", "properties", "operation"}
)
OPERATIONS = ("add", "remove")
MAX_VALUE = Decimal("1e26")
VALUE_STEP = Decimal("1e-12")  # the decimal places the column keeps
OUT_OF_RANGE = object()
_INT_EXACT = 10**26  # an integer below it in absolute value is stored as it is


class Unrepresentable:
    """A JSON number whose exponent no decimal can hold (1E-99999999999999999999): read as this
    marker, so that it is its event's own rejection, not the whole document's."""

    def __repr__(self) -> str:
        return "UNREPRESENTABLE"


UNREPRESENTABLE = Unrepresentable()
# the integers JSON (orjson, jsonb) keeps as numbers; beyond, they are kept as exact decimal text
INT_MIN, INT_MAX = -(2**63), 2**64 - 1


@dataclass(frozen=True)
class MetricDef:
    id: int
    code: str
    aggregation: str
    field_name: str
    allow_negative: bool = False
    recurring: bool = False


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
    operation: str = "add"


def _number(value: Any) -> Decimal | object | None:
    """The value as stored (12 decimal places), OUT_OF_RANGE, or None when it is not a number."""
    if type(value) is int and -_INT_EXACT < value < _INT_EXACT:
        return Decimal(value)  # the common case: an integer, exact and in range as it is
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
    if number.is_nan():
        return None
    if number.is_infinite() or abs(number) >= MAX_VALUE:
        return OUT_OF_RANGE
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        if number and abs(number) < VALUE_STEP / 2:
            return OUT_OF_RANGE  # not zero, yet nothing once kept to 12 places (1E-20000)
        with localcontext() as context:
            context.prec = 60  # enough for 26 + 12 digits: quantize never fails below
            number = number.quantize(VALUE_STEP, rounding=ROUND_HALF_UP)
        if abs(number) >= MAX_VALUE:
            return OUT_OF_RANGE
    return number


def parse_time(value: Any) -> datetime | object | None:
    """The instant in UTC, OUT_OF_RANGE when it has none (0001-01-01T00:00+14:00 is in year 0),
    or None when it is not an ISO 8601 instant with its offset."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return OUT_OF_RANGE


def _stored(item: Any) -> Any:
    """A property value as it is stored: integers beyond 64 bits as exact decimals."""
    if isinstance(item, int) and not isinstance(item, bool) and not INT_MIN <= item <= INT_MAX:
        return Decimal(item)
    return item


def stored_json(properties: dict[str, Any]) -> bytes:
    """The properties' JSON as stored: decimals as exact text."""
    return orjson.dumps(properties, default=str)


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
    earliest: datetime | None = None,
    too_old: str = "",
) -> Checked | Problem:
    """The event ready to store, or the first problem found (field, code, message). An event
    before `earliest` is refused (`too_old`, with the `too_old` explanation)."""
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
    operation = raw.get("operation")
    if operation is None:
        operation = "add"
    elif operation not in OPERATIONS:
        return Problem(
            "operation",
            "invalid_choice",
            f'operation is "add" (the default) or "remove", not {str(operation)[:40]!r}.',
        )
    elif operation == "remove" and metric.aggregation != "unique_count":
        return Problem(
            "operation",
            "not_unique_count",
            f'operation "remove" applies to unique count metrics only: metric {code} is a '
            f"{metric.aggregation} metric (a sum that allows negative values takes units "
            "away with a negative value).",
        )
    if "event_time" in raw and raw["event_time"] is not None:
        parsed = parse_time(raw["event_time"])
        if parsed is OUT_OF_RANGE:
            return Problem(
                "event_time",
                "out_of_range",
                "event_time is not a representable instant: in UTC it falls before year 1 or "
                "after year 9999.",
            )
        if not isinstance(parsed, datetime):
            return Problem(
                "event_time",
                "invalid",
                "event_time is an ISO 8601 instant with its offset, e.g. 2026-01-15T10:00:00Z.",
            )
        event_time = parsed
        if earliest is not None and event_time < earliest:
            return Problem(
                "event_time",
                "too_old",
                f"event_time is before {earliest.isoformat().replace('+00:00', 'Z')}"
                f"{': ' + too_old if too_old else '.'}",
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
    # a copy, integers beyond 64 bits as exact decimals
    properties = {
        key: item if type(item) is not int or INT_MIN <= item <= INT_MAX else _stored(item)
        for key, item in properties.items()
    }
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
        elif item is UNREPRESENTABLE:
            return Problem(
                f"properties.{key}",
                "out_of_range",
                f"properties.{key} is a number with an exponent beyond what can be stored.",
            )
        elif not (item is None or isinstance(item, bool | int | Decimal)):
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
                f"properties.{field} is out of range: a value must be below 10^26 in absolute "
                "value once kept to 12 decimal places, and one that is not zero must not vanish "
                "there (at least 0.5 x 10^-12).",
            )
        if not isinstance(number, Decimal):
            return Problem(
                f"properties.{field}",
                "not_a_number",
                f"properties.{field} must be a number for a {metric.aggregation} metric.",
            )
        if number < 0 and not metric.allow_negative and metric.aggregation != "weighted_sum":
            return Problem(
                f"properties.{field}",
                "negative",
                f"properties.{field} must not be negative: metric {code} does not allow negative "
                "values (its allow_negative setting).",
            )
        value = number
    elif metric.aggregation == "unique_count" and properties.get(field) in (None, ""):
        return Problem(f"properties.{field}", "required", f"Metric {code} counts distinct {field}.")
    if len(stored_json(properties)) > MAX_PROPERTIES_BYTES:
        return Problem(
            "properties",
            "too_large",
            f"properties is at most {MAX_PROPERTIES_BYTES} bytes as JSON.",
        )
    return Checked(event_id, customer, metric, event_time, value, properties, operation)
