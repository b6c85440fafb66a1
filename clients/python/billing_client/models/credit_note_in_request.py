from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.credit_line_in_request import CreditLineInRequest


T = TypeVar("T", bound="CreditNoteInRequest")


@_attrs_define
class CreditNoteInRequest:
    """
    Attributes:
        reason (str):
        lines (list[CreditLineInRequest] | Unset): omit to credit the whole invoice
    """

    reason: str
    lines: list[CreditLineInRequest] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        lines: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.lines, Unset):
            lines = []
            for lines_item_data in self.lines:
                lines_item = lines_item_data.to_dict()
                lines.append(lines_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
            }
        )
        if lines is not UNSET:
            field_dict["lines"] = lines

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credit_line_in_request import CreditLineInRequest  # noqa: PLC0415

        d = dict(src_dict)
        reason = d.pop("reason")

        _lines = d.pop("lines", UNSET)
        lines: list[CreditLineInRequest] | Unset = UNSET
        if _lines is not UNSET:
            lines = []
            for lines_item_data in _lines:
                lines_item = CreditLineInRequest.from_dict(lines_item_data)

                lines.append(lines_item)

        credit_note_in_request = cls(
            reason=reason,
            lines=lines,
        )

        credit_note_in_request.additional_properties = d
        return credit_note_in_request

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
