from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.portal_user_state_enum import PortalUserStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalUserOut")


@_attrs_define
class PortalUserOut:
    """
    Attributes:
        id (int):
        customer (str): the customer's external id
        email (str):
        state (PortalUserStateEnum): * `invited` - Invited
            * `active` - Active
            * `disabled` - Disabled
        invited_by (str): The actor who invited them.
        invited_at (datetime.datetime):
        name (str | Unset):
        last_login_at (datetime.datetime | None | Unset):
        disabled_at (datetime.datetime | None | Unset):
    """

    id: int
    customer: str
    email: str
    state: PortalUserStateEnum
    invited_by: str
    invited_at: datetime.datetime
    name: str | Unset = UNSET
    last_login_at: datetime.datetime | None | Unset = UNSET
    disabled_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        email = self.email

        state = self.state.value

        invited_by = self.invited_by

        invited_at = self.invited_at.isoformat()

        name = self.name

        last_login_at: None | str | Unset
        if isinstance(self.last_login_at, Unset):
            last_login_at = UNSET
        elif isinstance(self.last_login_at, datetime.datetime):
            last_login_at = self.last_login_at.isoformat()
        else:
            last_login_at = self.last_login_at

        disabled_at: None | str | Unset
        if isinstance(self.disabled_at, Unset):
            disabled_at = UNSET
        elif isinstance(self.disabled_at, datetime.datetime):
            disabled_at = self.disabled_at.isoformat()
        else:
            disabled_at = self.disabled_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "email": email,
                "state": state,
                "invited_by": invited_by,
                "invited_at": invited_at,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if last_login_at is not UNSET:
            field_dict["last_login_at"] = last_login_at
        if disabled_at is not UNSET:
            field_dict["disabled_at"] = disabled_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        email = d.pop("email")

        state = PortalUserStateEnum(d.pop("state"))

        invited_by = d.pop("invited_by")

        invited_at = datetime.datetime.fromisoformat(d.pop("invited_at"))

        name = d.pop("name", UNSET)

        def _parse_last_login_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_login_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_login_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_login_at = _parse_last_login_at(d.pop("last_login_at", UNSET))

        def _parse_disabled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                disabled_at_type_0 = datetime.datetime.fromisoformat(data)

                return disabled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        disabled_at = _parse_disabled_at(d.pop("disabled_at", UNSET))

        portal_user_out = cls(
            id=id,
            customer=customer,
            email=email,
            state=state,
            invited_by=invited_by,
            invited_at=invited_at,
            name=name,
            last_login_at=last_login_at,
            disabled_at=disabled_at,
        )

        portal_user_out.additional_properties = d
        return portal_user_out

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
