from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_attempt_out_action_enum import PaymentAttemptOutActionEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentAttemptOut")


@_attrs_define
class PaymentAttemptOut:
    """
    Attributes:
        id (int):
        gateway (str):
        action (PaymentAttemptOutActionEnum): * `charge` - Charge
            * `status` - Status
            * `refund` - Refund
            * `webhook` - Webhook
        outcome (str):
        at (datetime.datetime):
        reason (str | Unset):
        message (str | Unset):
        reference (str | Unset):
    """

    id: int
    gateway: str
    action: PaymentAttemptOutActionEnum
    outcome: str
    at: datetime.datetime
    reason: str | Unset = UNSET
    message: str | Unset = UNSET
    reference: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        gateway = self.gateway

        action = self.action.value

        outcome = self.outcome

        at = self.at.isoformat()

        reason = self.reason

        message = self.message

        reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "gateway": gateway,
                "action": action,
                "outcome": outcome,
                "at": at,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if message is not UNSET:
            field_dict["message"] = message
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        gateway = d.pop("gateway")

        action = PaymentAttemptOutActionEnum(d.pop("action"))

        outcome = d.pop("outcome")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        reason = d.pop("reason", UNSET)

        message = d.pop("message", UNSET)

        reference = d.pop("reference", UNSET)

        payment_attempt_out = cls(
            id=id,
            gateway=gateway,
            action=action,
            outcome=outcome,
            at=at,
            reason=reason,
            message=message,
            reference=reference,
        )

        payment_attempt_out.additional_properties = d
        return payment_attempt_out

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
