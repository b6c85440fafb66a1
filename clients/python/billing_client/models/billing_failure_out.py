from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BillingFailureOut")


@_attrs_define
class BillingFailureOut:
    """
    Attributes:
        id (int):
        subscription (int):
        customer (str):
        as_of (datetime.datetime): The instant the clock last tried to bill it for.
        error (str): The kind of error.
        message (str):
        first_failed_at (datetime.datetime):
        last_failed_at (datetime.datetime):
        attempts (int | Unset):
        resolved_at (datetime.datetime | None | Unset):
    """

    id: int
    subscription: int
    customer: str
    as_of: datetime.datetime
    error: str
    message: str
    first_failed_at: datetime.datetime
    last_failed_at: datetime.datetime
    attempts: int | Unset = UNSET
    resolved_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        subscription = self.subscription

        customer = self.customer

        as_of = self.as_of.isoformat()

        error = self.error

        message = self.message

        first_failed_at = self.first_failed_at.isoformat()

        last_failed_at = self.last_failed_at.isoformat()

        attempts = self.attempts

        resolved_at: None | str | Unset
        if isinstance(self.resolved_at, Unset):
            resolved_at = UNSET
        elif isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "subscription": subscription,
                "customer": customer,
                "as_of": as_of,
                "error": error,
                "message": message,
                "first_failed_at": first_failed_at,
                "last_failed_at": last_failed_at,
            }
        )
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        subscription = d.pop("subscription")

        customer = d.pop("customer")

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        error = d.pop("error")

        message = d.pop("message")

        first_failed_at = datetime.datetime.fromisoformat(d.pop("first_failed_at"))

        last_failed_at = datetime.datetime.fromisoformat(d.pop("last_failed_at"))

        attempts = d.pop("attempts", UNSET)

        def _parse_resolved_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at", UNSET))

        billing_failure_out = cls(
            id=id,
            subscription=subscription,
            customer=customer,
            as_of=as_of,
            error=error,
            message=message,
            first_failed_at=first_failed_at,
            last_failed_at=last_failed_at,
            attempts=attempts,
            resolved_at=resolved_at,
        )

        billing_failure_out.additional_properties = d
        return billing_failure_out

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
