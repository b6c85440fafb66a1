from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.aging_out_buckets import AgingOutBuckets
    from ..models.aging_out_counts import AgingOutCounts


T = TypeVar("T", bound="AgingOut")


@_attrs_define
class AgingOut:
    """
    Attributes:
        as_of (datetime.date):
        buckets (AgingOutBuckets): current, 1_30, 31_60, 61_90, over_90
        counts (AgingOutCounts):
        total (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        written_off (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        written_off_count (int):
    """

    as_of: datetime.date
    buckets: AgingOutBuckets
    counts: AgingOutCounts
    total: str
    written_off: str
    written_off_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        as_of = self.as_of.isoformat()

        buckets = self.buckets.to_dict()

        counts = self.counts.to_dict()

        total = self.total

        written_off = self.written_off

        written_off_count = self.written_off_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "as_of": as_of,
                "buckets": buckets,
                "counts": counts,
                "total": total,
                "written_off": written_off,
                "written_off_count": written_off_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.aging_out_buckets import AgingOutBuckets  # noqa: PLC0415
        from ..models.aging_out_counts import AgingOutCounts  # noqa: PLC0415

        d = dict(src_dict)
        as_of = datetime.date.fromisoformat(d.pop("as_of"))

        buckets = AgingOutBuckets.from_dict(d.pop("buckets"))

        counts = AgingOutCounts.from_dict(d.pop("counts"))

        total = d.pop("total")

        written_off = d.pop("written_off")

        written_off_count = d.pop("written_off_count")

        aging_out = cls(
            as_of=as_of,
            buckets=buckets,
            counts=counts,
            total=total,
            written_off=written_off,
            written_off_count=written_off_count,
        )

        aging_out.additional_properties = d
        return aging_out

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
