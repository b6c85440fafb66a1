from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StripeWebhookOut")


@_attrs_define
class StripeWebhookOut:
    """
    Attributes:
        received (bool):
        type_ (str): Stripe's event type.
        payments (list[int]): Payments the outcome was recorded on.
        ignored (int): Outcomes about no payment of ours (ignored).
    """

    received: bool
    type_: str
    payments: list[int]
    ignored: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        received = self.received

        type_ = self.type_

        payments = self.payments

        ignored = self.ignored

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "received": received,
                "type": type_,
                "payments": payments,
                "ignored": ignored,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        received = d.pop("received")

        type_ = d.pop("type")

        payments = cast(list[int], d.pop("payments"))

        ignored = d.pop("ignored")

        stripe_webhook_out = cls(
            received=received,
            type_=type_,
            payments=payments,
            ignored=ignored,
        )

        stripe_webhook_out.additional_properties = d
        return stripe_webhook_out

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
