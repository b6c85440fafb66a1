from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetryPaymentInRequest")


@_attrs_define
class RetryPaymentInRequest:
    """
    Attributes:
        payment_method (int | Unset): Charge this payment method of the invoice's customer (attached, active, on an
            enabled gateway that charges: a bank transfer on the manual gateway is refused, `gateway_cannot_charge`) instead
            of the one collection would resolve; allowed even when the customer's automatic collection is off. Omitted: the
            method the invoice would be charged to now.
    """

    payment_method: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_method = self.payment_method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if payment_method is not UNSET:
            field_dict["payment_method"] = payment_method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        payment_method = d.pop("payment_method", UNSET)

        retry_payment_in_request = cls(
            payment_method=payment_method,
        )

        retry_payment_in_request.additional_properties = d
        return retry_payment_in_request

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
