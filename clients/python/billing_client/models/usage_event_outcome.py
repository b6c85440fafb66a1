from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.usage_event_outcome_status_enum import UsageEventOutcomeStatusEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_event_outcome_errors_item import UsageEventOutcomeErrorsItem


T = TypeVar("T", bound="UsageEventOutcome")


@_attrs_define
class UsageEventOutcome:
    """
    Attributes:
        index (int):
        event_id (None | str):
        status (UsageEventOutcomeStatusEnum): * `accepted` - accepted
            * `duplicate` - duplicate
            * `rejected` - rejected
        late (bool | Unset):
        errors (list[UsageEventOutcomeErrorsItem] | Unset):
    """

    index: int
    event_id: None | str
    status: UsageEventOutcomeStatusEnum
    late: bool | Unset = UNSET
    errors: list[UsageEventOutcomeErrorsItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        event_id: None | str
        event_id = self.event_id

        status = self.status.value

        late = self.late

        errors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item = errors_item_data.to_dict()
                errors.append(errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "event_id": event_id,
                "status": status,
            }
        )
        if late is not UNSET:
            field_dict["late"] = late
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_event_outcome_errors_item import UsageEventOutcomeErrorsItem  # noqa: PLC0415

        d = dict(src_dict)
        index = d.pop("index")

        def _parse_event_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_id = _parse_event_id(d.pop("event_id"))

        status = UsageEventOutcomeStatusEnum(d.pop("status"))

        late = d.pop("late", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: list[UsageEventOutcomeErrorsItem] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:
                errors_item = UsageEventOutcomeErrorsItem.from_dict(errors_item_data)

                errors.append(errors_item)

        usage_event_outcome = cls(
            index=index,
            event_id=event_id,
            status=status,
            late=late,
            errors=errors,
        )

        usage_event_outcome.additional_properties = d
        return usage_event_outcome

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
