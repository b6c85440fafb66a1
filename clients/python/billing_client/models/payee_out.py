from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payee_state_enum import PayeeStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayeeOut")


@_attrs_define
class PayeeOut:
    """
    Attributes:
        id (int):
        external_id (str):
        name (str):
        currency (str): What the payee is paid in.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        email (str | Unset):
        timezone (str | Unset): The zone its schedules' periods are counted in.
        state (PayeeStateEnum | Unset): * `active` - Active
            * `archived` - Archived
        archived_at (datetime.datetime | None | Unset):
    """

    id: int
    external_id: str
    name: str
    currency: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    email: str | Unset = UNSET
    timezone: str | Unset = UNSET
    state: PayeeStateEnum | Unset = UNSET
    archived_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        external_id = self.external_id

        name = self.name

        currency = self.currency

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        email = self.email

        timezone = self.timezone

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        archived_at: None | str | Unset
        if isinstance(self.archived_at, Unset):
            archived_at = UNSET
        elif isinstance(self.archived_at, datetime.datetime):
            archived_at = self.archived_at.isoformat()
        else:
            archived_at = self.archived_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "external_id": external_id,
                "name": name,
                "currency": currency,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if state is not UNSET:
            field_dict["state"] = state
        if archived_at is not UNSET:
            field_dict["archived_at"] = archived_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        external_id = d.pop("external_id")

        name = d.pop("name")

        currency = d.pop("currency")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        email = d.pop("email", UNSET)

        timezone = d.pop("timezone", UNSET)

        _state = d.pop("state", UNSET)
        state: PayeeStateEnum | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = PayeeStateEnum(_state)

        def _parse_archived_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                archived_at_type_0 = datetime.datetime.fromisoformat(data)

                return archived_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        archived_at = _parse_archived_at(d.pop("archived_at", UNSET))

        payee_out = cls(
            id=id,
            external_id=external_id,
            name=name,
            currency=currency,
            created_at=created_at,
            updated_at=updated_at,
            email=email,
            timezone=timezone,
            state=state,
            archived_at=archived_at,
        )

        payee_out.additional_properties = d
        return payee_out

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
