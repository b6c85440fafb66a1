from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.scope_enum import ScopeEnum

T = TypeVar("T", bound="RetryPolicyOut")


@_attrs_define
class RetryPolicyOut:
    """
    Attributes:
        plan_id (int | None): the plan of a plan's own policy
        plan (None | str): the plan's code
        days (list[int]):
        scope (ScopeEnum): * `plan` - plan
            * `global` - global
            * `default` - default
        updated_at (None | str):
    """

    plan_id: int | None
    plan: None | str
    days: list[int]
    scope: ScopeEnum
    updated_at: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan_id: int | None
        plan_id = self.plan_id

        plan: None | str
        plan = self.plan

        days = self.days

        scope = self.scope.value

        updated_at: None | str
        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plan_id": plan_id,
                "plan": plan,
                "days": days,
                "scope": scope,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_plan_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        plan_id = _parse_plan_id(d.pop("plan_id"))

        def _parse_plan(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        plan = _parse_plan(d.pop("plan"))

        days = cast(list[int], d.pop("days"))

        scope = ScopeEnum(d.pop("scope"))

        def _parse_updated_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        retry_policy_out = cls(
            plan_id=plan_id,
            plan=plan,
            days=days,
            scope=scope,
            updated_at=updated_at,
        )

        retry_policy_out.additional_properties = d
        return retry_policy_out

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
