from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutBasisItemOut")


@_attrs_define
class PayoutBasisItemOut:
    """
    Attributes:
        amount (str):
        payment (int | None | Unset):
        refund (int | None | Unset):
    """

    amount: str
    payment: int | None | Unset = UNSET
    refund: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        payment: int | None | Unset
        if isinstance(self.payment, Unset):
            payment = UNSET
        else:
            payment = self.payment

        refund: int | None | Unset
        if isinstance(self.refund, Unset):
            refund = UNSET
        else:
            refund = self.refund

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
            }
        )
        if payment is not UNSET:
            field_dict["payment"] = payment
        if refund is not UNSET:
            field_dict["refund"] = refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        def _parse_payment(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        payment = _parse_payment(d.pop("payment", UNSET))

        def _parse_refund(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        refund = _parse_refund(d.pop("refund", UNSET))

        payout_basis_item_out = cls(
            amount=amount,
            payment=payment,
            refund=refund,
        )

        payout_basis_item_out.additional_properties = d
        return payout_basis_item_out

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
