from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RenewalOut")


@_attrs_define
class RenewalOut:
    """
    Attributes:
        subscription (int):
        customer (int):
        external_id (str):
        plan (str):
        status (str):
        renews_at (datetime.datetime):
        amount (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
    """

    subscription: int
    customer: int
    external_id: str
    plan: str
    status: str
    renews_at: datetime.datetime
    amount: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscription = self.subscription

        customer = self.customer

        external_id = self.external_id

        plan = self.plan

        status = self.status

        renews_at = self.renews_at.isoformat()

        amount = self.amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscription": subscription,
                "customer": customer,
                "external_id": external_id,
                "plan": plan,
                "status": status,
                "renews_at": renews_at,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subscription = d.pop("subscription")

        customer = d.pop("customer")

        external_id = d.pop("external_id")

        plan = d.pop("plan")

        status = d.pop("status")

        renews_at = datetime.datetime.fromisoformat(d.pop("renews_at"))

        amount = d.pop("amount")

        renewal_out = cls(
            subscription=subscription,
            customer=customer,
            external_id=external_id,
            plan=plan,
            status=status,
            renews_at=renews_at,
            amount=amount,
        )

        renewal_out.additional_properties = d
        return renewal_out

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
