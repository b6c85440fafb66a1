from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.allocation_in_request import AllocationInRequest


T = TypeVar("T", bound="PaymentApplyInRequest")


@_attrs_define
class PaymentApplyInRequest:
    """
    Attributes:
        allocations (list[AllocationInRequest] | Unset): the invoices to apply it to, in this order; omit: the
            customer's open invoices oldest due first
    """

    allocations: list[AllocationInRequest] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allocations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.allocations, Unset):
            allocations = []
            for allocations_item_data in self.allocations:
                allocations_item = allocations_item_data.to_dict()
                allocations.append(allocations_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if allocations is not UNSET:
            field_dict["allocations"] = allocations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.allocation_in_request import AllocationInRequest  # noqa: PLC0415

        d = dict(src_dict)
        _allocations = d.pop("allocations", UNSET)
        allocations: list[AllocationInRequest] | Unset = UNSET
        if _allocations is not UNSET:
            allocations = []
            for allocations_item_data in _allocations:
                allocations_item = AllocationInRequest.from_dict(allocations_item_data)

                allocations.append(allocations_item)

        payment_apply_in_request = cls(
            allocations=allocations,
        )

        payment_apply_in_request.additional_properties = d
        return payment_apply_in_request

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
