from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.balance_kind_enum import BalanceKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="BalanceTransactionOut")


@_attrs_define
class BalanceTransactionOut:
    """
    Attributes:
        id (int):
        kind (BalanceKindEnum): * `grant` - credit granted by staff
            * `prepaid` - prepaid credit bought
            * `adjustment` - adjustment by staff
            * `applied` - applied to an invoice
            * `carried` - credit carried from an invoice below zero
            * `credit_note` - credit note on a settled invoice
            * `restored` - restored by a void
            * `overpayment` - overpayment moved from unapplied cash
            * `refunded` - refunded to the customer
            * `expired` - expired credit
        amount (str):
        currency (str):
        balance_after (str):
        created_by (str):
        created_at (datetime.datetime):
        document_type (str | Unset):
        document_id (int | None | Unset):
        reason (str | Unset):
    """

    id: int
    kind: BalanceKindEnum
    amount: str
    currency: str
    balance_after: str
    created_by: str
    created_at: datetime.datetime
    document_type: str | Unset = UNSET
    document_id: int | None | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        amount = self.amount

        currency = self.currency

        balance_after = self.balance_after

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        document_type = self.document_type

        document_id: int | None | Unset
        if isinstance(self.document_id, Unset):
            document_id = UNSET
        else:
            document_id = self.document_id

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "amount": amount,
                "currency": currency,
                "balance_after": balance_after,
                "created_by": created_by,
                "created_at": created_at,
            }
        )
        if document_type is not UNSET:
            field_dict["document_type"] = document_type
        if document_id is not UNSET:
            field_dict["document_id"] = document_id
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = BalanceKindEnum(d.pop("kind"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        balance_after = d.pop("balance_after")

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        document_type = d.pop("document_type", UNSET)

        def _parse_document_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        document_id = _parse_document_id(d.pop("document_id", UNSET))

        reason = d.pop("reason", UNSET)

        balance_transaction_out = cls(
            id=id,
            kind=kind,
            amount=amount,
            currency=currency,
            balance_after=balance_after,
            created_by=created_by,
            created_at=created_at,
            document_type=document_type,
            document_id=document_id,
            reason=reason,
        )

        balance_transaction_out.additional_properties = d
        return balance_transaction_out

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
