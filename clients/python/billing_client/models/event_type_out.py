from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_type_out_example import EventTypeOutExample


T = TypeVar("T", bound="EventTypeOut")


@_attrs_define
class EventTypeOut:
    """
    Attributes:
        type_ (str):
        description (str):
        subject_type (str):
        example (EventTypeOutExample): an example of the envelope's data
    """

    type_: str
    description: str
    subject_type: str
    example: EventTypeOutExample
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        description = self.description

        subject_type = self.subject_type

        example = self.example.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "description": description,
                "subject_type": subject_type,
                "example": example,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_type_out_example import EventTypeOutExample  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        description = d.pop("description")

        subject_type = d.pop("subject_type")

        example = EventTypeOutExample.from_dict(d.pop("example"))

        event_type_out = cls(
            type_=type_,
            description=description,
            subject_type=subject_type,
            example=example,
        )

        event_type_out.additional_properties = d
        return event_type_out

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
