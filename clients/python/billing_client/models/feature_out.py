from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feature_kind_enum import FeatureKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="FeatureOut")


@_attrs_define
class FeatureOut:
    """
    Attributes:
        id (int):
        code (str):
        name (str):
        kind (FeatureKindEnum): * `boolean` - Boolean
            * `limit` - Limit
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        description (str | Unset):
    """

    id: int
    code: str
    name: str
    kind: FeatureKindEnum
    created_at: datetime.datetime
    updated_at: datetime.datetime
    description: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        code = self.code

        name = self.name

        kind = self.kind.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "code": code,
                "name": name,
                "kind": kind,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        code = d.pop("code")

        name = d.pop("name")

        kind = FeatureKindEnum(d.pop("kind"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        description = d.pop("description", UNSET)

        feature_out = cls(
            id=id,
            code=code,
            name=name,
            kind=kind,
            created_at=created_at,
            updated_at=updated_at,
            description=description,
        )

        feature_out.additional_properties = d
        return feature_out

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
