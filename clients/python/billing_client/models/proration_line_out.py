from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.proration_kind_enum import ProrationKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProrationLineOut")


@_attrs_define
class ProrationLineOut:
    """
    Attributes:
        id (int):
        subscription (int):
        kind (ProrationKindEnum): * `credit` - Credit
            * `charge` - Charge
            * `add_on` - add-on
        description (str):
        currency (str):
        amount (str): exact
        amount_rounded (str):
        period_start (datetime.datetime):
        period_end (datetime.datetime):
        explanation (Any):
        created_at (datetime.datetime):
        change (int | None | Unset):
        invoiced_at (datetime.datetime | None | Unset):
    """

    id: int
    subscription: int
    kind: ProrationKindEnum
    description: str
    currency: str
    amount: str
    amount_rounded: str
    period_start: datetime.datetime
    period_end: datetime.datetime
    explanation: Any
    created_at: datetime.datetime
    change: int | None | Unset = UNSET
    invoiced_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        subscription = self.subscription

        kind = self.kind.value

        description = self.description

        currency = self.currency

        amount = self.amount

        amount_rounded = self.amount_rounded

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        explanation = self.explanation

        created_at = self.created_at.isoformat()

        change: int | None | Unset
        if isinstance(self.change, Unset):
            change = UNSET
        else:
            change = self.change

        invoiced_at: None | str | Unset
        if isinstance(self.invoiced_at, Unset):
            invoiced_at = UNSET
        elif isinstance(self.invoiced_at, datetime.datetime):
            invoiced_at = self.invoiced_at.isoformat()
        else:
            invoiced_at = self.invoiced_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "subscription": subscription,
                "kind": kind,
                "description": description,
                "currency": currency,
                "amount": amount,
                "amount_rounded": amount_rounded,
                "period_start": period_start,
                "period_end": period_end,
                "explanation": explanation,
                "created_at": created_at,
            }
        )
        if change is not UNSET:
            field_dict["change"] = change
        if invoiced_at is not UNSET:
            field_dict["invoiced_at"] = invoiced_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        subscription = d.pop("subscription")

        kind = ProrationKindEnum(d.pop("kind"))

        description = d.pop("description")

        currency = d.pop("currency")

        amount = d.pop("amount")

        amount_rounded = d.pop("amount_rounded")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        explanation = d.pop("explanation")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_change(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        change = _parse_change(d.pop("change", UNSET))

        def _parse_invoiced_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                invoiced_at_type_0 = datetime.datetime.fromisoformat(data)

                return invoiced_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        invoiced_at = _parse_invoiced_at(d.pop("invoiced_at", UNSET))

        proration_line_out = cls(
            id=id,
            subscription=subscription,
            kind=kind,
            description=description,
            currency=currency,
            amount=amount,
            amount_rounded=amount_rounded,
            period_start=period_start,
            period_end=period_end,
            explanation=explanation,
            created_at=created_at,
            change=change,
            invoiced_at=invoiced_at,
        )

        proration_line_out.additional_properties = d
        return proration_line_out

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
