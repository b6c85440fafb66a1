from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RatingOut")


@_attrs_define
class RatingOut:
    """
    Attributes:
        currency (str):
        quantity (str):
        amount (str): exact
        amount_rounded (str): the line, rounded once
        true_up (str): minimum-commitment true-up, exact
        true_up_rounded (str):
        total (str): the rounded lines added up
        explanation (Any):
    """

    currency: str
    quantity: str
    amount: str
    amount_rounded: str
    true_up: str
    true_up_rounded: str
    total: str
    explanation: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        quantity = self.quantity

        amount = self.amount

        amount_rounded = self.amount_rounded

        true_up = self.true_up

        true_up_rounded = self.true_up_rounded

        total = self.total

        explanation = self.explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "quantity": quantity,
                "amount": amount,
                "amount_rounded": amount_rounded,
                "true_up": true_up,
                "true_up_rounded": true_up_rounded,
                "total": total,
                "explanation": explanation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        quantity = d.pop("quantity")

        amount = d.pop("amount")

        amount_rounded = d.pop("amount_rounded")

        true_up = d.pop("true_up")

        true_up_rounded = d.pop("true_up_rounded")

        total = d.pop("total")

        explanation = d.pop("explanation")

        rating_out = cls(
            currency=currency,
            quantity=quantity,
            amount=amount,
            amount_rounded=amount_rounded,
            true_up=true_up,
            true_up_rounded=true_up_rounded,
            total=total,
            explanation=explanation,
        )

        rating_out.additional_properties = d
        return rating_out

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
