from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_kind_enum import ExportKindEnum
from ..models.format_enum import FormatEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportInRequest")


@_attrs_define
class ExportInRequest:
    """
    Attributes:
        kind (ExportKindEnum): * `invoices` - Invoices
            * `credit_notes` - credit notes
            * `payments` - Payments
            * `refunds` - Refunds
            * `ledger` - general ledger
        period_start (datetime.date): First day of the period (UTC), inclusive.
        period_end (datetime.date): Last day of the period (UTC), inclusive.
        format_ (FormatEnum | Unset): * `csv` - CSV
            * `xlsx` - XLSX Default: FormatEnum.CSV.
        currency (str | Unset): An ISO 4217 code: only that currency's rows; empty: every currency. Default: ''.
    """

    kind: ExportKindEnum
    period_start: datetime.date
    period_end: datetime.date
    format_: FormatEnum | Unset = FormatEnum.CSV
    currency: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "period_start": period_start,
                "period_end": period_end,
            }
        )
        if format_ is not UNSET:
            field_dict["format"] = format_
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = ExportKindEnum(d.pop("kind"))

        period_start = datetime.date.fromisoformat(d.pop("period_start"))

        period_end = datetime.date.fromisoformat(d.pop("period_end"))

        _format_ = d.pop("format", UNSET)
        format_: FormatEnum | Unset
        if isinstance(_format_, Unset):
            format_ = UNSET
        else:
            format_ = FormatEnum(_format_)

        currency = d.pop("currency", UNSET)

        export_in_request = cls(
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            format_=format_,
            currency=currency,
        )

        export_in_request.additional_properties = d
        return export_in_request

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
