from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TimelineRowOut")


@_attrs_define
class TimelineRowOut:
    """
    Attributes:
        id (int):
        number (int):
        status (str):
        effective_from (datetime.datetime):
        effective_until (datetime.datetime | None):
        fixed_fee (str):
        charges (int):
        note (str):
    """

    id: int
    number: int
    status: str
    effective_from: datetime.datetime
    effective_until: datetime.datetime | None
    fixed_fee: str
    charges: int
    note: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number = self.number

        status = self.status

        effective_from = self.effective_from.isoformat()

        effective_until: None | str
        if isinstance(self.effective_until, datetime.datetime):
            effective_until = self.effective_until.isoformat()
        else:
            effective_until = self.effective_until

        fixed_fee = self.fixed_fee

        charges = self.charges

        note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "status": status,
                "effective_from": effective_from,
                "effective_until": effective_until,
                "fixed_fee": fixed_fee,
                "charges": charges,
                "note": note,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        number = d.pop("number")

        status = d.pop("status")

        effective_from = datetime.datetime.fromisoformat(d.pop("effective_from"))

        def _parse_effective_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                effective_until_type_0 = datetime.datetime.fromisoformat(data)

                return effective_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        effective_until = _parse_effective_until(d.pop("effective_until"))

        fixed_fee = d.pop("fixed_fee")

        charges = d.pop("charges")

        note = d.pop("note")

        timeline_row_out = cls(
            id=id,
            number=number,
            status=status,
            effective_from=effective_from,
            effective_until=effective_until,
            fixed_fee=fixed_fee,
            charges=charges,
            note=note,
        )

        timeline_row_out.additional_properties = d
        return timeline_row_out

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
