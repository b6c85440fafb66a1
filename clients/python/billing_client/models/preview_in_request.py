from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PreviewInRequest")


@_attrs_define
class PreviewInRequest:
    """
    Attributes:
        metric (str): The code of the charged metric.
        quantity (str | Unset):
        transactions (list[str] | Unset): Per-transaction amounts, for percentage charges with per-transaction fees.
    """

    metric: str
    quantity: str | Unset = UNSET
    transactions: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metric = self.metric

        quantity = self.quantity

        transactions: list[str] | Unset = UNSET
        if not isinstance(self.transactions, Unset):
            transactions = self.transactions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metric": metric,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if transactions is not UNSET:
            field_dict["transactions"] = transactions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        metric = d.pop("metric")

        quantity = d.pop("quantity", UNSET)

        transactions = cast(list[str], d.pop("transactions", UNSET))

        preview_in_request = cls(
            metric=metric,
            quantity=quantity,
            transactions=transactions,
        )

        preview_in_request.additional_properties = d
        return preview_in_request

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
