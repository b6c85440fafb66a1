from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.change_timing_enum import ChangeTimingEnum

T = TypeVar("T", bound="TimingOut")


@_attrs_define
class TimingOut:
    """
    Attributes:
        rule (ChangeTimingEnum): * `requested` - as asked (now, at period end or on a date)
            * `upgrade` - automatic: an upgrade, at once
            * `downgrade` - automatic: a downgrade, at period end
            * `not_started` - automatic: in a trial or before the start, at once
            * `policy` - the plan pair's change policy
            * `override` - as asked by staff, overriding the plan pair's policy
        policy (str): the plan pair's change policy (immediate, end_of_term, illegal), or empty
        note (str): the rule in words, naming the policy
    """

    rule: ChangeTimingEnum
    policy: str
    note: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule.value

        policy = self.policy

        note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule": rule,
                "policy": policy,
                "note": note,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        rule = ChangeTimingEnum(d.pop("rule"))

        policy = d.pop("policy")

        note = d.pop("note")

        timing_out = cls(
            rule=rule,
            policy=policy,
            note=note,
        )

        timing_out.additional_properties = d
        return timing_out

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
