from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payout_gateway_enum import PayoutGatewayEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutMethodInRequest")


@_attrs_define
class PayoutMethodInRequest:
    """
    Attributes:
        gateway (PayoutGatewayEnum): * `sandbox` - sandbox (deterministic by token)
            * `manual` - manual (a bank transfer staff make)
        token (str): sandbox: a sandbox token (tok_ok, tok_declined ...); manual: the bank account's reference staff pay
            to
        label (str | Unset):  Default: ''.
    """

    gateway: PayoutGatewayEnum
    token: str
    label: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gateway = self.gateway.value

        token = self.token

        label = self.label

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gateway": gateway,
                "token": token,
            }
        )
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gateway = PayoutGatewayEnum(d.pop("gateway"))

        token = d.pop("token")

        label = d.pop("label", UNSET)

        payout_method_in_request = cls(
            gateway=gateway,
            token=token,
            label=label,
        )

        payout_method_in_request.additional_properties = d
        return payout_method_in_request

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
