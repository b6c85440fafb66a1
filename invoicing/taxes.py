"""Which tax rate taxes an invoice line, and an invoice's tax breakdown by rate.

A line's rate, most specific first:

1. the rate set in the catalog on what priced it: its usage charge (usage lines and their minimum
   true-ups), its add-on (add-on lines), its one-time fee, else its plan's product (the fixed fee,
   the proration lines of that plan, and anything else of the plan) — the planner carries it as
   `LineSpec.tax_rate_id`, the stored line as `InvoiceLine.catalog_tax_rate`;
2. else the customer's address rate (catalog.selectors.pick_tax_rate), as before.

A tax-exempt customer (`Customer.tax_exempt`) wins over both: none of its lines is taxed, whatever
rate its products carry (an exempt body, or a reverse charge decided for the customer as a
whole). A discount line is taxed like the lines it discounts (planner.discount_by_rate); lines
added by hand take the address rate; prepaid-credit lines are never taxed.

The breakdown lists each rate used on a document with its base (the net amounts taxed at it:
for an inclusive rate the amounts less their tax) and its tax, zero-rated, exempt and
reverse-charge rates included (percentage 0, base only) with their legal mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from billing.models import Customer
from catalog.models import TaxRate
from catalog.selectors import pick_tax_rate, tax_rates_in_use


class Rates:
    """The tax rates a batch of lines may use: the address rates in use (one query), and the
    rates set in the catalog, loaded by id when first met (an archived rate still taxes what is
    sold under it)."""

    def __init__(self, in_use: list[TaxRate] | None = None) -> None:
        self.in_use = tax_rates_in_use() if in_use is None else in_use
        self.by_id: dict[int, TaxRate] = {rate.pk: rate for rate in self.in_use}

    def load(self, ids: Iterable[int | None]) -> None:
        missing = {i for i in ids if i is not None and i not in self.by_id}
        if missing:
            self.by_id.update(TaxRate.objects.in_bulk(list(missing)))

    def address(self, customer: Customer) -> TaxRate | None:
        """The customer's address rate (None when it is tax exempt, or no rate matches)."""
        if customer.tax_exempt:
            return None
        return pick_tax_rate(self.in_use, customer.country, customer.state)

    def for_line(self, customer: Customer, set_rate_id: int | None) -> TaxRate | None:
        """The rate that taxes a line of the customer whose catalog rate is `set_rate_id`."""
        if customer.tax_exempt:
            return None
        if set_rate_id is not None:
            self.load([set_rate_id])
            return self.by_id[set_rate_id]
        return self.address(customer)


@dataclass(frozen=True)
class Taxed:
    """A line as the breakdown reads it."""

    rate: TaxRate | None
    percentage: Decimal
    inclusive: bool
    category: str
    amount: Decimal
    tax: Decimal


def breakdown(lines: Iterable[Taxed]) -> list[dict[str, Any]]:
    """The tax of a document by rate: each rate with its base (net of an inclusive tax) and its
    tax, in the order of the rates' first lines. Lines taxed at no rate are left out."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for line in lines:
        if line.rate is None:
            continue
        key = (line.rate.pk, line.percentage, line.inclusive, line.category)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "code": line.rate.code,
                "name": line.rate.name,
                "percentage": line.percentage,
                "inclusive": line.inclusive,
                "category": line.category or line.rate.category,
                "legal_mention": line.rate.legal_mention,
                "base": Decimal(0),
                "tax": Decimal(0),
            }
        row["base"] += line.amount - line.tax if line.inclusive else line.amount
        row["tax"] += line.tax
    return list(rows.values())


def lines_breakdown(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """The breakdown of stored lines (InvoiceLine, their `tax_rate` loaded), in their order."""
    return breakdown(
        Taxed(
            line.tax_rate,
            line.tax_percentage,
            line.tax_inclusive,
            line.tax_category,
            line.amount,
            line.tax_amount,
        )
        for line in lines
    )


def credit_note_breakdown(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """A credit note's breakdown: each credited part at the rate of the line it credits
    (CreditNoteLine, their `invoice_line__tax_rate` loaded)."""
    return breakdown(
        Taxed(
            line.invoice_line.tax_rate,
            line.invoice_line.tax_percentage,
            line.invoice_line.tax_inclusive,
            line.invoice_line.tax_category,
            line.amount,
            line.tax_amount,
        )
        for line in lines
        if line.invoice_line is not None
    )


def legal_mentions(rows: Iterable[dict[str, Any]]) -> list[str]:
    """The legal mentions of a breakdown's rates, each once, in order."""
    found: list[str] = []
    for row in rows:
        mention = row["legal_mention"]
        if mention and mention not in found:
            found.append(mention)
    return found
