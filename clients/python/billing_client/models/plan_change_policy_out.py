from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.billing_policy_enum import BillingPolicyEnum

T = TypeVar("T", bound="PlanChangePolicyOut")


@_attrs_define
class PlanChangePolicyOut:
    """
    Attributes:
        id (int):
        from_plan (str):
        to_plan (str):
        policy (BillingPolicyEnum): * `immediate` - at once
            * `end_of_term` - at the end of the period
            * `illegal` - refused
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    from_plan: str
    to_plan: str
    policy: BillingPolicyEnum
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        from_plan = self.from_plan

        to_plan = self.to_plan

        policy = self.policy.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "from_plan": from_plan,
                "to_plan": to_plan,
                "policy": policy,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        from_plan = d.pop("from_plan")

        to_plan = d.pop("to_plan")

        policy = BillingPolicyEnum(d.pop("policy"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        plan_change_policy_out = cls(
            id=id,
            from_plan=from_plan,
            to_plan=to_plan,
            policy=policy,
            created_at=created_at,
            updated_at=updated_at,
        )

        plan_change_policy_out.additional_properties = d
        return plan_change_policy_out

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
