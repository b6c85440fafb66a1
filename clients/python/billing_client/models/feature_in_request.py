from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feature_kind_enum import FeatureKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="FeatureInRequest")


@_attrs_define
class FeatureInRequest:
    """
    Attributes:
        code (str):
        name (str):
        kind (FeatureKindEnum): * `boolean` - Boolean
            * `limit` - Limit
        description (str | Unset):
    """

    code: str
    name: str
    kind: FeatureKindEnum
    description: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        kind = self.kind.value

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "kind": kind,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        kind = FeatureKindEnum(d.pop("kind"))

        description = d.pop("description", UNSET)

        feature_in_request = cls(
            code=code,
            name=name,
            kind=kind,
            description=description,
        )

        feature_in_request.additional_properties = d
        return feature_in_request

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
