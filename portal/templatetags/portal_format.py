"""The portal's template filters: amounts, numbers, days and instants in the reader's locale,
currency and time zone (`reader` is `invoicing.pdf.Reader`, put in the context by each page):

    {{ invoice.total|money:reader }}   1.234,56 $   (the currency's ISO 4217 decimals)
    {{ quantity|number:reader }}       14.595       (every decimal it has, grouped)
    {{ invoice.due_at|day:reader }}    15.02.2026   (the date in the customer's time zone)
    {{ sub.ends_at|last_day:reader }}  28.02.2026   (the last day of what ends at that instant:
                                                   Mar 1, 00:00 is Feb 28's end)
    {{ row.when|moment:reader }}       15.02.2026, 10:30

and `{% company_name %}`: the company's name as the brand shows it (`brand`, from
portal.context_processors, else settings.COMPANY["name"])."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_time
from django import template
from django.conf import settings

from invoicing.pdf import Reader
from portal.pages.display import last_day as last_day_of

register = template.Library()


@register.filter
def money(amount: Decimal | None, reader: Reader) -> str:
    if amount is None or amount == "":
        return ""
    return reader.money(Decimal(amount))


@register.filter
def number(value: Decimal | int | None, reader: Reader) -> str:
    if value is None or value == "":
        return ""
    return reader.number(Decimal(value))


@register.filter
def day(value: datetime | None, reader: Reader) -> str:
    return reader.day(value)


@register.filter
def last_day(value: datetime | None, reader: Reader) -> str:
    if value is None:
        return ""
    return format_date(last_day_of(value, reader.zone), format="medium", locale=reader.locale)


@register.filter
def moment(value: datetime | None, reader: Reader) -> str:
    if value is None:
        return ""
    local = value.astimezone(reader.zone)
    both = str(reader.locale.datetime_formats["medium"])
    return both.replace(
        "{1}", format_date(local.date(), format="medium", locale=reader.locale)
    ).replace("{0}", format_time(local.timetz(), format="short", locale=reader.locale))


@register.simple_tag(takes_context=True)
def company_name(context: Any) -> str:
    brand = context.get("brand")  # portal.context_processors.brand: lazy, one query
    return str(getattr(brand, "name", "") or settings.COMPANY["name"])
