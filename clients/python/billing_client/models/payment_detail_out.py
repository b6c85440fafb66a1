from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_kind_enum import PaymentKindEnum
from ..models.payment_state_enum import PaymentStateEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_allocation_out import PaymentAllocationOut
    from ..models.payment_attempt_out import PaymentAttemptOut
    from ..models.payment_refund_out import PaymentRefundOut


T = TypeVar("T", bound="PaymentDetailOut")


@_attrs_define
class PaymentDetailOut:
    """A payment with its timeline.

    Attributes:
        id (int):
        customer (str): the customer's external id
        kind (PaymentKindEnum): * `automatic` - automatic collection
            * `manual` - recorded by staff
        state (PaymentStateEnum): * `pending` - Pending
            * `succeeded` - Succeeded
            * `failed` - Failed
        currency (str):
        amount (str): what the customer sent
        applied (str): the sum of its live allocations
        unapplied (str): cash it still holds on the customer's account
        to_balance (str): moved to the customer's credit balance
        refunded (str): paid back through the gateway
        gateway (str):
        reference (str): the gateway's id of the charge, or the bank transfer's reference
        created_by (str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        allocations (list[PaymentAllocationOut]):
        attempts (list[PaymentAttemptOut]): every call to the gateway, oldest first
        refunds (list[PaymentRefundOut]):
        method (int | None | Unset):
        invoice (int | None | Unset): The invoice an automatic payment collects.
        attempt (int | None | Unset): Automatic collection: 1 for the first charge, then retries.
        retry_at (datetime.datetime | None | Unset): A failed automatic payment: when the clock retries.
        failure_code (str | Unset):
        failure_message (str | Unset):
        received_at (datetime.datetime | None | Unset): When the money came.
        memo (str | Unset):
    """

    id: int
    customer: str
    kind: PaymentKindEnum
    state: PaymentStateEnum
    currency: str
    amount: str
    applied: str
    unapplied: str
    to_balance: str
    refunded: str
    gateway: str
    reference: str
    created_by: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    allocations: list[PaymentAllocationOut]
    attempts: list[PaymentAttemptOut]
    refunds: list[PaymentRefundOut]
    method: int | None | Unset = UNSET
    invoice: int | None | Unset = UNSET
    attempt: int | None | Unset = UNSET
    retry_at: datetime.datetime | None | Unset = UNSET
    failure_code: str | Unset = UNSET
    failure_message: str | Unset = UNSET
    received_at: datetime.datetime | None | Unset = UNSET
    memo: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        kind = self.kind.value

        state = self.state.value

        currency = self.currency

        amount = self.amount

        applied = self.applied

        unapplied = self.unapplied

        to_balance = self.to_balance

        refunded = self.refunded

        gateway = self.gateway

        reference = self.reference

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        allocations = []
        for allocations_item_data in self.allocations:
            allocations_item = allocations_item_data.to_dict()
            allocations.append(allocations_item)

        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)

        refunds = []
        for refunds_item_data in self.refunds:
            refunds_item = refunds_item_data.to_dict()
            refunds.append(refunds_item)

        method: int | None | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        else:
            method = self.method

        invoice: int | None | Unset
        if isinstance(self.invoice, Unset):
            invoice = UNSET
        else:
            invoice = self.invoice

        attempt: int | None | Unset
        if isinstance(self.attempt, Unset):
            attempt = UNSET
        else:
            attempt = self.attempt

        retry_at: None | str | Unset
        if isinstance(self.retry_at, Unset):
            retry_at = UNSET
        elif isinstance(self.retry_at, datetime.datetime):
            retry_at = self.retry_at.isoformat()
        else:
            retry_at = self.retry_at

        failure_code = self.failure_code

        failure_message = self.failure_message

        received_at: None | str | Unset
        if isinstance(self.received_at, Unset):
            received_at = UNSET
        elif isinstance(self.received_at, datetime.datetime):
            received_at = self.received_at.isoformat()
        else:
            received_at = self.received_at

        memo = self.memo

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "kind": kind,
                "state": state,
                "currency": currency,
                "amount": amount,
                "applied": applied,
                "unapplied": unapplied,
                "to_balance": to_balance,
                "refunded": refunded,
                "gateway": gateway,
                "reference": reference,
                "created_by": created_by,
                "created_at": created_at,
                "updated_at": updated_at,
                "allocations": allocations,
                "attempts": attempts,
                "refunds": refunds,
            }
        )
        if method is not UNSET:
            field_dict["method"] = method
        if invoice is not UNSET:
            field_dict["invoice"] = invoice
        if attempt is not UNSET:
            field_dict["attempt"] = attempt
        if retry_at is not UNSET:
            field_dict["retry_at"] = retry_at
        if failure_code is not UNSET:
            field_dict["failure_code"] = failure_code
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if received_at is not UNSET:
            field_dict["received_at"] = received_at
        if memo is not UNSET:
            field_dict["memo"] = memo

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_allocation_out import PaymentAllocationOut  # noqa: PLC0415
        from ..models.payment_attempt_out import PaymentAttemptOut  # noqa: PLC0415
        from ..models.payment_refund_out import PaymentRefundOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        kind = PaymentKindEnum(d.pop("kind"))

        state = PaymentStateEnum(d.pop("state"))

        currency = d.pop("currency")

        amount = d.pop("amount")

        applied = d.pop("applied")

        unapplied = d.pop("unapplied")

        to_balance = d.pop("to_balance")

        refunded = d.pop("refunded")

        gateway = d.pop("gateway")

        reference = d.pop("reference")

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        allocations = []
        _allocations = d.pop("allocations")
        for allocations_item_data in _allocations:
            allocations_item = PaymentAllocationOut.from_dict(allocations_item_data)

            allocations.append(allocations_item)

        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in _attempts:
            attempts_item = PaymentAttemptOut.from_dict(attempts_item_data)

            attempts.append(attempts_item)

        refunds = []
        _refunds = d.pop("refunds")
        for refunds_item_data in _refunds:
            refunds_item = PaymentRefundOut.from_dict(refunds_item_data)

            refunds.append(refunds_item)

        def _parse_method(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

        def _parse_invoice(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        invoice = _parse_invoice(d.pop("invoice", UNSET))

        def _parse_attempt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        attempt = _parse_attempt(d.pop("attempt", UNSET))

        def _parse_retry_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                retry_at_type_0 = datetime.datetime.fromisoformat(data)

                return retry_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        retry_at = _parse_retry_at(d.pop("retry_at", UNSET))

        failure_code = d.pop("failure_code", UNSET)

        failure_message = d.pop("failure_message", UNSET)

        def _parse_received_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                received_at_type_0 = datetime.datetime.fromisoformat(data)

                return received_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        received_at = _parse_received_at(d.pop("received_at", UNSET))

        memo = d.pop("memo", UNSET)

        payment_detail_out = cls(
            id=id,
            customer=customer,
            kind=kind,
            state=state,
            currency=currency,
            amount=amount,
            applied=applied,
            unapplied=unapplied,
            to_balance=to_balance,
            refunded=refunded,
            gateway=gateway,
            reference=reference,
            created_by=created_by,
            created_at=created_at,
            updated_at=updated_at,
            allocations=allocations,
            attempts=attempts,
            refunds=refunds,
            method=method,
            invoice=invoice,
            attempt=attempt,
            retry_at=retry_at,
            failure_code=failure_code,
            failure_message=failure_message,
            received_at=received_at,
            memo=memo,
        )

        payment_detail_out.additional_properties = d
        return payment_detail_out

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
