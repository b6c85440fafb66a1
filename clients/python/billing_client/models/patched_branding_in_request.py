from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedBrandingInRequest")


@_attrs_define
class PatchedBrandingInRequest:
    """
    Attributes:
        display_name (str | Unset): The company name shown in the portal and on documents; empty: the company's name
            (COMPANY_NAME).
        primary_color (str | Unset): #rrggbb
        primary_text_color (str | Unset): #rrggbb; contrast with primary_color at least 4.5:1
        accent_color (str | Unset): #rrggbb
        logo (None | str | Unset): base64 of a PNG or JPEG file (at most 256 KB, 16 to 2000 pixels a side; SVG is
            refused); null removes the logo.
    """

    display_name: str | Unset = UNSET
    primary_color: str | Unset = UNSET
    primary_text_color: str | Unset = UNSET
    accent_color: str | Unset = UNSET
    logo: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        display_name = self.display_name

        primary_color = self.primary_color

        primary_text_color = self.primary_text_color

        accent_color = self.accent_color

        logo: None | str | Unset
        if isinstance(self.logo, Unset):
            logo = UNSET
        else:
            logo = self.logo

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if primary_color is not UNSET:
            field_dict["primary_color"] = primary_color
        if primary_text_color is not UNSET:
            field_dict["primary_text_color"] = primary_text_color
        if accent_color is not UNSET:
            field_dict["accent_color"] = accent_color
        if logo is not UNSET:
            field_dict["logo"] = logo

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        display_name = d.pop("display_name", UNSET)

        primary_color = d.pop("primary_color", UNSET)

        primary_text_color = d.pop("primary_text_color", UNSET)

        accent_color = d.pop("accent_color", UNSET)

        def _parse_logo(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo = _parse_logo(d.pop("logo", UNSET))

        patched_branding_in_request = cls(
            display_name=display_name,
            primary_color=primary_color,
            primary_text_color=primary_text_color,
            accent_color=accent_color,
            logo=logo,
        )

        patched_branding_in_request.additional_properties = d
        return patched_branding_in_request

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
