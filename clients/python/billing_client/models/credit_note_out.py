from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.credit_note_line_out import CreditNoteLineOut
    from ..models.tax_breakdown_out import TaxBreakdownOut


T = TypeVar("T", bound="CreditNoteOut")


@_attrs_define
class CreditNoteOut:
    """
    Attributes:
        id (int):
        number (str):
        invoice (int):
        invoice_number (str):
        currency (str):
        total (str): with its tax
        tax_breakdown (list[TaxBreakdownOut]): The tax credited by rate: each rate of the credited lines, its base, its
            tax.
        reason (str):
        issued_at (datetime.datetime):
        issued_by (str):
        lines (list[CreditNoteLineOut]):
        tax_total (str | Unset):
        to_balance (str | Unset): The part beyond what was still owed on the invoice, credited to the customer's
            balance.
        subscription (int | None | Unset): The subscription whose cancellation it credits (a price book's
            cancellation_credit = credit_note), else null.
        explanation (Any | Unset): How a credit note issued by a rule was computed (the period, the unused part, the
            formula); empty for one issued by hand.
    """

    id: int
    number: str
    invoice: int
    invoice_number: str
    currency: str
    total: str
    tax_breakdown: list[TaxBreakdownOut]
    reason: str
    issued_at: datetime.datetime
    issued_by: str
    lines: list[CreditNoteLineOut]
    tax_total: str | Unset = UNSET
    to_balance: str | Unset = UNSET
    subscription: int | None | Unset = UNSET
    explanation: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number = self.number

        invoice = self.invoice

        invoice_number = self.invoice_number

        currency = self.currency

        total = self.total

        tax_breakdown = []
        for tax_breakdown_item_data in self.tax_breakdown:
            tax_breakdown_item = tax_breakdown_item_data.to_dict()
            tax_breakdown.append(tax_breakdown_item)

        reason = self.reason

        issued_at = self.issued_at.isoformat()

        issued_by = self.issued_by

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        tax_total = self.tax_total

        to_balance = self.to_balance

        subscription: int | None | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        else:
            subscription = self.subscription

        explanation = self.explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "invoice": invoice,
                "invoice_number": invoice_number,
                "currency": currency,
                "total": total,
                "tax_breakdown": tax_breakdown,
                "reason": reason,
                "issued_at": issued_at,
                "issued_by": issued_by,
                "lines": lines,
            }
        )
        if tax_total is not UNSET:
            field_dict["tax_total"] = tax_total
        if to_balance is not UNSET:
            field_dict["to_balance"] = to_balance
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if explanation is not UNSET:
            field_dict["explanation"] = explanation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credit_note_line_out import CreditNoteLineOut  # noqa: PLC0415
        from ..models.tax_breakdown_out import TaxBreakdownOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        number = d.pop("number")

        invoice = d.pop("invoice")

        invoice_number = d.pop("invoice_number")

        currency = d.pop("currency")

        total = d.pop("total")

        tax_breakdown = []
        _tax_breakdown = d.pop("tax_breakdown")
        for tax_breakdown_item_data in _tax_breakdown:
            tax_breakdown_item = TaxBreakdownOut.from_dict(tax_breakdown_item_data)

            tax_breakdown.append(tax_breakdown_item)

        reason = d.pop("reason")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        issued_by = d.pop("issued_by")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = CreditNoteLineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        tax_total = d.pop("tax_total", UNSET)

        to_balance = d.pop("to_balance", UNSET)

        def _parse_subscription(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        explanation = d.pop("explanation", UNSET)

        credit_note_out = cls(
            id=id,
            number=number,
            invoice=invoice,
            invoice_number=invoice_number,
            currency=currency,
            total=total,
            tax_breakdown=tax_breakdown,
            reason=reason,
            issued_at=issued_at,
            issued_by=issued_by,
            lines=lines,
            tax_total=tax_total,
            to_balance=to_balance,
            subscription=subscription,
            explanation=explanation,
        )

        credit_note_out.additional_properties = d
        return credit_note_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
