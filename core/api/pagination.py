"""Keyset (cursor) pagination: `?cursor=...&limit=...`, stable over lists that grow while read.

A list is ordered by a tuple of fields that ends in a unique, non-null one (normally `id`), so
no two rows share a position. A cursor holds the values of every ordering field of the row it
starts after, and the next page is "the rows after that position" (a lexicographic comparison
over the whole tuple). DRF's own CursorPagination keeps only the first field plus an offset
capped at 1,000, so a run of more than 1,000 rows with one timestamp repeated its pages forever.

The paginator refuses (ImproperlyConfigured) an ordering that does not end in a unique field,
and answers a cursor that is not one it made for this list with a 404 `invalid_cursor` in the
one error shape; cursors are signed (django.core.signing, HMAC with the SECRET_KEY), so a
hand-made one is that 404 too. NULLs sort as PostgreSQL sorts them by default: after every
value in ascending order, before every value in descending order.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_CURSOR_LENGTH = 2000
INVALID_CURSOR = "This cursor is not valid for this list; start again without it."


def _is_unique(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    if field.primary_key:
        return True
    if field.null:
        return False  # NULLs repeat
    if field.unique:
        return True
    return any(
        isinstance(c, models.UniqueConstraint)
        and tuple(c.fields) == (field.name,)
        and c.condition is None
        and not c.expressions
        for c in model._meta.constraints
    )


def unique_ordering(
    model: type[models.Model], ordering: Sequence[str]
) -> tuple[models.Field[Any, Any], ...]:
    """The model fields of `ordering`, checked: plain fields of the model (no `__` lookups), the
    last one unique and not null. Raises ImproperlyConfigured otherwise."""
    fields: list[models.Field[Any, Any]] = []
    for entry in ordering:
        name = entry.removeprefix("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if not isinstance(field, models.Field) or not field.concrete or "__" in name:
            raise ImproperlyConfigured(
                f"Cursor ordering {tuple(ordering)} of {model.__name__}: {name!r} is not a "
                "field of the model."
            )
        fields.append(field)
    if not fields or not _is_unique(model, fields[-1]):
        raise ImproperlyConfigured(
            f"Cursor ordering {tuple(ordering)} of {model.__name__} must end in a unique, "
            "non-null field (add 'id'), or rows that share a position are skipped or repeated."
        )
    return tuple(fields)


def _flip(entry: str) -> str:
    return entry[1:] if entry.startswith("-") else f"-{entry}"


def _after(name: str, descending: bool, value: Any) -> Q | None:
    """Rows strictly after `value` in this field's order (NULL sorts as the largest value)."""
    if value is None:
        return Q(**{f"{name}__isnull": False}) if descending else None
    if descending:
        return Q(**{f"{name}__lt": value})
    return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})


def _equal(name: str, value: Any) -> Q:
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def _beyond(
    fields: Sequence[models.Field[Any, Any]],
    ordering: Sequence[str],
    values: Sequence[Any],
    inclusive: bool,
) -> Q:
    """Rows after the position `values` in `ordering` (lexicographic over the whole tuple)."""
    terms: list[Q] = []
    prefix = Q()
    for field, entry, value in zip(fields, ordering, values, strict=True):
        after = _after(field.attname, entry.startswith("-"), value)
        if after is not None:
            terms.append(prefix & after)
        prefix &= _equal(field.attname, value)
    if inclusive:
        terms.append(prefix)
    condition = Q(pk__in=[])
    for term in terms:
        condition |= term
    first, value = fields[0], values[0]
    if value is not None and not first.null:  # a plain range on the leading field, for indexes
        lookup = "lte" if ordering[0].startswith("-") else "gte"
        condition &= Q(**{f"{first.attname}__{lookup}": value})
    return condition


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


@dataclass(frozen=True)
class Position:
    values: tuple[Any, ...]
    reverse: bool  # the rows before the position (a `previous` link)
    inclusive: bool  # the row at the position too


class CursorPagination(pagination.CursorPagination):
    """Keyset pages: `?cursor=...&limit=...`; a view may set another `ordering` (ending in id)."""

    ordering: tuple[str, ...] = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500
    invalid_cursor_message = INVALID_CURSOR

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        if not isinstance(queryset, QuerySet):
            raise ImproperlyConfigured("Cursor pagination pages a QuerySet.")
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.page_size = page_size
        self.base_url: str = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.fields = unique_ordering(queryset.model, self.ordering)
        position = self._decode(request)
        self.position = position
        ordering = self.ordering
        if position is not None and position.reverse:
            ordering = tuple(_flip(entry) for entry in ordering)
        queryset = queryset.order_by(*ordering)
        if position is not None:
            queryset = queryset.filter(
                _beyond(self.fields, ordering, position.values, position.inclusive)
            )
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if position is not None and position.reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.display_page_controls = self.template is not None and (
            self.has_next or self.has_previous
        )
        return self.page

    # -- links --------------------------------------------------------------------------------

    def _values(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, field.attname) for field in self.fields)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        if self.page:
            return self._link(Position(self._values(self.page[-1]), False, False))
        position = self.position
        if position is None or position.reverse:
            # Nothing before a `previous` position: the list starts at it.
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(position)  # pragma: no cover - has_next is False for an empty page

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if self.page:
            return self._link(Position(self._values(self.page[0]), True, False))
        assert self.position is not None  # an empty page with a previous one came by a cursor
        # Nothing after the position any more: go back to the page that ended with it.
        return self._link(Position(self.position.values, True, True))

    # -- the cursor ---------------------------------------------------------------------------

    def _salt(self) -> str:
        """Ties a cursor to its list: the model and the ordering it was made for."""
        model = self.fields[0].model._meta.label
        return f"core.api.cursor:{model}:{','.join(self.ordering)}"

    def _link(self, position: Position) -> str:
        payload = {
            "v": [_encode_value(value) for value in position.values],
            "r": position.reverse,
            "i": position.inclusive,
        }
        # signed (HMAC with the SECRET_KEY): a cursor is only ever one this list made
        token = signing.dumps(payload, salt=self._salt(), compress=True)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _decode(self, request: Request) -> Position | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            if len(encoded) > MAX_CURSOR_LENGTH:
                raise ValueError("too long")
            payload = signing.loads(encoded, salt=self._salt())
            if not isinstance(payload, dict):
                raise ValueError("not a cursor of this list")
            values, reverse, inclusive = payload["v"], payload["r"], payload.get("i", False)
            if not isinstance(values, list) or len(values) != len(self.fields):
                raise ValueError("wrong number of values")
            if not isinstance(reverse, bool) or not isinstance(inclusive, bool):
                raise ValueError("bad flags")
            return Position(
                tuple(self._parse(f, v) for f, v in zip(self.fields, values, strict=True)),
                reverse,
                inclusive,
            )
        except (
            ValueError, TypeError, KeyError, UnicodeError, binascii.Error, ValidationError,
            OverflowError, signing.BadSignature,
        ):  # fmt: skip
            raise NotFound(INVALID_CURSOR, code="invalid_cursor") from None

    @staticmethod
    def _parse(field: models.Field[Any, Any], raw: Any) -> Any:
        if raw is None:
            if not field.null:
                raise ValueError("null")
            return None
        if not isinstance(raw, str | int):  # bool is an int
            raise ValueError("not a scalar")
        if isinstance(raw, str) and "\x00" in raw:
            raise ValueError("NUL")
        value = field.to_python(raw)
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)  # OverflowError: an offset PostgreSQL refuses
        field.run_validators(value)  # integer range, decimal digits, lengths
        return value
