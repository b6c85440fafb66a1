from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.apply_enum import ApplyEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.allocation_in_request import AllocationInRequest


T = TypeVar("T", bound="PaymentRecordInRequest")


@_attrs_define
class PaymentRecordInRequest:
    """
    Attributes:
        customer (str): the customer's external id
        amount (str): above zero, in the currency's decimals
        currency (str): ISO 4217; must be the customer's
        received_at (datetime.datetime): when the money came; not in the future
        reference (str | Unset): the bank transfer's or cheque's reference Default: ''.
        memo (str | Unset):  Default: ''.
        allocations (list[AllocationInRequest] | Unset): the invoices to apply it to, in this order; not with `apply`
        apply (ApplyEnum | Unset): * `oldest_first` - oldest_first
            * `none` - none
    """

    customer: str
    amount: str
    currency: str
    received_at: datetime.datetime
    reference: str | Unset = ""
    memo: str | Unset = ""
    allocations: list[AllocationInRequest] | Unset = UNSET
    apply: ApplyEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        amount = self.amount

        currency = self.currency

        received_at = self.received_at.isoformat()

        reference = self.reference

        memo = self.memo

        allocations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.allocations, Unset):
            allocations = []
            for allocations_item_data in self.allocations:
                allocations_item = allocations_item_data.to_dict()
                allocations.append(allocations_item)

        apply: str | Unset = UNSET
        if not isinstance(self.apply, Unset):
            apply = self.apply.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "amount": amount,
                "currency": currency,
                "received_at": received_at,
            }
        )
        if reference is not UNSET:
            field_dict["reference"] = reference
        if memo is not UNSET:
            field_dict["memo"] = memo
        if allocations is not UNSET:
            field_dict["allocations"] = allocations
        if apply is not UNSET:
            field_dict["apply"] = apply

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.allocation_in_request import AllocationInRequest  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        amount = d.pop("amount")

        currency = d.pop("currency")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        reference = d.pop("reference", UNSET)

        memo = d.pop("memo", UNSET)

        _allocations = d.pop("allocations", UNSET)
        allocations: list[AllocationInRequest] | Unset = UNSET
        if _allocations is not UNSET:
            allocations = []
            for allocations_item_data in _allocations:
                allocations_item = AllocationInRequest.from_dict(allocations_item_data)

                allocations.append(allocations_item)

        _apply = d.pop("apply", UNSET)
        apply: ApplyEnum | Unset
        if isinstance(_apply, Unset):
            apply = UNSET
        else:
            apply = ApplyEnum(_apply)

        payment_record_in_request = cls(
            customer=customer,
            amount=amount,
            currency=currency,
            received_at=received_at,
            reference=reference,
            memo=memo,
            allocations=allocations,
            apply=apply,
        )

        payment_record_in_request.additional_properties = d
        return payment_record_in_request

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
