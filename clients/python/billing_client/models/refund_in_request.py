from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.refund_credit_line_in_request import RefundCreditLineInRequest


T = TypeVar("T", bound="RefundInRequest")


@_attrs_define
class RefundInRequest:
    """
    Attributes:
        reason (str):
        amount (None | str | Unset): in the payment's currency; omit for the most that is refundable
        credit_note (int | None | Unset): pay out what this credit note (on an invoice this payment paid) put on the
            customer's credit balance
        credit_invoice (int | None | Unset): issue a credit note on this invoice (one this payment paid) and refund what
            it puts on the customer's balance
        credit_lines (list[RefundCreditLineInRequest] | None | Unset): with credit_invoice: the lines and amounts to
            credit; omit to credit the whole invoice
    """

    reason: str
    amount: None | str | Unset = UNSET
    credit_note: int | None | Unset = UNSET
    credit_invoice: int | None | Unset = UNSET
    credit_lines: list[RefundCreditLineInRequest] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        amount: None | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        credit_note: int | None | Unset
        if isinstance(self.credit_note, Unset):
            credit_note = UNSET
        else:
            credit_note = self.credit_note

        credit_invoice: int | None | Unset
        if isinstance(self.credit_invoice, Unset):
            credit_invoice = UNSET
        else:
            credit_invoice = self.credit_invoice

        credit_lines: list[dict[str, Any]] | None | Unset
        if isinstance(self.credit_lines, Unset):
            credit_lines = UNSET
        elif isinstance(self.credit_lines, list):
            credit_lines = []
            for credit_lines_type_0_item_data in self.credit_lines:
                credit_lines_type_0_item = credit_lines_type_0_item_data.to_dict()
                credit_lines.append(credit_lines_type_0_item)

        else:
            credit_lines = self.credit_lines

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount
        if credit_note is not UNSET:
            field_dict["credit_note"] = credit_note
        if credit_invoice is not UNSET:
            field_dict["credit_invoice"] = credit_invoice
        if credit_lines is not UNSET:
            field_dict["credit_lines"] = credit_lines

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.refund_credit_line_in_request import RefundCreditLineInRequest  # noqa: PLC0415

        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_credit_note(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credit_note = _parse_credit_note(d.pop("credit_note", UNSET))

        def _parse_credit_invoice(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credit_invoice = _parse_credit_invoice(d.pop("credit_invoice", UNSET))

        def _parse_credit_lines(data: object) -> list[RefundCreditLineInRequest] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                credit_lines_type_0 = []
                _credit_lines_type_0 = data
                for credit_lines_type_0_item_data in _credit_lines_type_0:
                    credit_lines_type_0_item = RefundCreditLineInRequest.from_dict(credit_lines_type_0_item_data)

                    credit_lines_type_0.append(credit_lines_type_0_item)

                return credit_lines_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[RefundCreditLineInRequest] | None | Unset, data)

        credit_lines = _parse_credit_lines(d.pop("credit_lines", UNSET))

        refund_in_request = cls(
            reason=reason,
            amount=amount,
            credit_note=credit_note,
            credit_invoice=credit_invoice,
            credit_lines=credit_lines,
        )

        refund_in_request.additional_properties = d
        return refund_in_request

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
