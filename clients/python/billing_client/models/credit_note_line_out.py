from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreditNoteLineOut")


@_attrs_define
class CreditNoteLineOut:
    """
    Attributes:
        description (str):
        amount (str): positive: credited
        invoice_line (int | None | Unset):
        tax_amount (str | Unset): its share of the tax
    """

    description: str
    amount: str
    invoice_line: int | None | Unset = UNSET
    tax_amount: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        amount = self.amount

        invoice_line: int | None | Unset
        if isinstance(self.invoice_line, Unset):
            invoice_line = UNSET
        else:
            invoice_line = self.invoice_line

        tax_amount = self.tax_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "amount": amount,
            }
        )
        if invoice_line is not UNSET:
            field_dict["invoice_line"] = invoice_line
        if tax_amount is not UNSET:
            field_dict["tax_amount"] = tax_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        amount = d.pop("amount")

        def _parse_invoice_line(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        invoice_line = _parse_invoice_line(d.pop("invoice_line", UNSET))

        tax_amount = d.pop("tax_amount", UNSET)

        credit_note_line_out = cls(
            description=description,
            amount=amount,
            invoice_line=invoice_line,
            tax_amount=tax_amount,
        )

        credit_note_line_out.additional_properties = d
        return credit_note_line_out

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
