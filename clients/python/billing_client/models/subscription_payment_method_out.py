from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.payment_method_out import PaymentMethodOut


T = TypeVar("T", bound="SubscriptionPaymentMethodOut")


@_attrs_define
class SubscriptionPaymentMethodOut:
    """
    Attributes:
        subscription (int):
        payment_method (PaymentMethodOut):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    subscription: int
    payment_method: PaymentMethodOut
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscription = self.subscription

        payment_method = self.payment_method.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscription": subscription,
                "payment_method": payment_method,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_method_out import PaymentMethodOut  # noqa: PLC0415

        d = dict(src_dict)
        subscription = d.pop("subscription")

        payment_method = PaymentMethodOut.from_dict(d.pop("payment_method"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        subscription_payment_method_out = cls(
            subscription=subscription,
            payment_method=payment_method,
            created_at=created_at,
            updated_at=updated_at,
        )

        subscription_payment_method_out.additional_properties = d
        return subscription_payment_method_out

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
