from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.usage_event_outcome import UsageEventOutcome


T = TypeVar("T", bound="UsageBatchResult")


@_attrs_define
class UsageBatchResult:
    """
    Attributes:
        accepted (int):
        duplicates (int):
        rejected (int):
        events (list[UsageEventOutcome]):
    """

    accepted: int
    duplicates: int
    rejected: int
    events: list[UsageEventOutcome]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        duplicates = self.duplicates

        rejected = self.rejected

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted": accepted,
                "duplicates": duplicates,
                "rejected": rejected,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_event_outcome import UsageEventOutcome  # noqa: PLC0415

        d = dict(src_dict)
        accepted = d.pop("accepted")

        duplicates = d.pop("duplicates")

        rejected = d.pop("rejected")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = UsageEventOutcome.from_dict(events_item_data)

            events.append(events_item)

        usage_batch_result = cls(
            accepted=accepted,
            duplicates=duplicates,
            rejected=rejected,
            events=events,
        )

        usage_batch_result.additional_properties = d
        return usage_batch_result

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
