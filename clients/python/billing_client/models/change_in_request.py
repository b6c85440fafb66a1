from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.change_in_phase_enum import ChangeInPhaseEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChangeInRequest")


@_attrs_define
class ChangeInRequest:
    """
    Attributes:
        plan (str | Unset):
        quantity (int | Unset):
        when (str | Unset): "auto" (the plan pair's change policy when there is one, else upgrades now and downgrades at
            period end), "now", "period_end" or an ISO 8601 instant (refused, 400 `contradicts_policy`, when it contradicts
            the pair's policy) Default: 'auto'. Example: period_end.
        prorate (bool | Unset):  Default: True.
        reason (str | Unset):  Default: ''.
        phase (ChangeInPhaseEnum | Unset): * `same` - same
            * `restart` - restart
    """

    plan: str | Unset = UNSET
    quantity: int | Unset = UNSET
    when: str | Unset = "auto"
    prorate: bool | Unset = True
    reason: str | Unset = ""
    phase: ChangeInPhaseEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan

        quantity = self.quantity

        when = self.when

        prorate = self.prorate

        reason = self.reason

        phase: str | Unset = UNSET
        if not isinstance(self.phase, Unset):
            phase = self.phase.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if plan is not UNSET:
            field_dict["plan"] = plan
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if when is not UNSET:
            field_dict["when"] = when
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if reason is not UNSET:
            field_dict["reason"] = reason
        if phase is not UNSET:
            field_dict["phase"] = phase

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        plan = d.pop("plan", UNSET)

        quantity = d.pop("quantity", UNSET)

        when = d.pop("when", UNSET)

        prorate = d.pop("prorate", UNSET)

        reason = d.pop("reason", UNSET)

        _phase = d.pop("phase", UNSET)
        phase: ChangeInPhaseEnum | Unset
        if isinstance(_phase, Unset):
            phase = UNSET
        else:
            phase = ChangeInPhaseEnum(_phase)

        change_in_request = cls(
            plan=plan,
            quantity=quantity,
            when=when,
            prorate=prorate,
            reason=reason,
            phase=phase,
        )

        change_in_request.additional_properties = d
        return change_in_request

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
