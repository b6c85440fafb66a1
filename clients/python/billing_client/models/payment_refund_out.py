from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_state_enum import PaymentStateEnum
from ..models.refund_source_enum import RefundSourceEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentRefundOut")


@_attrs_define
class PaymentRefundOut:
    """
    Attributes:
        id (int):
        amount (str): an amount with exactly its currency's decimals
        currency (str):
        state (PaymentStateEnum): * `pending` - Pending
            * `succeeded` - Succeeded
            * `failed` - Failed
        source (RefundSourceEnum): * `unapplied` - the payment's unapplied cash (an overpayment)
            * `credit_balance` - the customer's credit balance (after a credit note)
        reason (str):
        created_at (datetime.datetime):
        credit_note (int | None | Unset): The credit note on a paid invoice that the refund pays out.
        settled_at (datetime.datetime | None | Unset):
    """

    id: int
    amount: str
    currency: str
    state: PaymentStateEnum
    source: RefundSourceEnum
    reason: str
    created_at: datetime.datetime
    credit_note: int | None | Unset = UNSET
    settled_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        amount = self.amount

        currency = self.currency

        state = self.state.value

        source = self.source.value

        reason = self.reason

        created_at = self.created_at.isoformat()

        credit_note: int | None | Unset
        if isinstance(self.credit_note, Unset):
            credit_note = UNSET
        else:
            credit_note = self.credit_note

        settled_at: None | str | Unset
        if isinstance(self.settled_at, Unset):
            settled_at = UNSET
        elif isinstance(self.settled_at, datetime.datetime):
            settled_at = self.settled_at.isoformat()
        else:
            settled_at = self.settled_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "amount": amount,
                "currency": currency,
                "state": state,
                "source": source,
                "reason": reason,
                "created_at": created_at,
            }
        )
        if credit_note is not UNSET:
            field_dict["credit_note"] = credit_note
        if settled_at is not UNSET:
            field_dict["settled_at"] = settled_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        amount = d.pop("amount")

        currency = d.pop("currency")

        state = PaymentStateEnum(d.pop("state"))

        source = RefundSourceEnum(d.pop("source"))

        reason = d.pop("reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_credit_note(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credit_note = _parse_credit_note(d.pop("credit_note", UNSET))

        def _parse_settled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                settled_at_type_0 = datetime.datetime.fromisoformat(data)

                return settled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        settled_at = _parse_settled_at(d.pop("settled_at", UNSET))

        payment_refund_out = cls(
            id=id,
            amount=amount,
            currency=currency,
            state=state,
            source=source,
            reason=reason,
            created_at=created_at,
            credit_note=credit_note,
            settled_at=settled_at,
        )

        payment_refund_out.additional_properties = d
        return payment_refund_out

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
