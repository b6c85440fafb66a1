from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.phase_kind_enum import PhaseKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PlanPhaseOut")


@_attrs_define
class PlanPhaseOut:
    """
    Attributes:
        position (int):
        name (str | Unset):
        kind (PhaseKindEnum | Unset): * `trial` - Trial
            * `discount` - Discount
            * `fixed_term` - fixed term
            * `evergreen` - Evergreen
        periods (int | None | Unset): How many billing periods it lasts (empty: open-ended; the last phase only).
        fixed_fee (str | Unset):
    """

    position: int
    name: str | Unset = UNSET
    kind: PhaseKindEnum | Unset = UNSET
    periods: int | None | Unset = UNSET
    fixed_fee: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        position = self.position

        name = self.name

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        periods: int | None | Unset
        if isinstance(self.periods, Unset):
            periods = UNSET
        else:
            periods = self.periods

        fixed_fee = self.fixed_fee

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "position": position,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if kind is not UNSET:
            field_dict["kind"] = kind
        if periods is not UNSET:
            field_dict["periods"] = periods
        if fixed_fee is not UNSET:
            field_dict["fixed_fee"] = fixed_fee

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        position = d.pop("position")

        name = d.pop("name", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: PhaseKindEnum | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = PhaseKindEnum(_kind)

        def _parse_periods(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        periods = _parse_periods(d.pop("periods", UNSET))

        fixed_fee = d.pop("fixed_fee", UNSET)

        plan_phase_out = cls(
            position=position,
            name=name,
            kind=kind,
            periods=periods,
            fixed_fee=fixed_fee,
        )

        plan_phase_out.additional_properties = d
        return plan_phase_out

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
