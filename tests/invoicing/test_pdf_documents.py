# ruff: noqa: RUF001  (the documents' typography: en dashes, multiplication and minus signs)
"""Invoice and credit-note PDFs a customer reads (issue 10, item 4): labels in the customer's
language (English and German complete), a unit-price column, periods with their inclusive end
date, addresses in the format of their country, each line explained in words, and credit notes
as PDFs too. Every expected text is written by hand."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdf
import pytest
from babel.dates import format_interval
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from babel.numbers import get_currency_symbol
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from billing.models import Customer
from billing.periods import Period
from billing.proration import FeeTerms, cancel_lines, change_lines, pause_credit
from billing.services import (
    coupon_redeem,
    customer_balance_adjust,
    subscription_change,
    subscription_create,
    subscription_pause,
    subscription_resume,
)
from catalog import services as catalog
from catalog.money import currencies
from catalog.pricing import rate
from invoicing import pdf
from invoicing.models import CreditNote, Invoice, InvoiceLine
from invoicing.planner import Coupon, LineSpec, invoice_discounts
from invoicing.services import credit_note_issue, invoice_render_pdf
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import a_customer, dispatch, send, usage_plan
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_plan
from tests.invoicing.test_taxes_coupons_credit import coupon, customer_in, invoice_of, tax_rate

D = Decimal
EN, DE = pdf.babel_locale("en"), pdf.babel_locale("de-DE")
BERLIN = ZoneInfo("Europe/Berlin")
OCT, NOV = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
T = "\u2009"  # CLDR's thin space around the dash of an interval
ROOT = Path(settings.BASE_DIR)


def text_of(document: str) -> str:
    """The words of a rendered document, as a reader sees them."""
    body = document.split("<body>", 1)[1]
    words = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"[ \t\r\n]+", " ", words).strip()  # no-break spaces are the locale's


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


# ---------------------------------------------------------------------------------- periods


def test_a_period_ending_at_midnight_ends_on_the_day_before() -> None:
    assert pdf.period_text(OCT, NOV, EN, UTC) == f"Oct 1{T}–{T}31, 2026"
    assert pdf.period_text(OCT, NOV, DE, UTC) == "1.–31. Okt. 2026"
    # Berlin's midnights of Oct 1 and Nov 1 are 22:00 and 23:00 UTC the day before
    in_berlin = (datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC))
    assert pdf.period_text(*in_berlin, EN, BERLIN) == f"Oct 1{T}–{T}31, 2026"
    assert pdf.period_text(*in_berlin, DE, BERLIN) == "1.–31. Okt. 2026"
    assert pdf.period_text(OCT, OCT + timedelta(days=1), EN, UTC) == "Oct 1, 2026"
    new_year = (datetime(2026, 12, 15, tzinfo=UTC), datetime(2027, 1, 15, tzinfo=UTC))
    assert pdf.period_text(*new_year, EN, UTC) == f"Dec 15, 2026{T}–{T}Jan 14, 2027"
    assert pdf.period_text(*new_year, DE, UTC) == f"15. Dez. 2026{T}–{T}14. Jan. 2027"


def test_an_edge_that_is_not_a_midnight_shows_its_time() -> None:
    start = datetime(2026, 9, 30, 22, tzinfo=UTC)  # Oct 1, 00:00 in Berlin
    cut = datetime(2026, 10, 15, 12, 30, tzinfo=UTC)  # Oct 15, 14:30 in Berlin
    end = datetime(2026, 10, 31, 23, tzinfo=UTC)  # Nov 1, 00:00 in Berlin
    assert (
        pdf.period_text(start, cut, EN, BERLIN) == f"Oct 1, 2026{T}–{T}Oct 15, 2026, 2:30\u202fPM"
    )
    assert pdf.period_text(start, cut, DE, BERLIN) == f"01.10.2026{T}–{T}15.10.2026, 14:30"
    assert pdf.period_text(cut, end, EN, BERLIN) == f"Oct 15, 2026, 2:30\u202fPM{T}–{T}Oct 31, 2026"
    # the same instants read in UTC: Oct 1 starts at midnight there, Nov 1 00:00 Berlin does not
    assert pdf.period_text(OCT, end, EN, UTC) == f"Oct 1, 2026{T}–{T}Oct 31, 2026, 11:00\u202fPM"


@hsettings(max_examples=60, deadline=None)
@given(
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    days=st.integers(min_value=2, max_value=800),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]),
    locale=st.sampled_from(["en", "de-DE", "fr", "ja"]),
)
def test_local_midnight_periods_read_as_their_first_and_last_day(
    first: date, days: int, zone: str, locale: str
) -> None:
    """Whatever the zone's daylight-saving changes, a period from local midnight to local
    midnight reads as the dates of its first and its last day (the one before the end)."""
    tz = ZoneInfo(zone)
    last = first + timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=tz).astimezone(UTC)
    after = last + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=tz).astimezone(UTC)
    reader = pdf.babel_locale(locale)
    assert pdf.period_text(start, end, reader, tz) == format_interval(
        first, last, "yMMMd", locale=reader
    )


# ------------------------------------------------------------------------------ unit prices


def test_unit_prices_keep_every_decimal_they_have() -> None:
    assert pdf.unit_price_text(D("0.002"), "USD", EN) == "$0.002"
    assert pdf.unit_price_text(D("49"), "USD", EN) == "$49.00"
    assert pdf.unit_price_text(D("0.1"), "EUR", DE) == "0,10\xa0€"
    assert pdf.unit_price_text(D("1234.5678"), "EUR", DE) == "1.234,5678\xa0€"
    assert pdf.unit_price_text(D("0.5"), "JPY", EN) == "¥0.5"
    assert pdf.unit_price_text(D("100"), "JPY", EN) == "¥100"
    assert pdf.unit_price_text(D("1.5"), "KWD", EN) == "KWD1.500"
    assert pdf.unit_price_text(D("-50"), "USD", EN) == "-$50.00"


@hsettings(max_examples=200, deadline=None)
@given(
    currency=st.sampled_from([c.code for c in currencies()]),
    price=st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=12, allow_nan=False),
)
def test_a_unit_price_reads_back_as_itself(currency: str, price: Decimal) -> None:
    text = pdf.unit_price_text(price, currency, EN).replace(get_currency_symbol(currency, "en"), "")
    assert D(re.sub(r"[^0-9.\-]", "", text)) == price


# -------------------------------------------------------------------------------- addresses


def test_addresses_are_written_as_their_country_writes_them() -> None:
    us = {"name": "Acme Inc", "address_line1": "1600 Amphitheatre Pkwy",
          "address_line2": "Suite 4", "city": "Mountain View", "state": "CA",
          "postal_code": "94043", "country": "US"}  # fmt: skip
    assert pdf.address_lines(us, EN) == [
        "Acme Inc", "1600 Amphitheatre Pkwy", "Suite 4", "MOUNTAIN VIEW, CA 94043",
        "United States",
    ]  # fmt: skip
    germany = {"name": "Muster GmbH", "address_line1": "Invalidenstraße 1", "city": "Berlin",
               "state": "Berlin", "postal_code": "10115", "country": "DE"}  # fmt: skip
    # postal code before the city; no state in a German address; the country in German
    assert pdf.address_lines(germany, DE) == [
        "Muster GmbH", "Invalidenstraße 1", "10115 BERLIN", "Deutschland",
    ]  # fmt: skip
    assert pdf.address_lines(germany, EN)[-1] == "Germany"
    britain = {"name": "Acme Ltd", "address_line1": "10 Downing Street", "city": "London",
               "postal_code": "SW1A 2AA", "country": "GB"}  # fmt: skip
    assert pdf.address_lines(britain, EN) == [
        "Acme Ltd", "10 Downing Street", "LONDON", "SW1A 2AA", "United Kingdom",
    ]  # fmt: skip


def test_a_japanese_address_in_its_script_and_in_latin_letters() -> None:
    native = {"name": "株式会社アクメ", "address_line1": "千代田1-1", "city": "千代田区",
              "state": "東京都", "postal_code": "100-0001", "country": "JP"}  # fmt: skip
    # postal code first, from the prefecture down to the street, the name last
    assert pdf.address_lines(native, pdf.babel_locale("ja")) == [
        "〒100-0001", "東京都", "千代田区", "千代田1-1", "株式会社アクメ", "日本",
    ]  # fmt: skip
    latin = {"name": "Acme KK", "address_line1": "1-1 Chiyoda", "city": "Chiyoda-ku",
             "state": "Tokyo", "postal_code": "100-0001", "country": "JP"}  # fmt: skip
    assert pdf.address_lines(latin, EN) == [
        "Acme KK", "1-1 Chiyoda", "Chiyoda-ku, TOKYO", "100-0001", "Japan",
    ]  # fmt: skip


def test_an_address_without_a_country_is_written_as_given() -> None:
    loose = {"name": "Nobody", "address_line1": "Somewhere 1", "city": "Town", "postal_code": "1"}
    assert pdf.address_lines(loose, EN) == ["Nobody", "Somewhere 1", "1 Town"]


# ----------------------------------------------------------------------- lines, in words


def line(kind: str, amount: str, explanation: dict[str, Any], **fields: Any) -> InvoiceLine:
    """An invoice line as the writer stores it (not saved: the explanation is pure)."""
    fields.setdefault("period_start", OCT)
    fields.setdefault("period_end", NOV)
    fields.setdefault("description", kind)
    return InvoiceLine(
        invoice=Invoice(currency="USD"), kind=kind, amount=D(amount), explanation=explanation,
        **fields,
    )  # fmt: skip


def words(item: InvoiceLine, locale: str = "en", unit: str = "API calls") -> str:
    return pdf.customer_explanation(item, locale, unit=unit)


def usage(model: str, params: dict[str, Any], quantity: str, **extra: Any) -> InvoiceLine:
    rating = rate(model, params, D(quantity), currency="USD", **extra)
    return line("usage", str(rating.rounded), rating.explanation(), quantity=D(quantity))


TIERS = {"tiers": [{"from": "0", "to": "10000", "unit_price": "0"},
                   {"from": "10000", "to": None, "unit_price": "0.002"}]}  # fmt: skip


def test_usage_in_words_per_pricing_model() -> None:
    per_unit = usage("per_unit", {"unit_price": "0.002"}, "4595")
    assert words(per_unit) == "4,595 API calls at $0.002 each"
    assert words(per_unit, "de-DE") == "4.595 API calls zu je 0,002\xa0$"
    graduated = usage("graduated", TIERS, "14595")
    assert words(graduated) == (
        "14,595 API calls: first 10,000 at $0.00 each, next 4,595 at $0.002 each"
    )
    assert words(graduated, "de-DE") == (
        "14.595 API calls: die ersten 10.000 zu je 0,00\xa0$, die nächsten 4.595 zu je 0,002\xa0$"
    )
    setup = {"tiers": [{"from": "0", "to": "100", "unit_price": "0", "flat_fee": "5"},
                       {"from": "100", "to": None, "unit_price": "0.01"}]}  # fmt: skip
    with_fee = usage("graduated", setup, "150")
    assert words(with_fee) == (
        "150 API calls: first 100 at $0.00 each plus a flat $5.00, next 50 at $0.01 each"
    )
    bands = {"tiers": [{"from": "0", "to": "1000", "unit_price": "0.1"},
                       {"from": "1000", "to": None, "unit_price": "0.08"}]}  # fmt: skip
    volume = usage("volume", bands, "1234")
    assert words(volume) == (
        "1,234 API calls, all at $0.08 each (the price of the tier the total reaches)"
    )
    package = usage("package", {"package_size": "1000", "package_price": "5", "free_units": "100"},
                    "2345")  # fmt: skip
    # 2,345 - 100 free = 2,245 units: 3 packages (the last one partial)
    assert (
        words(package) == "2,345 API calls: 3 packages of 1,000 at $5.00 each (the first 100 free)"
    )
    assert words(package, "de-DE") == (
        "2.345 API calls: 3 Pakete zu 1.000 für je 5,00\xa0$ (die ersten 100 kostenlos)"
    )
    one = usage("package", {"package_size": "1000", "package_price": "5"}, "10")
    assert words(one) == "10 API calls: 1 package of 1,000 at $5.00"
    percentage = usage("percentage", {"rate": "2.5"}, "1234.5")
    assert words(percentage, unit="") == "2.5% of $1,234.50"
    assert words(percentage, "de-DE", unit="") == "2,5\xa0% von 1.234,50\xa0$"
    flat = usage("flat", {"amount": "20"}, "7")
    assert words(flat) == "Flat fee for the period"
    nothing = usage("graduated", TIERS, "0")
    assert words(nothing) == "No usage in this period"


def test_a_percentage_of_each_transaction_in_words() -> None:
    from catalog.pricing import compile_charge

    rater = compile_charge(
        "percentage",
        {"rate": "2.5", "fixed_fee": "0.30", "min_per_transaction": "0.50",
         "free_transactions": "1"},
        currency="USD",
    )  # fmt: skip
    rating = rater.rate_transactions([D(100), D(200), D(300)])
    item = line("usage", str(rating.rounded), rating.explanation(), quantity=rating.quantity)
    assert words(item, unit="") == (
        "2.5% of each transaction plus $0.30, at least $0.50, the first transaction free; "
        "transactions totalling $600.00"
    )


def test_proration_lines_in_days_of_their_period() -> None:
    month = Period(OCT, NOV, 0)  # 31 days
    old = FeeTerms(fee=D(49), quantity=3, version="pro@v1", timing="advance")
    new = FeeTerms(fee=D(99), quantity=3, version="max@v1", timing="advance")
    credit, charge = change_lines(old, new, datetime(2026, 10, 13, tzinfo=UTC), month, "USD")

    def stored(item: Any) -> InvoiceLine:
        return line("proration", str(item.rounded), item.explanation,
                    period_start=item.start, period_end=item.end)  # fmt: skip

    assert words(stored(credit)) == (
        "Credit for unused time: 19 of 31 days at 3 × $49.00 per period, "
        "after a change of plan or quantity"
    )
    assert words(stored(charge), "de-DE") == (
        "Verbleibende Zeit: 19 von 31 Tagen zu 3 × 99,00\xa0$ je Zeitraum, "
        "nach einer Änderung von Tarif oder Menge"
    )
    paused = pause_credit(old, datetime(2026, 10, 5, tzinfo=UTC),
                          datetime(2026, 10, 10, tzinfo=UTC), month, "USD")  # fmt: skip
    assert paused is not None
    assert (
        words(stored(paused)) == "Credit for the paused time: 5 of 31 days at 3 × $49.00 per period"
    )
    arrears = FeeTerms(fee=D(49), quantity=1, version="pro@v1", timing="arrears")
    [used] = cancel_lines(arrears, datetime(2026, 10, 13, 12, tzinfo=UTC), month, "USD", OCT)
    assert words(stored(used)) == (
        "Time used: 12.5 of 31 days at 1 × $49.00 per period, after the cancellation"
    )
    columns = pdf.line_columns(stored(credit), pdf.Reader(EN, UTC, "USD"))
    assert (columns.quantity, columns.unit, columns.unit_price) == ("3", "seats", "$49.00")


def test_a_minimum_commitment_in_words() -> None:
    rating = rate("per_unit", {"unit_price": "0.1"}, D(321), currency="USD", minimum="50")
    # usage 321 x 0.10 = 32.10; the true-up is 50.00 - 32.10 = 17.90
    item = line("minimum", str(rating.rounded_true_up), rating.explanation()["minimum_commitment"])
    assert words(item) == "Minimum spend of $50.00 for the period; your usage came to $32.10"
    assert pdf.line_columns(item, pdf.Reader(EN, UTC, "USD")) == pdf.Columns()


def coupon_terms(kind: str, duration: str, periods: int | None = None, **off: Decimal) -> Coupon:
    return Coupon(redemption_id=1, code=kind, name=kind, kind=kind, currency="USD",
                  percent_off=off.get("percent_off"), amount_off=off.get("amount_off"),
                  duration=duration, duration_periods=periods, status="active",
                  subscription_id=None, plan_ids=frozenset(), discounted=frozenset())  # fmt: skip


def test_discounts_in_words() -> None:
    fee = LineSpec(kind="fixed_fee", description="Pro", amount=D("58.20"), subscription_id=1,
                   plan_id=1)  # fmt: skip

    def discount(terms: Coupon) -> InvoiceLine:
        [spec] = invoice_discounts([fee], [terms], "USD")
        return line("discount", str(spec.amount), spec.explanation)

    ten = discount(coupon_terms("percent", "forever", percent_off=D(10)))
    assert words(ten) == "10% off $58.20"
    assert words(ten, "de-DE") == "10\xa0% Rabatt auf 58,20\xa0$"
    once = discount(coupon_terms("percent", "once", percent_off=D("12.5")))
    assert words(once) == "12.5% off $58.20, once"
    three = discount(coupon_terms("fixed", "repeating", 3, amount_off=D(20)))
    assert words(three) == "$20.00 off $58.20, for 3 billing periods"
    capped = discount(coupon_terms("fixed", "forever", amount_off=D(100)))
    assert words(capped) == "$100.00 off, limited to the $58.20 it applies to"


def test_add_ons_one_offs_and_corrections_in_words() -> None:
    add_on = line("add_on", "300.00", {"add_on": "onboarding", "formula": "2 x 150"},
                  quantity=D(2), unit_amount=D(150))  # fmt: skip
    assert words(add_on) == "Add-on"
    assert words(add_on, "de-DE") == "Zusatzleistung"
    assert pdf.line_columns(add_on, pdf.Reader(EN, UTC, "USD")) == pdf.Columns("2", "", "$150.00")
    one_off = line("one_off", "-50.00", {"formula": "1 x -50"}, unit_amount=D(-50))
    assert words(one_off) == "One-off credit"
    assert words(line("one_off", "99.00", {}, unit_amount=D(99))) == "One-off charge"
    settled = {"corrects": "INV-2026-000001", "invoiced": "9.19", "recomputed": "11.69",
               "reason": "late", "rule": "re-rated"}  # fmt: skip
    correction = line("usage", "2.50", settled)
    assert words(correction) == (
        "Correction of invoice INV-2026-000001 for usage that arrived late: $9.19 billed, "
        "$11.69 with all of it"
    )
    assert pdf.line_columns(correction, pdf.Reader(EN, UTC, "USD")) == pdf.Columns()


# ----------------------------------------------------------------------------- line titles


NAMES = pdf.Names(
    plans={"pro": "Pro", "max": "Max"}, metrics={"api_calls": "API calls"},
    coupons={"ten": "Ten"},
)  # fmt: skip


def titles(item: InvoiceLine, names: pdf.Names = NAMES) -> tuple[str, str]:
    """A line's title in English and in German."""
    return pdf.line_title(item, "en", names), pdf.line_title(item, "de-DE", names)


def prorated(item: Any) -> InvoiceLine:
    """A proration line as the invoice stores it (billing/proration.py's description too)."""
    return line("proration", str(item.rounded), item.explanation, description=item.description,
                period_start=item.start, period_end=item.end)  # fmt: skip


def test_fees_and_prorations_are_titled_by_their_plans_name_never_its_version() -> None:
    fee = line("fixed_fee", "147.00", {"rule": "fixed fee in advance, by the second",
                                       "price_version": "pro@v1", "fee_timing": "advance"},
               description="Pro x 3", quantity=D(3), unit_amount=D(49))  # fmt: skip
    assert titles(fee) == ("Pro plan", "Tarif Pro")
    month = Period(OCT, NOV, 0)
    old = FeeTerms(fee=D(49), quantity=3, version="pro@v1", timing="advance")
    new = FeeTerms(fee=D(99), quantity=3, version="max@v1", timing="advance")
    credit, charge = change_lines(old, new, datetime(2026, 10, 13, tzinfo=UTC), month, "USD")
    # what the invoice stores: internal words, the price version and ISO dates
    assert credit.description == "Unused time on pro@v1 x 3 (2026-10-13 to 2026-11-01)"
    assert titles(prorated(credit)) == ("Pro plan, unused time", "Tarif Pro, nicht genutzte Zeit")
    assert titles(prorated(charge)) == ("Max plan, remaining time", "Tarif Max, verbleibende Zeit")
    paused = pause_credit(old, datetime(2026, 10, 5, tzinfo=UTC),
                          datetime(2026, 10, 10, tzinfo=UTC), month, "USD")  # fmt: skip
    assert paused is not None
    assert paused.description == "Paused time on pro@v1 x 3 (2026-10-05 to 2026-10-10)"
    assert titles(prorated(paused)) == ("Pro plan, paused time", "Tarif Pro, pausierte Zeit")
    arrears = FeeTerms(fee=D(49), quantity=1, version="pro@v1", timing="arrears")
    [used] = cancel_lines(arrears, datetime(2026, 10, 13, 12, tzinfo=UTC), month, "USD", OCT)
    assert titles(prorated(used)) == ("Pro plan, time used", "Tarif Pro, genutzte Zeit")
    # an arrears fee changed to a fee in advance: the old plan's time used, the new plan's rest
    to_max = FeeTerms(fee=D(99), quantity=1, version="max@v1", timing="advance")
    before, after = change_lines(arrears, to_max, datetime(2026, 10, 13, tzinfo=UTC), month, "USD")
    assert titles(prorated(before)) == ("Pro plan, time used", "Tarif Pro, genutzte Zeit")
    assert titles(prorated(after)) == ("Max plan, remaining time", "Tarif Max, verbleibende Zeit")


def test_usage_minimums_and_discounts_are_titled_by_the_catalogs_names() -> None:
    calls = line("usage", "9.19", {"model": "graduated", "metric": "api_calls"},
                 description="Api Calls (14595)", metric_code="api_calls",
                 quantity=D(14595))  # fmt: skip
    assert titles(calls) == ("API calls", "API calls")
    rating = rate("per_unit", {"unit_price": "0.1"}, D(321), currency="USD", minimum="50")
    minimum = line("minimum", str(rating.rounded_true_up),
                   rating.explanation()["minimum_commitment"], metric_code="api_calls",
                   description="Api Calls: minimum commitment true-up")  # fmt: skip
    assert titles(minimum) == ("Minimum commitment for API calls", "Mindestumsatz für API calls")
    fee = LineSpec(kind="fixed_fee", description="Pro", amount=D("58.20"), subscription_id=1,
                   plan_id=1)  # fmt: skip
    ten = replace(coupon_terms("percent", "forever", percent_off=D(10)), code="ten", name="Ten")
    [spec] = invoice_discounts([fee], [ten], "USD")
    assert spec.description == "Ten (ten)"
    discount = line("discount", str(spec.amount), spec.explanation, description=spec.description)
    assert titles(discount) == ("Discount (coupon Ten)", "Rabatt (Gutschein Ten)")


def test_add_ons_and_one_offs_keep_what_staff_wrote_and_corrections_name_the_invoice() -> None:
    add_on = line("add_on", "300.00", {"add_on": "onboarding", "formula": "2 x 150"},
                  description="Onboarding x 2", quantity=D(2), unit_amount=D(150))  # fmt: skip
    assert titles(add_on) == ("Onboarding x 2", "Onboarding x 2")
    one_off = line("one_off", "-50.00", {"formula": "1 x -50"}, description="Kulanzgutschrift")
    assert titles(one_off) == ("Kulanzgutschrift", "Kulanzgutschrift")
    settled = {"corrects": "INV-2026-000001", "invoiced": "9.19", "recomputed": "13.19",
               "reason": "late", "rule": "re-rated"}  # fmt: skip
    usage_fix = line("usage", "4.00", settled, metric_code="api_calls",
                     description="Correction of INV-2026-000001: api_calls")  # fmt: skip
    assert titles(usage_fix) == (
        "Correction of invoice INV-2026-000001: API calls",
        "Korrektur der Rechnung INV-2026-000001: API calls",
    )
    discount_fix = line("discount", "-0.40", settled,
                        description="Correction of INV-2026-000001: coupon discounts")  # fmt: skip
    assert titles(discount_fix) == (
        "Correction of invoice INV-2026-000001: discounts",
        "Korrektur der Rechnung INV-2026-000001: Rabatte",
    )


def test_a_line_whose_explanation_or_names_lack_its_title_keeps_its_description() -> None:
    older = [
        line("fixed_fee", "49.00", {}, description="Pro x 1"),
        line("fixed_fee", "49.00", {"price_version": 5}, description="Pro x 1"),
        line("proration", "-10.00", {"why": "paused"}, description="Paused time on pro@v1 x 1"),
        line("minimum", "17.90", {"minimum": "50"}, description="Api Calls: minimum true-up"),
        line("discount", "-5.82", {"percent_off": "10"}, description="Ten (ten)"),
    ]
    for item in older:
        assert titles(item) == (item.description, item.description)
    # a code the catalog has no name for (not in the names given)
    unknown = line("proration", "-10.00", {"price_version": "gone@v3", "why": "paused"},
                   description="Paused time on gone@v3 x 1")  # fmt: skip
    assert titles(unknown) == ("Paused time on gone@v3 x 1",) * 2
    unnamed = line("usage", "4.00", {"corrects": "INV-2026-000001"}, metric_code="gone",
                   description="Correction of INV-2026-000001: gone")  # fmt: skip
    assert titles(unnamed) == ("Correction of INV-2026-000001: gone",) * 2
    # without names, a usage line keeps its metric's name without the quantity it appends
    calls = line("usage", "9.19", {}, description="Api Calls (14595)", metric_code="api_calls",
                 quantity=D(14595))  # fmt: skip
    assert titles(calls, pdf.Names()) == ("Api Calls", "Api Calls")


@hsettings(max_examples=60, deadline=None)
@given(
    day=st.integers(min_value=0, max_value=30),
    hours=st.integers(min_value=0, max_value=23),
    quantities=st.tuples(st.integers(1, 40), st.integers(1, 40)),
    timings=st.tuples(*[st.sampled_from(["advance", "arrears"])] * 2),
    locale=st.sampled_from(["en", "de-DE"]),
)
def test_proration_titles_never_show_a_version_or_a_date(
    day: int, hours: int, quantities: tuple[int, int], timings: tuple[str, str], locale: str
) -> None:
    month = Period(OCT, NOV, 0)
    at = OCT + timedelta(days=day, hours=hours)
    old = FeeTerms(fee=D(49), quantity=quantities[0], version="pro@v1", timing=timings[0])
    new = FeeTerms(fee=D(99), quantity=quantities[1], version="max@v1", timing=timings[1])
    items = [*change_lines(old, new, at, month, "USD"), *cancel_lines(old, at, month, "USD", OCT)]
    paused = pause_credit(old, OCT, at, month, "USD")
    for item in [*items, *([paused] if paused else [])]:
        title = pdf.line_title(prorated(item), locale, NAMES)
        assert not re.search(r"@|\d| x ", title), title
        assert title.startswith("Pro plan" if locale == "en" else "Tarif Pro") or title in (
            "Max plan, remaining time", "Tarif Max, verbleibende Zeit",
        )  # fmt: skip


@hsettings(max_examples=80, deadline=None)
@given(
    quantity=st.decimals(min_value=D(1), max_value=D("1e9"), places=3, allow_nan=False),
    model=st.sampled_from(["per_unit", "graduated", "volume", "package"]),
    locale=st.sampled_from(["en", "de-DE"]),
)
def test_usage_words_never_show_a_formula(quantity: Decimal, model: str, locale: str) -> None:
    params = {
        "per_unit": {"unit_price": "0.002"},
        "graduated": TIERS,
        "volume": TIERS,
        "package": {"package_size": "100", "package_price": "3"},
    }[model]
    text = words(usage(model, params, str(quantity)), locale)
    assert text.startswith(pdf.number_text(quantity, pdf.babel_locale(locale)) + " API calls")
    assert not re.search(r" x |=| s\b|/", text), text


# --------------------------------------------------------------- the catalogs of languages


def _catalog(language: str) -> dict[str, Any]:
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        return {
            (m.id[0] if isinstance(m.id, tuple) else m.id): m
            for m in read_po(f, locale=language)
            if m.id
        }


def _used_msgids() -> set[str]:
    """Every message the PDFs use: the templates' (through Django's own templatize) and the
    code's."""
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    sources = [io.BytesIO((ROOT / "invoicing" / "pdf.py").read_bytes())]
    for template in sorted((ROOT / "templates" / "invoices").glob("*.html")):
        sources.append(io.BytesIO(templatize(template.read_text()).encode()))
    found = set()
    for source in sources:
        for _lineno, message, _comments, _context in extract("python", source, keywords):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_english_and_german_are_complete() -> None:
    used = _used_msgids()
    assert len(used) > 60
    for language in ("en", "de"):
        messages = _catalog(language)
        assert used <= set(messages), used - set(messages)
        for key, message in messages.items():
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), (language, key)
            assert not message.fuzzy, (language, key)


def test_the_compiled_catalogs_say_what_the_po_files_say() -> None:
    """The .mo files are committed: they must be compiled from the .po files as they are."""
    for language in ("en", "de"):
        with translation.override(language):
            for key, message in _catalog(language).items():
                if isinstance(message.id, tuple):
                    assert translation.ngettext(key, message.id[1], 1) == message.string[0]
                    assert translation.ngettext(key, message.id[1], 5) == message.string[1]
                else:
                    assert translation.gettext(key) == message.string, key


def test_the_documents_language_comes_from_the_customers_locale() -> None:
    assert [pdf.document_language(tag) for tag in ("de", "de-DE", "de_AT", "en-GB", "fr", "")] == [
        "de", "de", "de", "en", "en", "en",
    ]  # fmt: skip


# ---------------------------------------------------------------------------- documents


def german_customer(plan: Any) -> Customer:
    customer = customer_in(
        1, plan, name="Muster GmbH", country="DE", locale="de-DE", tax_id="DE123456789",
        address_line1="Invalidenstraße 1", city="Berlin", postal_code="10115",
    )  # fmt: skip
    coupon("ten", kind="percent", percent_off=D(10), duration="forever")
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
    return customer


GERMAN_LABELS = (
    "Rechnung INV-2026-000001", "Kundennummer: w1", "Ihre USt-IdNr.: DE123456789",
    "Ausgestellt am: 01.02.2026", "Fällig am: 03.03.2026", "Währung: USD",
    "Beschreibung Zeitraum Menge Einheit Einzelpreis Betrag", "Zwischensumme 52,38\xa0$",
    "USt. 19\xa0% 9,95\xa0$", "Gesamtbetrag 62,33\xa0$", "Verwendungszweck: INV-2026-000001",
)  # fmt: skip


@pytest.mark.django_db
def test_a_german_customers_invoice_reads_in_german(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    tax_rate("de_vat", "19", country="DE")
    customer = german_customer(workload_plan())
    run_tick(FEB + timedelta(minutes=5))
    invoice = invoice_of(customer)
    text = text_of(pdf.invoice_html(invoice))
    # w1: fee 49.00, usage 9.19 + 0.01, 10 % off 58.20 = -5.82: 52.38 net; tax 9.31 + 1.75 +
    # 0.00 - 1.11 = 9.95; total 62.33
    for label in GERMAN_LABELS:
        assert label in text, label
    assert "Muster GmbH Invalidenstraße 1 10115 BERLIN Deutschland" in text
    assert (
        "Tarif Pro Abonnementgebühr für den ganzen Zeitraum, am Ende des Zeitraums berechnet "
        "1.–31. Jan. 2026 1 Lizenz 49,00\xa0$ 49,00\xa0$"
    ) in text
    assert (
        "Api Calls 14.595 Api Calls: die ersten 10.000 zu je 0,00\xa0$, die nächsten 4.595 zu "
        "je 0,002\xa0$ 1.–31. Jan. 2026 14.595 Api Calls — 9,19\xa0$"
    ) in text
    assert (
        "Storage Gb 0,1 Storage Gb zu je 0,10\xa0$ 1.–31. Jan. 2026 0,1 Storage Gb 0,10\xa0$ "
        "0,01\xa0$"
    ) in text
    assert (
        "Rabatt (Gutschein Ten) 10\xa0% Rabatt auf 58,20\xa0$ 1.–31. Jan. 2026 -5,82\xa0$" in text
    )
    for english in ("Invoice", "Quantity", "Subtotal", "Total", "Amount due", "billed"):
        assert english not in text, english
    stored = invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB)
    read = pdf_text(stored.pdf.read())
    for expected in ("Rechnung INV-2026-000001", "Einzelpreis", "Zwischensumme", "Gesamtbetrag",
                     "62,33", "Lizenz", "10115 BERLIN", "Deutschland"):  # fmt: skip
        assert expected in read, expected


INTERNAL_TITLES = ("@v", "Unused time on", "Remaining time on", "Paused time on", "Time used on",
                   "Correction of", "coupon discounts", " x 1", "(ten)", "api_calls")  # fmt: skip


@pytest.mark.django_db
def test_a_german_invoice_titles_every_line_in_german_without_codes(
    settings: Any, django_assert_num_queries: Any
) -> None:
    """A German customer changes plan, pauses, has a coupon and late usage: every line's title
    is in German, by the plan's, metric's and coupon's names; no price-version code, no
    internal English title, no ISO date."""
    settings.CORRECTIONS_AUTO_APPLY = True
    small = usage_plan("small", "31.00", timing="advance")  # named "Small"
    big = usage_plan("big", "62.00", timing="advance")  # named "Big"
    customer = a_customer("m1", name="Muster GmbH", locale="de-DE", country="DE")
    coupon("ten", kind="percent", percent_off=D(10), duration="forever")
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
    sub = subscription_create(customer_id=customer.pk, plan_id=small.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    run_tick(JAN + timedelta(minutes=5))  # January's fee in advance
    send("m1", JAN + timedelta(days=4), 100)  # 100 calls at 0.05 = 5.00
    subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=9),
                        plan_id=big.pk, when="now")  # fmt: skip
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=19))
    subscription_resume(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=24))
    run_tick(FEB + timedelta(minutes=5))
    invoice = Invoice.objects.get(customer=customer, billing_date=FEB)
    stored = set(invoice.lines.values_list("description", flat=True))
    assert "Unused time on small@v1 x 1 (2026-01-10 to 2026-02-01)" in stored  # as stored
    # the lines, the names of their plans, their metrics and their coupons: whatever the lines
    with django_assert_num_queries(4):
        text = text_of(pdf.invoice_html(invoice))
    for expected in (
        "Api Calls 100 Api Calls zu je 0,05\xa0$ 1.–31. Jan. 2026 100 Api Calls 0,05\xa0$ "
        "5,00\xa0$",
        "Tarif Small, nicht genutzte Zeit Gutschrift für nicht genutzte Zeit: 22 von 31 Tagen",
        "Tarif Big, verbleibende Zeit Verbleibende Zeit: 22 von 31 Tagen",
        "Tarif Big, pausierte Zeit Gutschrift für die pausierte Zeit: 5 von 31 Tagen",
        "Tarif Big Abonnementgebühr für den ganzen Zeitraum, im Voraus berechnet 1.–28. Feb. 2026",
        "Rabatt (Gutschein Ten) 10\xa0% Rabatt auf 67,00\xa0$",
    ):
        assert expected in text, expected
    for internal in (*INTERNAL_TITLES, "2026-01", "Small x", "Big x", "Ten (ten)"):
        assert internal not in text, internal

    send("m1", JAN + timedelta(days=20), 40, received=FEB + timedelta(days=2))  # +2.00
    dispatch(FEB + timedelta(days=2))
    run_tick(FEB + timedelta(days=2, minutes=5))  # finalizes the correction (its customer frozen)
    supplement = Invoice.objects.get(corrects=invoice, status="open")
    text = text_of(pdf.invoice_html(supplement))
    assert "Korrektur der Rechnung INV-2026-000002: Api Calls" in text
    assert "Korrektur der Rechnung INV-2026-000002: Rabatte" in text  # 10 % of the 2.00 more
    for internal in INTERNAL_TITLES:
        assert internal not in text, internal

    fee = invoice.lines.get(kind="fixed_fee")
    note = credit_note_issue(
        invoice_id=invoice.pk, as_of=FEB + timedelta(days=3), actor=TEST_ACTOR,
        reason="Kulanz", lines=[(fee.pk, D("10.00"))],
    )  # fmt: skip
    text = text_of(pdf.credit_note_html(note))
    assert "Tarif Big 1.–28. Feb. 2026" in text
    for internal in INTERNAL_TITLES:
        assert internal not in text, internal


@pytest.mark.django_db
def test_an_english_customers_invoice_with_a_us_address() -> None:
    customer = customer_in(
        1, workload_plan(), name="Acme Inc", address_line1="1600 Amphitheatre Pkwy",
        city="Mountain View", state="CA", postal_code="94043",
    )  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    text = text_of(pdf.invoice_html(invoice_of(customer)))
    for expected in (
        "Invoice INV-2026-000001",
        "Acme Inc 1600 Amphitheatre Pkwy MOUNTAIN VIEW, CA 94043 United States Customer number: w1",
        "Issued: Feb 1, 2026 · Due: Mar 3, 2026 · Currency: USD",
        "Description Period Quantity Unit Unit price Amount",
        "Pro plan Subscription fee for the whole period, billed at the end of the period "
        f"Jan 1{T}–{T}31, 2026 1 seat $49.00 $49.00",
        "Api Calls 14,595 Api Calls: first 10,000 at $0.00 each, next 4,595 at $0.002 each "
        f"Jan 1{T}–{T}31, 2026 14,595 Api Calls — $9.19",
        "Subtotal $58.20 Tax $0.00 Total $58.20",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_a_locale_without_a_catalog_reads_english_labels_in_its_own_formats() -> None:
    customer = customer_in(1, workload_plan(), locale="fr-FR", country="FR", city="Paris",
                           postal_code="75001", address_line1="1 rue de Rivoli")  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    text = text_of(pdf.invoice_html(invoice_of(customer)))
    assert "Invoice INV-2026-000001" in text
    assert "1 rue de Rivoli 75001 PARIS France" in text
    assert "Subtotal 58,20\xa0$US" in text
    assert "1–31 janv. 2026" in text


@pytest.mark.django_db
def test_a_first_period_shorter_than_the_interval_is_billed_pro_rata_in_days() -> None:
    plan = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "team", "name": "Team", "currency": "USD", "interval_unit": "month",
              "calendar_aligned": True},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN,
        data={"effective_from": JAN, "fixed_fee": D("31.00"), "fee_timing": "advance"},
        charges=[],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    customer = CustomerFactory(external_id="team-1")
    start = JAN + timedelta(days=19)  # Jan 20: a stub to Feb 1, 12 of January's 31 days
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=start,
                        quantity=2)  # fmt: skip
    run_tick(start + timedelta(minutes=5))
    invoice = Invoice.objects.get(customer=customer)
    fee = invoice.lines.get()
    assert fee.amount == D("24.00")  # 31.00 x 2 seats x 12 / 31
    text = text_of(pdf.invoice_html(invoice))
    assert (
        "Team plan Subscription fee pro rata for 12 of 31 days, billed in advance "
        f"Jan 20{T}–{T}31, 2026 2 seats $31.00 $24.00"
    ) in text


@pytest.mark.django_db
def test_a_credit_note_has_its_pdf_in_the_customers_language(api: Any, anon_api: Any) -> None:
    tax_rate("de_vat", "19", country="DE")
    customer = german_customer(workload_plan())
    run_tick(FEB + timedelta(minutes=5))
    invoice = invoice_of(customer)
    usage_line = invoice.lines.get(metric_code="api_calls")  # 9.19, its tax 1.75
    note = credit_note_issue(
        invoice_id=invoice.pk, as_of=FEB + timedelta(days=3), actor=TEST_ACTOR,
        reason="Kulanz", lines=[(usage_line.pk, D("5.00"))],
    )  # fmt: skip
    # its tax: 1.75 x 5.00 / 9.19 = 0.952... -> 0.95; total 5.95, all of it off the amount due
    assert (note.total, note.tax_total, note.to_balance) == (D("5.95"), D("0.95"), D(0))
    text = text_of(pdf.credit_note_html(note))
    for expected in (
        "Rechnungskorrektur CN-2026-000001",
        "Muster GmbH Invalidenstraße 1 10115 BERLIN Deutschland Kundennummer: w1",
        "Ausgestellt am: 04.02.2026 · Währung: USD",
        "Korrigiert die Rechnung INV-2026-000001 vom 01.02.2026",
        "Grund: Kulanz",
        "Beschreibung Zeitraum Steuersatz USt. Betrag",
        "Api Calls 1.–31. Jan. 2026 19\xa0% 0,95\xa0$ 5,00\xa0$",
        "Zwischensumme 5,00\xa0$ USt. 19\xa0% 0,95\xa0$ Gutgeschriebener Betrag 5,95\xa0$",
        "Mit dem offenen Betrag der Rechnung INV-2026-000001 verrechnet 5,95\xa0$",
    ):
        assert expected in text, expected
    assert "Ihrem Guthaben gutgeschrieben" not in text  # nothing went to the balance

    first = api.get(f"/api/v1/credit-notes/{note.pk}/pdf/")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == 'attachment; filename="CN-2026-000001.pdf"'
    assert first["X-Content-SHA256"] == pdf.checksum(first.content)
    again = api.get(f"/api/v1/credit-notes/{note.pk}/pdf/")
    assert again.content == first.content  # rendered from frozen rows: the same bytes
    read = pdf_text(first.content)
    for expected in ("Rechnungskorrektur CN-2026-000001", "INV-2026-000001", "Kulanz", "5,95",
                     "0,95", "Steuersatz"):  # fmt: skip
        assert expected in read, expected
    assert anon_api.get(f"/api/v1/credit-notes/{note.pk}/pdf/").status_code == 401
    missing = api.get(f"/api/v1/credit-notes/{note.pk + 1000}/pdf/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
def test_a_credit_beyond_what_is_owed_goes_to_the_balance_and_says_so() -> None:
    customer = customer_in(1, workload_plan())
    customer_balance_adjust(customer_id=customer.pk, amount=D(50), actor=TEST_ACTOR, as_of=JAN,
                            reason="welcome")  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    invoice = invoice_of(customer)  # 58.20, of which 50.00 paid from the balance: 8.20 due
    invoice_text = text_of(pdf.invoice_html(invoice))
    assert "Total $58.20 Paid from your credit balance −$50.00 Amount due $8.20" in invoice_text
    note = credit_note_issue(invoice_id=invoice.pk, as_of=FEB + timedelta(days=1),
                             actor=TEST_ACTOR, reason="Service outage")  # fmt: skip
    # the whole 58.20: 8.20 still owed is taken off, 50.00 goes to the balance
    assert (note.total, note.to_balance) == (D("58.20"), D("50.00"))
    text = text_of(pdf.credit_note_html(CreditNote.objects.get(pk=note.pk)))
    for expected in (
        "Credit note CN-2026-000001",
        "Credits invoice INV-2026-000001 of Feb 1, 2026",
        "Reason: Service outage",
        f"Pro plan Jan 1{T}–{T}31, 2026 $0.00 $49.00",
        "Subtotal $58.20 Tax $0.00 Total credited $58.20",
        "Taken off the amount due on invoice INV-2026-000001 $8.20",
        "Added to your credit balance $50.00",
    ):
        assert expected in text, expected
