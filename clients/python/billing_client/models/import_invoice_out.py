from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoice_status_enum import InvoiceStatusEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportInvoiceOut")


@_attrs_define
class ImportInvoiceOut:
    """
    Attributes:
        id (int):
        currency (str):
        billing_date (datetime.datetime): The period end it bills (the billing date).
        number (None | str | Unset):
        status (InvoiceStatusEnum | Unset): * `draft` - Draft
            * `open` - Open
            * `partially_paid` - partially paid
            * `paid` - Paid
            * `void` - Void
            * `uncollectible` - Uncollectible
        total (str | Unset): subtotal + exclusive taxes (inclusive taxes are inside the subtotal)
        finalized_at (datetime.datetime | None | Unset):
    """

    id: int
    currency: str
    billing_date: datetime.datetime
    number: None | str | Unset = UNSET
    status: InvoiceStatusEnum | Unset = UNSET
    total: str | Unset = UNSET
    finalized_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        currency = self.currency

        billing_date = self.billing_date.isoformat()

        number: None | str | Unset
        if isinstance(self.number, Unset):
            number = UNSET
        else:
            number = self.number

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        total = self.total

        finalized_at: None | str | Unset
        if isinstance(self.finalized_at, Unset):
            finalized_at = UNSET
        elif isinstance(self.finalized_at, datetime.datetime):
            finalized_at = self.finalized_at.isoformat()
        else:
            finalized_at = self.finalized_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "currency": currency,
                "billing_date": billing_date,
            }
        )
        if number is not UNSET:
            field_dict["number"] = number
        if status is not UNSET:
            field_dict["status"] = status
        if total is not UNSET:
            field_dict["total"] = total
        if finalized_at is not UNSET:
            field_dict["finalized_at"] = finalized_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        currency = d.pop("currency")

        billing_date = datetime.datetime.fromisoformat(d.pop("billing_date"))

        def _parse_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        number = _parse_number(d.pop("number", UNSET))

        _status = d.pop("status", UNSET)
        status: InvoiceStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = InvoiceStatusEnum(_status)

        total = d.pop("total", UNSET)

        def _parse_finalized_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finalized_at_type_0 = datetime.datetime.fromisoformat(data)

                return finalized_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finalized_at = _parse_finalized_at(d.pop("finalized_at", UNSET))

        import_invoice_out = cls(
            id=id,
            currency=currency,
            billing_date=billing_date,
            number=number,
            status=status,
            total=total,
            finalized_at=finalized_at,
        )

        import_invoice_out.additional_properties = d
        return import_invoice_out

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
