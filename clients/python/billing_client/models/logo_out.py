from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LogoOut")


@_attrs_define
class LogoOut:
    """
    Attributes:
        sha256 (str):
        content_type (str):
        size (int):
        width (int):
        height (int):
    """

    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sha256 = self.sha256

        content_type = self.content_type

        size = self.size

        width = self.width

        height = self.height

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sha256": sha256,
                "content_type": content_type,
                "size": size,
                "width": width,
                "height": height,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sha256 = d.pop("sha256")

        content_type = d.pop("content_type")

        size = d.pop("size")

        width = d.pop("width")

        height = d.pop("height")

        logo_out = cls(
            sha256=sha256,
            content_type=content_type,
            size=size,
            width=width,
            height=height,
        )

        logo_out.additional_properties = d
        return logo_out

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
