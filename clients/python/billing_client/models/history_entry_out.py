from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.history_change_out import HistoryChangeOut


T = TypeVar("T", bound="HistoryEntryOut")


@_attrs_define
class HistoryEntryOut:
    """
    Attributes:
        when (datetime.datetime):
        event (str): insert, update or delete
        who (str):
        why (str):
        changes (list[HistoryChangeOut]):
    """

    when: datetime.datetime
    event: str
    who: str
    why: str
    changes: list[HistoryChangeOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        when = self.when.isoformat()

        event = self.event

        who = self.who

        why = self.why

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "when": when,
                "event": event,
                "who": who,
                "why": why,
                "changes": changes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.history_change_out import HistoryChangeOut  # noqa: PLC0415

        d = dict(src_dict)
        when = datetime.datetime.fromisoformat(d.pop("when"))

        event = d.pop("event")

        who = d.pop("who")

        why = d.pop("why")

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = HistoryChangeOut.from_dict(changes_item_data)

            changes.append(changes_item)

        history_entry_out = cls(
            when=when,
            event=event,
            who=who,
            why=why,
            changes=changes,
        )

        history_entry_out.additional_properties = d
        return history_entry_out

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
