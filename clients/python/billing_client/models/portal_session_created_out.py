from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.portal_session_state_enum import PortalSessionStateEnum

T = TypeVar("T", bound="PortalSessionCreatedOut")


@_attrs_define
class PortalSessionCreatedOut:
    """
    Attributes:
        id (int):
        customer (str): the customer's external id
        return_url (str):
        locale (str):
        configuration (int | None):
        state (PortalSessionStateEnum): * `pending` - pending
            * `expired` - expired
            * `active` - active
            * `ended` - ended
            * `timed_out` - timed_out
        expires_at (datetime.datetime): the link may be opened until then
        created_at (datetime.datetime):
        created_by (str):
        opened_at (datetime.datetime | None):
        session_expires_at (datetime.datetime | None):
        ended_at (datetime.datetime | None):
        end_reason (str):
        url (str): the single-use link to send the customer's browser to (shown once)
    """

    id: int
    customer: str
    return_url: str
    locale: str
    configuration: int | None
    state: PortalSessionStateEnum
    expires_at: datetime.datetime
    created_at: datetime.datetime
    created_by: str
    opened_at: datetime.datetime | None
    session_expires_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    end_reason: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        return_url = self.return_url

        locale = self.locale

        configuration: int | None
        configuration = self.configuration

        state = self.state.value

        expires_at = self.expires_at.isoformat()

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        opened_at: None | str
        if isinstance(self.opened_at, datetime.datetime):
            opened_at = self.opened_at.isoformat()
        else:
            opened_at = self.opened_at

        session_expires_at: None | str
        if isinstance(self.session_expires_at, datetime.datetime):
            session_expires_at = self.session_expires_at.isoformat()
        else:
            session_expires_at = self.session_expires_at

        ended_at: None | str
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        end_reason = self.end_reason

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "return_url": return_url,
                "locale": locale,
                "configuration": configuration,
                "state": state,
                "expires_at": expires_at,
                "created_at": created_at,
                "created_by": created_by,
                "opened_at": opened_at,
                "session_expires_at": session_expires_at,
                "ended_at": ended_at,
                "end_reason": end_reason,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        return_url = d.pop("return_url")

        locale = d.pop("locale")

        def _parse_configuration(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        configuration = _parse_configuration(d.pop("configuration"))

        state = PortalSessionStateEnum(d.pop("state"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        def _parse_opened_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                opened_at_type_0 = datetime.datetime.fromisoformat(data)

                return opened_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        opened_at = _parse_opened_at(d.pop("opened_at"))

        def _parse_session_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                session_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return session_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        session_expires_at = _parse_session_expires_at(d.pop("session_expires_at"))

        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))

        end_reason = d.pop("end_reason")

        url = d.pop("url")

        portal_session_created_out = cls(
            id=id,
            customer=customer,
            return_url=return_url,
            locale=locale,
            configuration=configuration,
            state=state,
            expires_at=expires_at,
            created_at=created_at,
            created_by=created_by,
            opened_at=opened_at,
            session_expires_at=session_expires_at,
            ended_at=ended_at,
            end_reason=end_reason,
            url=url,
        )

        portal_session_created_out.additional_properties = d
        return portal_session_created_out

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
