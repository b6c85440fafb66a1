from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_kind_enum import ExportKindEnum
from ..models.format_enum import FormatEnum
from ..models.job_status_enum import JobStatusEnum

if TYPE_CHECKING:
    from ..models.export_out_totals import ExportOutTotals
    from ..models.job_progress_out import JobProgressOut


T = TypeVar("T", bound="ExportOut")


@_attrs_define
class ExportOut:
    """
    Attributes:
        id (int):
        kind (ExportKindEnum): * `invoices` - Invoices
            * `credit_notes` - credit notes
            * `payments` - Payments
            * `refunds` - Refunds
            * `ledger` - general ledger
        format_ (FormatEnum): * `csv` - CSV
            * `xlsx` - XLSX
        period_start (datetime.date):
        period_end (datetime.date):
        currency (str): empty: every currency
        status (JobStatusEnum): * `queued` - Queued
            * `running` - Running
            * `succeeded` - Succeeded
            * `failed` - Failed
        job (JobProgressOut):
        rows (int | None):
        size (int | None): bytes
        totals (ExportOutTotals): currency -> money column -> its sum (exact decimal text), once written
        warnings (list[str]):
        download_url (None | str): null until the file is written
        created_by (str):
        created_at (datetime.datetime):
    """

    id: int
    kind: ExportKindEnum
    format_: FormatEnum
    period_start: datetime.date
    period_end: datetime.date
    currency: str
    status: JobStatusEnum
    job: JobProgressOut
    rows: int | None
    size: int | None
    totals: ExportOutTotals
    warnings: list[str]
    download_url: None | str
    created_by: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        format_ = self.format_.value

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        currency = self.currency

        status = self.status.value

        job = self.job.to_dict()

        rows: int | None
        rows = self.rows

        size: int | None
        size = self.size

        totals = self.totals.to_dict()

        warnings = self.warnings

        download_url: None | str
        download_url = self.download_url

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "format": format_,
                "period_start": period_start,
                "period_end": period_end,
                "currency": currency,
                "status": status,
                "job": job,
                "rows": rows,
                "size": size,
                "totals": totals,
                "warnings": warnings,
                "download_url": download_url,
                "created_by": created_by,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.export_out_totals import ExportOutTotals  # noqa: PLC0415
        from ..models.job_progress_out import JobProgressOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        kind = ExportKindEnum(d.pop("kind"))

        format_ = FormatEnum(d.pop("format"))

        period_start = datetime.date.fromisoformat(d.pop("period_start"))

        period_end = datetime.date.fromisoformat(d.pop("period_end"))

        currency = d.pop("currency")

        status = JobStatusEnum(d.pop("status"))

        job = JobProgressOut.from_dict(d.pop("job"))

        def _parse_rows(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rows = _parse_rows(d.pop("rows"))

        def _parse_size(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        size = _parse_size(d.pop("size"))

        totals = ExportOutTotals.from_dict(d.pop("totals"))

        warnings = cast(list[str], d.pop("warnings"))

        def _parse_download_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        download_url = _parse_download_url(d.pop("download_url"))

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        export_out = cls(
            id=id,
            kind=kind,
            format_=format_,
            period_start=period_start,
            period_end=period_end,
            currency=currency,
            status=status,
            job=job,
            rows=rows,
            size=size,
            totals=totals,
            warnings=warnings,
            download_url=download_url,
            created_by=created_by,
            created_at=created_at,
        )

        export_out.additional_properties = d
        return export_out

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
