from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feature_kind_enum import FeatureKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedFeatureUpdateInRequest")


@_attrs_define
class PatchedFeatureUpdateInRequest:
    """
    Attributes:
        code (str | Unset):
        name (str | Unset):
        description (str | Unset):
        kind (FeatureKindEnum | Unset): * `boolean` - Boolean
            * `limit` - Limit
    """

    code: str | Unset = UNSET
    name: str | Unset = UNSET
    description: str | Unset = UNSET
    kind: FeatureKindEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        description = self.description

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if kind is not UNSET:
            field_dict["kind"] = kind

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code", UNSET)

        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: FeatureKindEnum | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = FeatureKindEnum(_kind)

        patched_feature_update_in_request = cls(
            code=code,
            name=name,
            description=description,
            kind=kind,
        )

        patched_feature_update_in_request.additional_properties = d
        return patched_feature_update_in_request

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
