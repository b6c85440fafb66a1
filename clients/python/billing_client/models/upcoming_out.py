from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.tax_breakdown_out import TaxBreakdownOut
    from ..models.upcoming_line_out import UpcomingLineOut


T = TypeVar("T", bound="UpcomingOut")


@_attrs_define
class UpcomingOut:
    """
    Attributes:
        customer (str):
        currency (str):
        as_of (datetime.datetime):
        billing_date (datetime.datetime | None): When the clock will issue it: the customer's next billing date with
            anything to bill (null: nothing more to bill).
        lines (list[UpcomingLineOut]):
        subtotal (str):
        tax_total (str):
        tax_rate (None | str): the customer's address rate
        tax_breakdown (list[TaxBreakdownOut]):
        total (str):
        credit_applied (str):
        amount_due (str):
    """

    customer: str
    currency: str
    as_of: datetime.datetime
    billing_date: datetime.datetime | None
    lines: list[UpcomingLineOut]
    subtotal: str
    tax_total: str
    tax_rate: None | str
    tax_breakdown: list[TaxBreakdownOut]
    total: str
    credit_applied: str
    amount_due: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        currency = self.currency

        as_of = self.as_of.isoformat()

        billing_date: None | str
        if isinstance(self.billing_date, datetime.datetime):
            billing_date = self.billing_date.isoformat()
        else:
            billing_date = self.billing_date

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        subtotal = self.subtotal

        tax_total = self.tax_total

        tax_rate: None | str
        tax_rate = self.tax_rate

        tax_breakdown = []
        for tax_breakdown_item_data in self.tax_breakdown:
            tax_breakdown_item = tax_breakdown_item_data.to_dict()
            tax_breakdown.append(tax_breakdown_item)

        total = self.total

        credit_applied = self.credit_applied

        amount_due = self.amount_due

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "currency": currency,
                "as_of": as_of,
                "billing_date": billing_date,
                "lines": lines,
                "subtotal": subtotal,
                "tax_total": tax_total,
                "tax_rate": tax_rate,
                "tax_breakdown": tax_breakdown,
                "total": total,
                "credit_applied": credit_applied,
                "amount_due": amount_due,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tax_breakdown_out import TaxBreakdownOut  # noqa: PLC0415
        from ..models.upcoming_line_out import UpcomingLineOut  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        currency = d.pop("currency")

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        def _parse_billing_date(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                billing_date_type_0 = datetime.datetime.fromisoformat(data)

                return billing_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        billing_date = _parse_billing_date(d.pop("billing_date"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = UpcomingLineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        subtotal = d.pop("subtotal")

        tax_total = d.pop("tax_total")

        def _parse_tax_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate"))

        tax_breakdown = []
        _tax_breakdown = d.pop("tax_breakdown")
        for tax_breakdown_item_data in _tax_breakdown:
            tax_breakdown_item = TaxBreakdownOut.from_dict(tax_breakdown_item_data)

            tax_breakdown.append(tax_breakdown_item)

        total = d.pop("total")

        credit_applied = d.pop("credit_applied")

        amount_due = d.pop("amount_due")

        upcoming_out = cls(
            customer=customer,
            currency=currency,
            as_of=as_of,
            billing_date=billing_date,
            lines=lines,
            subtotal=subtotal,
            tax_total=tax_total,
            tax_rate=tax_rate,
            tax_breakdown=tax_breakdown,
            total=total,
            credit_applied=credit_applied,
            amount_due=amount_due,
        )

        upcoming_out.additional_properties = d
        return upcoming_out

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
