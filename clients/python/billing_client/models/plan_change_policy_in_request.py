from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.billing_policy_enum import BillingPolicyEnum

T = TypeVar("T", bound="PlanChangePolicyInRequest")


@_attrs_define
class PlanChangePolicyInRequest:
    """
    Attributes:
        from_plan (str): the plan changed from
        to_plan (str): the plan changed to
        policy (BillingPolicyEnum): * `immediate` - at once
            * `end_of_term` - at the end of the period
            * `illegal` - refused
    """

    from_plan: str
    to_plan: str
    policy: BillingPolicyEnum
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_plan = self.from_plan

        to_plan = self.to_plan

        policy = self.policy.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from_plan": from_plan,
                "to_plan": to_plan,
                "policy": policy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_plan = d.pop("from_plan")

        to_plan = d.pop("to_plan")

        policy = BillingPolicyEnum(d.pop("policy"))

        plan_change_policy_in_request = cls(
            from_plan=from_plan,
            to_plan=to_plan,
            policy=policy,
        )

        plan_change_policy_in_request.additional_properties = d
        return plan_change_policy_in_request

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
