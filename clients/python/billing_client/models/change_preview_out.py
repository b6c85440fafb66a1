from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preview_line_out import PreviewLineOut
    from ..models.timing_out import TimingOut


T = TypeVar("T", bound="ChangePreviewOut")


@_attrs_define
class ChangePreviewOut:
    """
    Attributes:
        new_plan (str):
        new_version (str):
        quantity (int):
        effective_at (datetime.datetime):
        applies_now (bool):
        exact (bool): false: it takes effect in a later period; priced when it applies
        currency (str):
        lines (list[PreviewLineOut]):
        total (str):
        timing (TimingOut):
    """

    new_plan: str
    new_version: str
    quantity: int
    effective_at: datetime.datetime
    applies_now: bool
    exact: bool
    currency: str
    lines: list[PreviewLineOut]
    total: str
    timing: TimingOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        new_plan = self.new_plan

        new_version = self.new_version

        quantity = self.quantity

        effective_at = self.effective_at.isoformat()

        applies_now = self.applies_now

        exact = self.exact

        currency = self.currency

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        total = self.total

        timing = self.timing.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "new_plan": new_plan,
                "new_version": new_version,
                "quantity": quantity,
                "effective_at": effective_at,
                "applies_now": applies_now,
                "exact": exact,
                "currency": currency,
                "lines": lines,
                "total": total,
                "timing": timing,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_line_out import PreviewLineOut  # noqa: PLC0415
        from ..models.timing_out import TimingOut  # noqa: PLC0415

        d = dict(src_dict)
        new_plan = d.pop("new_plan")

        new_version = d.pop("new_version")

        quantity = d.pop("quantity")

        effective_at = datetime.datetime.fromisoformat(d.pop("effective_at"))

        applies_now = d.pop("applies_now")

        exact = d.pop("exact")

        currency = d.pop("currency")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = PreviewLineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        total = d.pop("total")

        timing = TimingOut.from_dict(d.pop("timing"))

        change_preview_out = cls(
            new_plan=new_plan,
            new_version=new_version,
            quantity=quantity,
            effective_at=effective_at,
            applies_now=applies_now,
            exact=exact,
            currency=currency,
            lines=lines,
            total=total,
            timing=timing,
        )

        change_preview_out.additional_properties = d
        return change_preview_out

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
