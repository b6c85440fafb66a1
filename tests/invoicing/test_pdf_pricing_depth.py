"""Issue 17, items 4 and 13 on the customer's documents: a graduated percentage, a free amount and
a first tier's flat fee billed at quantity 0, each line in words (English and German), never a
formula. Every expected text is written by hand."""

from __future__ import annotations

from decimal import Decimal

from catalog.pricing import Percentage, compile_charge
from tests.invoicing.test_pdf_documents import line, usage, words

D = Decimal
RATE_TIERS = {
    "tiers": [
        {"from": "0", "to": "1000", "rate": "1"},
        {"from": "1000", "to": None, "rate": "0.5", "flat_fee": "2"},
    ]
}
SETUP = {
    "tiers": [
        {"from": "0", "to": "100", "unit_price": "0.10", "flat_fee": "5"},
        {"from": "100", "to": None, "unit_price": "0.05"},
    ]
}


def test_a_graduated_percentage_in_words() -> None:
    item = usage("graduated_percentage", RATE_TIERS, "2600.25")
    # 1000 x 1% + 1600.25 x 0.5% + 2 = 20.00125 -> 20.00
    assert item.amount == D("20.00")
    assert words(item, unit="") == (
        "$2,600.25: first $1,000.00 at 1%, next $1,600.25 at 0.5% plus a flat $2.00"
    )
    assert words(item, "de-DE", unit="") == (
        "2.600,25\xa0$: die ersten 1.000,00\xa0$ zu 1\xa0%, "
        "die nächsten 1.600,25\xa0$ zu 0,5\xa0% zuzüglich pauschal 2,00\xa0$"
    )
    assert words(usage("graduated_percentage", RATE_TIERS, "0")) == "No usage in this period"


def test_a_free_amount_in_words() -> None:
    item = usage("percentage", {"rate": "1.5", "free_amount": "500"}, "750.40")
    assert item.amount == D("3.76")  # (750.40 - 500) x 1.5% = 3.756
    assert words(item, unit="") == "1.5% of $750.40, the first $500.00 free"
    assert (
        words(item, "de-DE", unit="")
        == "1,5\xa0% von 750,40\xa0$, die ersten 500,00\xa0$ kostenlos"
    )
    rater = compile_charge(
        "percentage",
        {"rate": "2.9", "fixed_fee": "0.30", "free_transactions": "3", "free_amount": "100"},
        currency="USD",
    )
    assert isinstance(rater, Percentage)
    rating = rater.rate_transactions([D(30), D(50), D(80), D(200)])
    assert rating.rounded == D("8.14")  # 60 x 2.9% + 0.30 + 200 x 2.9% + 0.30
    card = line("usage", str(rating.rounded), rating.explanation(), quantity=rating.quantity)
    assert words(card, unit="") == (
        "2.9% of each transaction plus $0.30, the first 3 transactions free, the first $100.00 "
        "of the total free; transactions totalling $360.00"
    )


def test_a_first_tiers_flat_fee_at_zero_in_words() -> None:
    for model in ("graduated", "volume"):
        billed = usage(model, {**SETUP, "flat_fee_at_zero": True}, "0")
        assert billed.amount == D("5.00")
        assert words(billed) == (
            "No usage in this period; the first tier's flat fee of $5.00 applies"
        )
        assert words(billed, "de-DE") == (
            "Keine Nutzung in diesem Zeitraum; es gilt die Pauschale der ersten Stufe von 5,00\xa0$"
        )
        assert words(usage(model, SETUP, "0")) == "No usage in this period"
