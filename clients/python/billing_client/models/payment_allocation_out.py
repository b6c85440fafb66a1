from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentAllocationOut")


@_attrs_define
class PaymentAllocationOut:
    """
    Attributes:
        id (int):
        invoice (int):
        invoice_number (None | str):
        amount (str): an amount with exactly its currency's decimals
        live (bool): true while applied; false once taken back (unapplied_at/by/reason say when, who and why)
        created_at (datetime.datetime):
        created_by (str):
        unapplied_at (datetime.datetime | None | Unset):
        unapplied_by (str | Unset):
        unapply_reason (str | Unset):
    """

    id: int
    invoice: int
    invoice_number: None | str
    amount: str
    live: bool
    created_at: datetime.datetime
    created_by: str
    unapplied_at: datetime.datetime | None | Unset = UNSET
    unapplied_by: str | Unset = UNSET
    unapply_reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        invoice = self.invoice

        invoice_number: None | str
        invoice_number = self.invoice_number

        amount = self.amount

        live = self.live

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        unapplied_at: None | str | Unset
        if isinstance(self.unapplied_at, Unset):
            unapplied_at = UNSET
        elif isinstance(self.unapplied_at, datetime.datetime):
            unapplied_at = self.unapplied_at.isoformat()
        else:
            unapplied_at = self.unapplied_at

        unapplied_by = self.unapplied_by

        unapply_reason = self.unapply_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "invoice": invoice,
                "invoice_number": invoice_number,
                "amount": amount,
                "live": live,
                "created_at": created_at,
                "created_by": created_by,
            }
        )
        if unapplied_at is not UNSET:
            field_dict["unapplied_at"] = unapplied_at
        if unapplied_by is not UNSET:
            field_dict["unapplied_by"] = unapplied_by
        if unapply_reason is not UNSET:
            field_dict["unapply_reason"] = unapply_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        invoice = d.pop("invoice")

        def _parse_invoice_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invoice_number = _parse_invoice_number(d.pop("invoice_number"))

        amount = d.pop("amount")

        live = d.pop("live")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        def _parse_unapplied_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                unapplied_at_type_0 = datetime.datetime.fromisoformat(data)

                return unapplied_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        unapplied_at = _parse_unapplied_at(d.pop("unapplied_at", UNSET))

        unapplied_by = d.pop("unapplied_by", UNSET)

        unapply_reason = d.pop("unapply_reason", UNSET)

        payment_allocation_out = cls(
            id=id,
            invoice=invoice,
            invoice_number=invoice_number,
            amount=amount,
            live=live,
            created_at=created_at,
            created_by=created_by,
            unapplied_at=unapplied_at,
            unapplied_by=unapplied_by,
            unapply_reason=unapply_reason,
        )

        payment_allocation_out.additional_properties = d
        return payment_allocation_out

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
