from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.correction_out_kind_enum import CorrectionOutKindEnum
from ..models.correction_out_status_enum import CorrectionOutStatusEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="CorrectionOut")


@_attrs_define
class CorrectionOut:
    """
    Attributes:
        id (int):
        invoice (int):
        invoice_number (str):
        subscription (int):
        period_start (datetime.datetime):
        period_end (datetime.datetime):
        invoiced (str):
        recomputed (str):
        difference (str):
        status (CorrectionOutStatusEnum): * `proposed` - Proposed
            * `applied` - Applied
            * `nothing` - nothing to correct
        created_at (datetime.datetime):
        kind (CorrectionOutKindEnum | Unset): * `usage` - Usage
            * `discount` - Discount
        metric_code (str | Unset):
        quantity (None | str | Unset): Usage: the quantity the window comes to with the events stored now.
        credit_note (int | None | Unset):
        supplementary_invoice (int | None | Unset):
        applied_at (datetime.datetime | None | Unset):
        applied_by (str | Unset):
    """

    id: int
    invoice: int
    invoice_number: str
    subscription: int
    period_start: datetime.datetime
    period_end: datetime.datetime
    invoiced: str
    recomputed: str
    difference: str
    status: CorrectionOutStatusEnum
    created_at: datetime.datetime
    kind: CorrectionOutKindEnum | Unset = UNSET
    metric_code: str | Unset = UNSET
    quantity: None | str | Unset = UNSET
    credit_note: int | None | Unset = UNSET
    supplementary_invoice: int | None | Unset = UNSET
    applied_at: datetime.datetime | None | Unset = UNSET
    applied_by: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        invoice = self.invoice

        invoice_number = self.invoice_number

        subscription = self.subscription

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        invoiced = self.invoiced

        recomputed = self.recomputed

        difference = self.difference

        status = self.status.value

        created_at = self.created_at.isoformat()

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        metric_code = self.metric_code

        quantity: None | str | Unset
        if isinstance(self.quantity, Unset):
            quantity = UNSET
        else:
            quantity = self.quantity

        credit_note: int | None | Unset
        if isinstance(self.credit_note, Unset):
            credit_note = UNSET
        else:
            credit_note = self.credit_note

        supplementary_invoice: int | None | Unset
        if isinstance(self.supplementary_invoice, Unset):
            supplementary_invoice = UNSET
        else:
            supplementary_invoice = self.supplementary_invoice

        applied_at: None | str | Unset
        if isinstance(self.applied_at, Unset):
            applied_at = UNSET
        elif isinstance(self.applied_at, datetime.datetime):
            applied_at = self.applied_at.isoformat()
        else:
            applied_at = self.applied_at

        applied_by = self.applied_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "invoice": invoice,
                "invoice_number": invoice_number,
                "subscription": subscription,
                "period_start": period_start,
                "period_end": period_end,
                "invoiced": invoiced,
                "recomputed": recomputed,
                "difference": difference,
                "status": status,
                "created_at": created_at,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind
        if metric_code is not UNSET:
            field_dict["metric_code"] = metric_code
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if credit_note is not UNSET:
            field_dict["credit_note"] = credit_note
        if supplementary_invoice is not UNSET:
            field_dict["supplementary_invoice"] = supplementary_invoice
        if applied_at is not UNSET:
            field_dict["applied_at"] = applied_at
        if applied_by is not UNSET:
            field_dict["applied_by"] = applied_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        invoice = d.pop("invoice")

        invoice_number = d.pop("invoice_number")

        subscription = d.pop("subscription")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        invoiced = d.pop("invoiced")

        recomputed = d.pop("recomputed")

        difference = d.pop("difference")

        status = CorrectionOutStatusEnum(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        _kind = d.pop("kind", UNSET)
        kind: CorrectionOutKindEnum | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = CorrectionOutKindEnum(_kind)

        metric_code = d.pop("metric_code", UNSET)

        def _parse_quantity(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        quantity = _parse_quantity(d.pop("quantity", UNSET))

        def _parse_credit_note(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credit_note = _parse_credit_note(d.pop("credit_note", UNSET))

        def _parse_supplementary_invoice(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        supplementary_invoice = _parse_supplementary_invoice(d.pop("supplementary_invoice", UNSET))

        def _parse_applied_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                applied_at_type_0 = datetime.datetime.fromisoformat(data)

                return applied_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        applied_at = _parse_applied_at(d.pop("applied_at", UNSET))

        applied_by = d.pop("applied_by", UNSET)

        correction_out = cls(
            id=id,
            invoice=invoice,
            invoice_number=invoice_number,
            subscription=subscription,
            period_start=period_start,
            period_end=period_end,
            invoiced=invoiced,
            recomputed=recomputed,
            difference=difference,
            status=status,
            created_at=created_at,
            kind=kind,
            metric_code=metric_code,
            quantity=quantity,
            credit_note=credit_note,
            supplementary_invoice=supplementary_invoice,
            applied_at=applied_at,
            applied_by=applied_by,
        )

        correction_out.additional_properties = d
        return correction_out

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
