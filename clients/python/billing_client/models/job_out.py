from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status_enum import JobStatusEnum

if TYPE_CHECKING:
    from ..models.job_out_params import JobOutParams
    from ..models.job_out_result import JobOutResult


T = TypeVar("T", bound="JobOut")


@_attrs_define
class JobOut:
    """
    Attributes:
        id (int):
        kind (str): billing_run, rerate, usage_backfill, reconcile, export, ...
        label (str):
        status (JobStatusEnum): * `queued` - Queued
            * `running` - Running
            * `succeeded` - Succeeded
            * `failed` - Failed
        total (int | None): items to do; null: not known
        done (int): items processed, failed ones included
        failed (int): items processed that failed
        percent (int | None): done of total, 0..100; null: no total
        errors (list[str]): the first 50 errors (then the job's own)
        params (JobOutParams): what the work was asked to do
        result (JobOutResult): what it came to, once finished
        actor (str): who started it (a user, a command, the clock)
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        updated_at (datetime.datetime): its last progress
        finished_at (datetime.datetime | None):
        duration_seconds (float | None): finished (or now) less started; null before it starts
    """

    id: int
    kind: str
    label: str
    status: JobStatusEnum
    total: int | None
    done: int
    failed: int
    percent: int | None
    errors: list[str]
    params: JobOutParams
    result: JobOutResult
    actor: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    updated_at: datetime.datetime
    finished_at: datetime.datetime | None
    duration_seconds: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind

        label = self.label

        status = self.status.value

        total: int | None
        total = self.total

        done = self.done

        failed = self.failed

        percent: int | None
        percent = self.percent

        errors = self.errors

        params = self.params.to_dict()

        result = self.result.to_dict()

        actor = self.actor

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        updated_at = self.updated_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        duration_seconds: float | None
        duration_seconds = self.duration_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "label": label,
                "status": status,
                "total": total,
                "done": done,
                "failed": failed,
                "percent": percent,
                "errors": errors,
                "params": params,
                "result": result,
                "actor": actor,
                "created_at": created_at,
                "started_at": started_at,
                "updated_at": updated_at,
                "finished_at": finished_at,
                "duration_seconds": duration_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_out_params import JobOutParams  # noqa: PLC0415
        from ..models.job_out_result import JobOutResult  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        kind = d.pop("kind")

        label = d.pop("label")

        status = JobStatusEnum(d.pop("status"))

        def _parse_total(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        total = _parse_total(d.pop("total"))

        done = d.pop("done")

        failed = d.pop("failed")

        def _parse_percent(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        percent = _parse_percent(d.pop("percent"))

        errors = cast(list[str], d.pop("errors"))

        params = JobOutParams.from_dict(d.pop("params"))

        result = JobOutResult.from_dict(d.pop("result"))

        actor = d.pop("actor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_duration_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds"))

        job_out = cls(
            id=id,
            kind=kind,
            label=label,
            status=status,
            total=total,
            done=done,
            failed=failed,
            percent=percent,
            errors=errors,
            params=params,
            result=result,
            actor=actor,
            created_at=created_at,
            started_at=started_at,
            updated_at=updated_at,
            finished_at=finished_at,
            duration_seconds=duration_seconds,
        )

        job_out.additional_properties = d
        return job_out

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
