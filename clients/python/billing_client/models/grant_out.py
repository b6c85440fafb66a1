from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.grant_out_source_enum import GrantOutSourceEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="GrantOut")


@_attrs_define
class GrantOut:
    """
    Attributes:
        id (int):
        source (GrantOutSourceEnum): * `granted` - granted by staff
            * `purchased` - bought by a top-up
        currency (str):
        amount (str):
        remaining (str): not yet used by invoices nor expired
        consumed (str):
        top_up_invoice (None | str):
        created_by (str):
        granted_at (datetime.datetime):
        amount_expired (str | Unset):
        expires_at (datetime.datetime | None | Unset): empty: the credit never expires
        expired_at (datetime.datetime | None | Unset):
        reason (str | Unset):
    """

    id: int
    source: GrantOutSourceEnum
    currency: str
    amount: str
    remaining: str
    consumed: str
    top_up_invoice: None | str
    created_by: str
    granted_at: datetime.datetime
    amount_expired: str | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    expired_at: datetime.datetime | None | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        source = self.source.value

        currency = self.currency

        amount = self.amount

        remaining = self.remaining

        consumed = self.consumed

        top_up_invoice: None | str
        top_up_invoice = self.top_up_invoice

        created_by = self.created_by

        granted_at = self.granted_at.isoformat()

        amount_expired = self.amount_expired

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        expired_at: None | str | Unset
        if isinstance(self.expired_at, Unset):
            expired_at = UNSET
        elif isinstance(self.expired_at, datetime.datetime):
            expired_at = self.expired_at.isoformat()
        else:
            expired_at = self.expired_at

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "source": source,
                "currency": currency,
                "amount": amount,
                "remaining": remaining,
                "consumed": consumed,
                "top_up_invoice": top_up_invoice,
                "created_by": created_by,
                "granted_at": granted_at,
            }
        )
        if amount_expired is not UNSET:
            field_dict["amount_expired"] = amount_expired
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if expired_at is not UNSET:
            field_dict["expired_at"] = expired_at
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        source = GrantOutSourceEnum(d.pop("source"))

        currency = d.pop("currency")

        amount = d.pop("amount")

        remaining = d.pop("remaining")

        consumed = d.pop("consumed")

        def _parse_top_up_invoice(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        top_up_invoice = _parse_top_up_invoice(d.pop("top_up_invoice"))

        created_by = d.pop("created_by")

        granted_at = datetime.datetime.fromisoformat(d.pop("granted_at"))

        amount_expired = d.pop("amount_expired", UNSET)

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_expired_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expired_at_type_0 = datetime.datetime.fromisoformat(data)

                return expired_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expired_at = _parse_expired_at(d.pop("expired_at", UNSET))

        reason = d.pop("reason", UNSET)

        grant_out = cls(
            id=id,
            source=source,
            currency=currency,
            amount=amount,
            remaining=remaining,
            consumed=consumed,
            top_up_invoice=top_up_invoice,
            created_by=created_by,
            granted_at=granted_at,
            amount_expired=amount_expired,
            expires_at=expires_at,
            expired_at=expired_at,
            reason=reason,
        )

        grant_out.additional_properties = d
        return grant_out

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
