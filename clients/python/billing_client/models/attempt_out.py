from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AttemptOut")


@_attrs_define
class AttemptOut:
    """
    Attributes:
        id (int):
        attempted_at (datetime.datetime):
        status_code (int | None): empty: no HTTP answer
        error (str):
        latency_ms (int): until the answer's headers
        duration_ms (int): until the answer's body was read
        response_excerpt (str): the answer's first 1 KB
        succeeded (bool):
    """

    id: int
    attempted_at: datetime.datetime
    status_code: int | None
    error: str
    latency_ms: int
    duration_ms: int
    response_excerpt: str
    succeeded: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        attempted_at = self.attempted_at.isoformat()

        status_code: int | None
        status_code = self.status_code

        error = self.error

        latency_ms = self.latency_ms

        duration_ms = self.duration_ms

        response_excerpt = self.response_excerpt

        succeeded = self.succeeded

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "attempted_at": attempted_at,
                "status_code": status_code,
                "error": error,
                "latency_ms": latency_ms,
                "duration_ms": duration_ms,
                "response_excerpt": response_excerpt,
                "succeeded": succeeded,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        attempted_at = datetime.datetime.fromisoformat(d.pop("attempted_at"))

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        error = d.pop("error")

        latency_ms = d.pop("latency_ms")

        duration_ms = d.pop("duration_ms")

        response_excerpt = d.pop("response_excerpt")

        succeeded = d.pop("succeeded")

        attempt_out = cls(
            id=id,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error,
            latency_ms=latency_ms,
            duration_ms=duration_ms,
            response_excerpt=response_excerpt,
            succeeded=succeeded,
        )

        attempt_out.additional_properties = d
        return attempt_out

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
