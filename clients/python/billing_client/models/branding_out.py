from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.logo_out import LogoOut


T = TypeVar("T", bound="BrandingOut")


@_attrs_define
class BrandingOut:
    """
    Attributes:
        display_name (str):
        uses_company_name (bool):
        logo (LogoOut | None):
        primary_color (str):
        primary_text_color (str):
        accent_color (str):
        contrast_ratio (str): text on primary, e.g. "8.59" (to 1)
        updated_at (datetime.datetime | None):
    """

    display_name: str
    uses_company_name: bool
    logo: LogoOut | None
    primary_color: str
    primary_text_color: str
    accent_color: str
    contrast_ratio: str
    updated_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.logo_out import LogoOut  # noqa: PLC0415

        display_name = self.display_name

        uses_company_name = self.uses_company_name

        logo: dict[str, Any] | None
        if isinstance(self.logo, LogoOut):
            logo = self.logo.to_dict()
        else:
            logo = self.logo

        primary_color = self.primary_color

        primary_text_color = self.primary_text_color

        accent_color = self.accent_color

        contrast_ratio = self.contrast_ratio

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "display_name": display_name,
                "uses_company_name": uses_company_name,
                "logo": logo,
                "primary_color": primary_color,
                "primary_text_color": primary_text_color,
                "accent_color": accent_color,
                "contrast_ratio": contrast_ratio,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.logo_out import LogoOut  # noqa: PLC0415

        d = dict(src_dict)
        display_name = d.pop("display_name")

        uses_company_name = d.pop("uses_company_name")

        def _parse_logo(data: object) -> LogoOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                logo_type_1 = LogoOut.from_dict(data)

                return logo_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LogoOut | None, data)

        logo = _parse_logo(d.pop("logo"))

        primary_color = d.pop("primary_color")

        primary_text_color = d.pop("primary_text_color")

        accent_color = d.pop("accent_color")

        contrast_ratio = d.pop("contrast_ratio")

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        branding_out = cls(
            display_name=display_name,
            uses_company_name=uses_company_name,
            logo=logo,
            primary_color=primary_color,
            primary_text_color=primary_text_color,
            accent_color=accent_color,
            contrast_ratio=contrast_ratio,
            updated_at=updated_at,
        )

        branding_out.additional_properties = d
        return branding_out

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
