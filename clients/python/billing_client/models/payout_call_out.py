from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payout_call_out_action_enum import PayoutCallOutActionEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutCallOut")


@_attrs_define
class PayoutCallOut:
    """
    Attributes:
        attempt (int):
        action (PayoutCallOutActionEnum): * `payout` - Payout
            * `status` - Status
        idempotency_key (str):
        outcome (str):
        at (datetime.datetime):
        gateway (str | Unset):
        reference (str | Unset):
        reason (str | Unset):
        message (str | Unset):
    """

    attempt: int
    action: PayoutCallOutActionEnum
    idempotency_key: str
    outcome: str
    at: datetime.datetime
    gateway: str | Unset = UNSET
    reference: str | Unset = UNSET
    reason: str | Unset = UNSET
    message: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        action = self.action.value

        idempotency_key = self.idempotency_key

        outcome = self.outcome

        at = self.at.isoformat()

        gateway = self.gateway

        reference = self.reference

        reason = self.reason

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "action": action,
                "idempotency_key": idempotency_key,
                "outcome": outcome,
                "at": at,
            }
        )
        if gateway is not UNSET:
            field_dict["gateway"] = gateway
        if reference is not UNSET:
            field_dict["reference"] = reference
        if reason is not UNSET:
            field_dict["reason"] = reason
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        action = PayoutCallOutActionEnum(d.pop("action"))

        idempotency_key = d.pop("idempotency_key")

        outcome = d.pop("outcome")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        gateway = d.pop("gateway", UNSET)

        reference = d.pop("reference", UNSET)

        reason = d.pop("reason", UNSET)

        message = d.pop("message", UNSET)

        payout_call_out = cls(
            attempt=attempt,
            action=action,
            idempotency_key=idempotency_key,
            outcome=outcome,
            at=at,
            gateway=gateway,
            reference=reference,
            reason=reason,
            message=message,
        )

        payout_call_out.additional_properties = d
        return payout_call_out

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
