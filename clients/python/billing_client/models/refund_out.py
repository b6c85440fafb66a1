from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_state_enum import PaymentStateEnum
from ..models.refund_source_enum import RefundSourceEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="RefundOut")


@_attrs_define
class RefundOut:
    """
    Attributes:
        id (int):
        payment (int):
        customer (str): the customer's external id
        amount (str):
        currency (str):
        source (RefundSourceEnum): * `unapplied` - the payment's unapplied cash (an overpayment)
            * `credit_balance` - the customer's credit balance (after a credit note)
        credit_note_number (None | str):
        state (PaymentStateEnum): * `pending` - Pending
            * `succeeded` - Succeeded
            * `failed` - Failed
        reason (str):
        idempotency_key (str):
        created_by (str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        credit_note (int | None | Unset): The credit note on a paid invoice that the refund pays out.
        gateway_reference (str | Unset):
        failure_code (str | Unset):
        failure_message (str | Unset):
        refund_requested_at (datetime.datetime | None | Unset):
        settled_at (datetime.datetime | None | Unset):
    """

    id: int
    payment: int
    customer: str
    amount: str
    currency: str
    source: RefundSourceEnum
    credit_note_number: None | str
    state: PaymentStateEnum
    reason: str
    idempotency_key: str
    created_by: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    credit_note: int | None | Unset = UNSET
    gateway_reference: str | Unset = UNSET
    failure_code: str | Unset = UNSET
    failure_message: str | Unset = UNSET
    refund_requested_at: datetime.datetime | None | Unset = UNSET
    settled_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        payment = self.payment

        customer = self.customer

        amount = self.amount

        currency = self.currency

        source = self.source.value

        credit_note_number: None | str
        credit_note_number = self.credit_note_number

        state = self.state.value

        reason = self.reason

        idempotency_key = self.idempotency_key

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        credit_note: int | None | Unset
        if isinstance(self.credit_note, Unset):
            credit_note = UNSET
        else:
            credit_note = self.credit_note

        gateway_reference = self.gateway_reference

        failure_code = self.failure_code

        failure_message = self.failure_message

        refund_requested_at: None | str | Unset
        if isinstance(self.refund_requested_at, Unset):
            refund_requested_at = UNSET
        elif isinstance(self.refund_requested_at, datetime.datetime):
            refund_requested_at = self.refund_requested_at.isoformat()
        else:
            refund_requested_at = self.refund_requested_at

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
                "payment": payment,
                "customer": customer,
                "amount": amount,
                "currency": currency,
                "source": source,
                "credit_note_number": credit_note_number,
                "state": state,
                "reason": reason,
                "idempotency_key": idempotency_key,
                "created_by": created_by,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if credit_note is not UNSET:
            field_dict["credit_note"] = credit_note
        if gateway_reference is not UNSET:
            field_dict["gateway_reference"] = gateway_reference
        if failure_code is not UNSET:
            field_dict["failure_code"] = failure_code
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if refund_requested_at is not UNSET:
            field_dict["refund_requested_at"] = refund_requested_at
        if settled_at is not UNSET:
            field_dict["settled_at"] = settled_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        payment = d.pop("payment")

        customer = d.pop("customer")

        amount = d.pop("amount")

        currency = d.pop("currency")

        source = RefundSourceEnum(d.pop("source"))

        def _parse_credit_note_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        credit_note_number = _parse_credit_note_number(d.pop("credit_note_number"))

        state = PaymentStateEnum(d.pop("state"))

        reason = d.pop("reason")

        idempotency_key = d.pop("idempotency_key")

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_credit_note(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credit_note = _parse_credit_note(d.pop("credit_note", UNSET))

        gateway_reference = d.pop("gateway_reference", UNSET)

        failure_code = d.pop("failure_code", UNSET)

        failure_message = d.pop("failure_message", UNSET)

        def _parse_refund_requested_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                refund_requested_at_type_0 = datetime.datetime.fromisoformat(data)

                return refund_requested_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        refund_requested_at = _parse_refund_requested_at(d.pop("refund_requested_at", UNSET))

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

        refund_out = cls(
            id=id,
            payment=payment,
            customer=customer,
            amount=amount,
            currency=currency,
            source=source,
            credit_note_number=credit_note_number,
            state=state,
            reason=reason,
            idempotency_key=idempotency_key,
            created_by=created_by,
            created_at=created_at,
            updated_at=updated_at,
            credit_note=credit_note,
            gateway_reference=gateway_reference,
            failure_code=failure_code,
            failure_message=failure_message,
            refund_requested_at=refund_requested_at,
            settled_at=settled_at,
        )

        refund_out.additional_properties = d
        return refund_out

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
