from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.blank_enum import BlankEnum
from ..models.locale_enum import LocaleEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalSessionInRequest")


@_attrs_define
class PortalSessionInRequest:
    """
    Attributes:
        customer (str): the customer's external id
        return_url (str | Unset): an absolute http(s) URL: the portal's "Back" link and where sign-out goes Default: ''.
        locale (BlankEnum | LocaleEnum | Unset): the portal's language; empty: the customer's

            * `en` - en
            * `de` - de Default: BlankEnum.VALUE_0.
        configuration (int | None | Unset): a portal configuration's id, instead of the customer's
    """

    customer: str
    return_url: str | Unset = ""
    locale: BlankEnum | LocaleEnum | Unset = BlankEnum.VALUE_0
    configuration: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        return_url = self.return_url

        locale: str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        elif isinstance(self.locale, LocaleEnum):
            locale = self.locale.value
        else:
            locale = self.locale.value

        configuration: int | None | Unset
        if isinstance(self.configuration, Unset):
            configuration = UNSET
        else:
            configuration = self.configuration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
            }
        )
        if return_url is not UNSET:
            field_dict["return_url"] = return_url
        if locale is not UNSET:
            field_dict["locale"] = locale
        if configuration is not UNSET:
            field_dict["configuration"] = configuration

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        return_url = d.pop("return_url", UNSET)

        def _parse_locale(data: object) -> BlankEnum | LocaleEnum | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                locale_type_0 = LocaleEnum(data)

                return locale_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            locale_type_1 = BlankEnum(data)

            return locale_type_1

        locale = _parse_locale(d.pop("locale", UNSET))

        def _parse_configuration(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        configuration = _parse_configuration(d.pop("configuration", UNSET))

        portal_session_in_request = cls(
            customer=customer,
            return_url=return_url,
            locale=locale,
            configuration=configuration,
        )

        portal_session_in_request.additional_properties = d
        return portal_session_in_request

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
