from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pricing_model_enum import PricingModelEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="RateInRequest")


@_attrs_define
class RateInRequest:
    """A stateless rating: any pricing model and parameters, one quantity.

    Attributes:
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
        currency (str):
        quantity (str | Unset):
        transactions (list[str] | Unset):
        minimum_amount (None | str | Unset):
    """

    pricing_model: PricingModelEnum
    params: Any
    currency: str
    quantity: str | Unset = UNSET
    transactions: list[str] | Unset = UNSET
    minimum_amount: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pricing_model = self.pricing_model.value

        params = self.params

        currency = self.currency

        quantity = self.quantity

        transactions: list[str] | Unset = UNSET
        if not isinstance(self.transactions, Unset):
            transactions = self.transactions

        minimum_amount: None | str | Unset
        if isinstance(self.minimum_amount, Unset):
            minimum_amount = UNSET
        else:
            minimum_amount = self.minimum_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pricing_model": pricing_model,
                "params": params,
                "currency": currency,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if transactions is not UNSET:
            field_dict["transactions"] = transactions
        if minimum_amount is not UNSET:
            field_dict["minimum_amount"] = minimum_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        pricing_model = PricingModelEnum(d.pop("pricing_model"))

        params = d.pop("params")

        currency = d.pop("currency")

        quantity = d.pop("quantity", UNSET)

        transactions = cast(list[str], d.pop("transactions", UNSET))

        def _parse_minimum_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        minimum_amount = _parse_minimum_amount(d.pop("minimum_amount", UNSET))

        rate_in_request = cls(
            pricing_model=pricing_model,
            params=params,
            currency=currency,
            quantity=quantity,
            transactions=transactions,
            minimum_amount=minimum_amount,
        )

        rate_in_request.additional_properties = d
        return rate_in_request

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
