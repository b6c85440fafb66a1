from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pricing_model_enum import PricingModelEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChargeInRequest")


@_attrs_define
class ChargeInRequest:
    """
    Attributes:
        metric (str):
        pricing_model (PricingModelEnum): * `per_unit` - per unit
            * `graduated` - Graduated
            * `volume` - Volume
            * `package` - Package
            * `percentage` - Percentage
            * `graduated_percentage` - graduated percentage
            * `flat` - flat fee
        params (Any): The pricing model's parameters (decimals as strings or integers; catalog/pricing.py). per_unit:
            {"unit_price"}. graduated and volume: {"tiers": [{"from", "to" (null on the last), "unit_price", "flat_fee"}],
            "flat_fee_at_zero": true|false (optional, a JSON boolean: bill the first tier's flat fee at quantity 0, as
            Stripe does; default false, a quantity of 0 costs nothing)}. graduated_percentage: {"tiers": [{"from", "to",
            "rate" (percent), "flat_fee"}]}: each tier's rate applies to the part of the amount inside it, its flat fee once
            when the amount reaches into it (Lago). package: {"package_size", "package_price", "free_units"}. percentage:
            {"rate" (percent), "fixed_fee", "min_per_transaction", "max_per_transaction", "free_transactions",
            "free_amount"}: free_amount is the first part of the period's amount free of the rate; with per-transaction
            parameters the free allowance (free_transactions, free_amount) is spent in time order and ends with whichever
            runs out first. flat: {"amount"}.
        display_name (str | Unset):
        minimum_amount (None | str | Unset):
        tax_rate (None | str | Unset): The code of a tax rate that overrides the customer's address rate for what is
            billed under it (null: the address rate). Most specific first: a charge's, an add-on's or a one-time fee's rate,
            then the plan's product's, then the address's; a tax-exempt customer is never taxed.
        phase (int | None | Unset): Only in the version's phase at this position (0: the first); null or absent: in
            every phase.
    """

    metric: str
    pricing_model: PricingModelEnum
    params: Any
    display_name: str | Unset = UNSET
    minimum_amount: None | str | Unset = UNSET
    tax_rate: None | str | Unset = UNSET
    phase: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metric = self.metric

        pricing_model = self.pricing_model.value

        params = self.params

        display_name = self.display_name

        minimum_amount: None | str | Unset
        if isinstance(self.minimum_amount, Unset):
            minimum_amount = UNSET
        else:
            minimum_amount = self.minimum_amount

        tax_rate: None | str | Unset
        if isinstance(self.tax_rate, Unset):
            tax_rate = UNSET
        else:
            tax_rate = self.tax_rate

        phase: int | None | Unset
        if isinstance(self.phase, Unset):
            phase = UNSET
        else:
            phase = self.phase

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metric": metric,
                "pricing_model": pricing_model,
                "params": params,
            }
        )
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if minimum_amount is not UNSET:
            field_dict["minimum_amount"] = minimum_amount
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate
        if phase is not UNSET:
            field_dict["phase"] = phase

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
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

        def _parse_tax_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate", UNSET))

        def _parse_phase(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        phase = _parse_phase(d.pop("phase", UNSET))

        charge_in_request = cls(
            metric=metric,
            pricing_model=pricing_model,
            params=params,
            display_name=display_name,
            minimum_amount=minimum_amount,
            tax_rate=tax_rate,
            phase=phase,
        )

        charge_in_request.additional_properties = d
        return charge_in_request

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
