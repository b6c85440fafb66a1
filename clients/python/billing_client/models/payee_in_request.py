from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayeeInRequest")


@_attrs_define
class PayeeInRequest:
    """
    Attributes:
        external_id (str):
        name (str):
        currency (str):
        email (str | Unset):  Default: ''.
        timezone (str | Unset): IANA zone of its periods Default: 'UTC'.
    """

    external_id: str
    name: str
    currency: str
    email: str | Unset = ""
    timezone: str | Unset = "UTC"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        external_id = self.external_id

        name = self.name

        currency = self.currency

        email = self.email

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "external_id": external_id,
                "name": name,
                "currency": currency,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        external_id = d.pop("external_id")

        name = d.pop("name")

        currency = d.pop("currency")

        email = d.pop("email", UNSET)

        timezone = d.pop("timezone", UNSET)

        payee_in_request = cls(
            external_id=external_id,
            name=name,
            currency=currency,
            email=email,
            timezone=timezone,
        )

        payee_in_request.additional_properties = d
        return payee_in_request

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
