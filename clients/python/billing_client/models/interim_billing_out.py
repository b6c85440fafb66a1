from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.interim_billing_out_reason_enum import InterimBillingOutReasonEnum

T = TypeVar("T", bound="InterimBillingOut")


@_attrs_define
class InterimBillingOut:
    """Usage billed on this invoice before its period's end (invoicing/services/interim.py).

    Attributes:
        reason (InterimBillingOutReasonEnum): * `threshold` - usage threshold reached
            * `in_advance` - charge paid in advance
        threshold (None | str): The threshold level reached (reason threshold), in the invoice's currency.
        subscription_id (int):
        period_start (datetime.datetime): The billing period it bills part of.
        charge_id (int):
        metric (str):
        quantity (str):
        usage_until (datetime.datetime): Usage counted up to this instant.
        billed_to (str): The charge's usage of the period so far, rated.
        amount (str): Billed here: billed_to less what was billed before.
    """

    reason: InterimBillingOutReasonEnum
    threshold: None | str
    subscription_id: int
    period_start: datetime.datetime
    charge_id: int
    metric: str
    quantity: str
    usage_until: datetime.datetime
    billed_to: str
    amount: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason.value

        threshold: None | str
        threshold = self.threshold

        subscription_id = self.subscription_id

        period_start = self.period_start.isoformat()

        charge_id = self.charge_id

        metric = self.metric

        quantity = self.quantity

        usage_until = self.usage_until.isoformat()

        billed_to = self.billed_to

        amount = self.amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
                "threshold": threshold,
                "subscription_id": subscription_id,
                "period_start": period_start,
                "charge_id": charge_id,
                "metric": metric,
                "quantity": quantity,
                "usage_until": usage_until,
                "billed_to": billed_to,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = InterimBillingOutReasonEnum(d.pop("reason"))

        def _parse_threshold(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        threshold = _parse_threshold(d.pop("threshold"))

        subscription_id = d.pop("subscription_id")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        charge_id = d.pop("charge_id")

        metric = d.pop("metric")

        quantity = d.pop("quantity")

        usage_until = datetime.datetime.fromisoformat(d.pop("usage_until"))

        billed_to = d.pop("billed_to")

        amount = d.pop("amount")

        interim_billing_out = cls(
            reason=reason,
            threshold=threshold,
            subscription_id=subscription_id,
            period_start=period_start,
            charge_id=charge_id,
            metric=metric,
            quantity=quantity,
            usage_until=usage_until,
            billed_to=billed_to,
            amount=amount,
        )

        interim_billing_out.additional_properties = d
        return interim_billing_out

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
