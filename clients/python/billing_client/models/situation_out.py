from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SituationOut")


@_attrs_define
class SituationOut:
    """
    Attributes:
        days_past_due (int):
        amount_overdue (str):
        currency (str):
        failed_attempts (int):
        invoices (list[int]):
    """

    days_past_due: int
    amount_overdue: str
    currency: str
    failed_attempts: int
    invoices: list[int]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        days_past_due = self.days_past_due

        amount_overdue = self.amount_overdue

        currency = self.currency

        failed_attempts = self.failed_attempts

        invoices = self.invoices

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "days_past_due": days_past_due,
                "amount_overdue": amount_overdue,
                "currency": currency,
                "failed_attempts": failed_attempts,
                "invoices": invoices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        days_past_due = d.pop("days_past_due")

        amount_overdue = d.pop("amount_overdue")

        currency = d.pop("currency")

        failed_attempts = d.pop("failed_attempts")

        invoices = cast(list[int], d.pop("invoices"))

        situation_out = cls(
            days_past_due=days_past_due,
            amount_overdue=amount_overdue,
            currency=currency,
            failed_attempts=failed_attempts,
            invoices=invoices,
        )

        situation_out.additional_properties = d
        return situation_out

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
