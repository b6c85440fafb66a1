from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.balance_adjustment_kind_enum import BalanceAdjustmentKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="BalanceInRequest")


@_attrs_define
class BalanceInRequest:
    """
    Attributes:
        amount (str): positive: credit granted; negative: taken back
        reason (str):
        kind (BalanceAdjustmentKindEnum | Unset): * `grant` - grant
            * `adjustment` - adjustment
            * `prepaid` - prepaid Default: BalanceAdjustmentKindEnum.GRANT.
    """

    amount: str
    reason: str
    kind: BalanceAdjustmentKindEnum | Unset = BalanceAdjustmentKindEnum.GRANT
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        reason = self.reason

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "reason": reason,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        reason = d.pop("reason")

        _kind = d.pop("kind", UNSET)
        kind: BalanceAdjustmentKindEnum | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = BalanceAdjustmentKindEnum(_kind)

        balance_in_request = cls(
            amount=amount,
            reason=reason,
            kind=kind,
        )

        balance_in_request.additional_properties = d
        return balance_in_request

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
