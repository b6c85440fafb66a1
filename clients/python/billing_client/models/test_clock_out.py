from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.test_clock_status_enum import TestClockStatusEnum

T = TypeVar("T", bound="TestClockOut")


@_attrs_define
class TestClockOut:
    """
    Attributes:
        id (int):
        name (str):
        frozen_time (datetime.datetime): The clock's current time.
        status (TestClockStatusEnum): * `ready` - Ready
            * `advancing` - Advancing
            * `failed` - Failed
        advancing_to (datetime.datetime | None): While advancing: the time it is moving to.
        last_error (str):
        customers (int): How many test customers it has.
        livemode (bool): Always false: a test object.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        deleted_at (datetime.datetime | None): Deleted (archived with its customers) at.
    """

    id: int
    name: str
    frozen_time: datetime.datetime
    status: TestClockStatusEnum
    advancing_to: datetime.datetime | None
    last_error: str
    customers: int
    livemode: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        frozen_time = self.frozen_time.isoformat()

        status = self.status.value

        advancing_to: None | str
        if isinstance(self.advancing_to, datetime.datetime):
            advancing_to = self.advancing_to.isoformat()
        else:
            advancing_to = self.advancing_to

        last_error = self.last_error

        customers = self.customers

        livemode = self.livemode

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        deleted_at: None | str
        if isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "frozen_time": frozen_time,
                "status": status,
                "advancing_to": advancing_to,
                "last_error": last_error,
                "customers": customers,
                "livemode": livemode,
                "created_at": created_at,
                "updated_at": updated_at,
                "deleted_at": deleted_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        frozen_time = datetime.datetime.fromisoformat(d.pop("frozen_time"))

        status = TestClockStatusEnum(d.pop("status"))

        def _parse_advancing_to(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                advancing_to_type_0 = datetime.datetime.fromisoformat(data)

                return advancing_to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        advancing_to = _parse_advancing_to(d.pop("advancing_to"))

        last_error = d.pop("last_error")

        customers = d.pop("customers")

        livemode = d.pop("livemode")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_deleted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deleted_at_type_0 = datetime.datetime.fromisoformat(data)

                return deleted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deleted_at = _parse_deleted_at(d.pop("deleted_at"))

        test_clock_out = cls(
            id=id,
            name=name,
            frozen_time=frozen_time,
            status=status,
            advancing_to=advancing_to,
            last_error=last_error,
            customers=customers,
            livemode=livemode,
            created_at=created_at,
            updated_at=updated_at,
            deleted_at=deleted_at,
        )

        test_clock_out.additional_properties = d
        return test_clock_out

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
