from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pricing_model_enum import PricingModelEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChargeOut")


@_attrs_define
class ChargeOut:
    """
    Attributes:
        id (int):
        metric (str):
        pricing_model (PricingModelEnum): * `per_unit` - per unit
            * `graduated` - Graduated
            * `volume` - Volume
            * `package` - Package
            * `percentage` - Percentage
            * `flat` - flat fee
        params (Any):
        display_name (str | Unset):
        minimum_amount (None | str | Unset): Minimum commitment per period (true-up).
    """

    id: int
    metric: str
    pricing_model: PricingModelEnum
    params: Any
    display_name: str | Unset = UNSET
    minimum_amount: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        metric = self.metric

        pricing_model = self.pricing_model.value

        params = self.params

        display_name = self.display_name

        minimum_amount: None | str | Unset
        if isinstance(self.minimum_amount, Unset):
            minimum_amount = UNSET
        else:
            minimum_amount = self.minimum_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "metric": metric,
                "pricing_model": pricing_model,
                "params": params,
            }
        )
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if minimum_amount is not UNSET:
            field_dict["minimum_amount"] = minimum_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        metric = d.pop("metric")

        pricing_model = PricingModelEnum(d.pop("pricing_model"))

        params = d.pop("params")

        display_name = d.pop("display_name", UNSET)

        def _parse_minimum_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        minimum_amount = _parse_minimum_amount(d.pop("minimum_amount", UNSET))

        charge_out = cls(
            id=id,
            metric=metric,
            pricing_model=pricing_model,
            params=params,
            display_name=display_name,
            minimum_amount=minimum_amount,
        )

        charge_out.additional_properties = d
        return charge_out

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
