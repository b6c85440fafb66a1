from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.amount_kind_enum import AmountKindEnum
from ..models.payout_state_enum import PayoutStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutOut")


@_attrs_define
class PayoutOut:
    """
    Attributes:
        id (int):
        payee (str): the payee's external id
        schedule (int):
        period_start (datetime.datetime):
        period_end (datetime.datetime):
        amount_kind (AmountKindEnum): * `fixed` - a fixed amount
            * `percentage` - a percentage of the customers' payments less refunds
        amount (str): an amount with exactly its currency's decimals
        currency (str):
        payments_total (None | str):
        refunds_total (None | str):
        carried_in (None | str):
        carried_out (None | str):
        state (PayoutStateEnum): * `pending` - Pending
            * `processing` - Processing
            * `paid` - Paid
            * `failed` - Failed
            * `canceled` - Canceled
            * `skipped` - Skipped
        created_at (datetime.datetime):
        percentage (None | str | Unset):
        method (int | None | Unset):
        gateway (str | Unset):
        gateway_reference (str | Unset):
        attempts (int | Unset):
        requested_at (datetime.datetime | None | Unset): When the current attempt was sent.
        next_retry_at (datetime.datetime | None | Unset):
        failure_code (str | Unset):
        failure_message (str | Unset):
        paid_at (datetime.datetime | None | Unset):
        canceled_at (datetime.datetime | None | Unset):
        cancel_reason (str | Unset):
    """

    id: int
    payee: str
    schedule: int
    period_start: datetime.datetime
    period_end: datetime.datetime
    amount_kind: AmountKindEnum
    amount: str
    currency: str
    payments_total: None | str
    refunds_total: None | str
    carried_in: None | str
    carried_out: None | str
    state: PayoutStateEnum
    created_at: datetime.datetime
    percentage: None | str | Unset = UNSET
    method: int | None | Unset = UNSET
    gateway: str | Unset = UNSET
    gateway_reference: str | Unset = UNSET
    attempts: int | Unset = UNSET
    requested_at: datetime.datetime | None | Unset = UNSET
    next_retry_at: datetime.datetime | None | Unset = UNSET
    failure_code: str | Unset = UNSET
    failure_message: str | Unset = UNSET
    paid_at: datetime.datetime | None | Unset = UNSET
    canceled_at: datetime.datetime | None | Unset = UNSET
    cancel_reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        payee = self.payee

        schedule = self.schedule

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        amount_kind = self.amount_kind.value

        amount = self.amount

        currency = self.currency

        payments_total: None | str
        payments_total = self.payments_total

        refunds_total: None | str
        refunds_total = self.refunds_total

        carried_in: None | str
        carried_in = self.carried_in

        carried_out: None | str
        carried_out = self.carried_out

        state = self.state.value

        created_at = self.created_at.isoformat()

        percentage: None | str | Unset
        if isinstance(self.percentage, Unset):
            percentage = UNSET
        else:
            percentage = self.percentage

        method: int | None | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        else:
            method = self.method

        gateway = self.gateway

        gateway_reference = self.gateway_reference

        attempts = self.attempts

        requested_at: None | str | Unset
        if isinstance(self.requested_at, Unset):
            requested_at = UNSET
        elif isinstance(self.requested_at, datetime.datetime):
            requested_at = self.requested_at.isoformat()
        else:
            requested_at = self.requested_at

        next_retry_at: None | str | Unset
        if isinstance(self.next_retry_at, Unset):
            next_retry_at = UNSET
        elif isinstance(self.next_retry_at, datetime.datetime):
            next_retry_at = self.next_retry_at.isoformat()
        else:
            next_retry_at = self.next_retry_at

        failure_code = self.failure_code

        failure_message = self.failure_message

        paid_at: None | str | Unset
        if isinstance(self.paid_at, Unset):
            paid_at = UNSET
        elif isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        canceled_at: None | str | Unset
        if isinstance(self.canceled_at, Unset):
            canceled_at = UNSET
        elif isinstance(self.canceled_at, datetime.datetime):
            canceled_at = self.canceled_at.isoformat()
        else:
            canceled_at = self.canceled_at

        cancel_reason = self.cancel_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "payee": payee,
                "schedule": schedule,
                "period_start": period_start,
                "period_end": period_end,
                "amount_kind": amount_kind,
                "amount": amount,
                "currency": currency,
                "payments_total": payments_total,
                "refunds_total": refunds_total,
                "carried_in": carried_in,
                "carried_out": carried_out,
                "state": state,
                "created_at": created_at,
            }
        )
        if percentage is not UNSET:
            field_dict["percentage"] = percentage
        if method is not UNSET:
            field_dict["method"] = method
        if gateway is not UNSET:
            field_dict["gateway"] = gateway
        if gateway_reference is not UNSET:
            field_dict["gateway_reference"] = gateway_reference
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if requested_at is not UNSET:
            field_dict["requested_at"] = requested_at
        if next_retry_at is not UNSET:
            field_dict["next_retry_at"] = next_retry_at
        if failure_code is not UNSET:
            field_dict["failure_code"] = failure_code
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if paid_at is not UNSET:
            field_dict["paid_at"] = paid_at
        if canceled_at is not UNSET:
            field_dict["canceled_at"] = canceled_at
        if cancel_reason is not UNSET:
            field_dict["cancel_reason"] = cancel_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        payee = d.pop("payee")

        schedule = d.pop("schedule")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        amount_kind = AmountKindEnum(d.pop("amount_kind"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_payments_total(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payments_total = _parse_payments_total(d.pop("payments_total"))

        def _parse_refunds_total(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        refunds_total = _parse_refunds_total(d.pop("refunds_total"))

        def _parse_carried_in(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        carried_in = _parse_carried_in(d.pop("carried_in"))

        def _parse_carried_out(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        carried_out = _parse_carried_out(d.pop("carried_out"))

        state = PayoutStateEnum(d.pop("state"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_percentage(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        percentage = _parse_percentage(d.pop("percentage", UNSET))

        def _parse_method(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

        gateway = d.pop("gateway", UNSET)

        gateway_reference = d.pop("gateway_reference", UNSET)

        attempts = d.pop("attempts", UNSET)

        def _parse_requested_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                requested_at_type_0 = datetime.datetime.fromisoformat(data)

                return requested_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        requested_at = _parse_requested_at(d.pop("requested_at", UNSET))

        def _parse_next_retry_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_retry_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_retry_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_retry_at = _parse_next_retry_at(d.pop("next_retry_at", UNSET))

        failure_code = d.pop("failure_code", UNSET)

        failure_message = d.pop("failure_message", UNSET)

        def _parse_paid_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        paid_at = _parse_paid_at(d.pop("paid_at", UNSET))

        def _parse_canceled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                canceled_at_type_0 = datetime.datetime.fromisoformat(data)

                return canceled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        canceled_at = _parse_canceled_at(d.pop("canceled_at", UNSET))

        cancel_reason = d.pop("cancel_reason", UNSET)

        payout_out = cls(
            id=id,
            payee=payee,
            schedule=schedule,
            period_start=period_start,
            period_end=period_end,
            amount_kind=amount_kind,
            amount=amount,
            currency=currency,
            payments_total=payments_total,
            refunds_total=refunds_total,
            carried_in=carried_in,
            carried_out=carried_out,
            state=state,
            created_at=created_at,
            percentage=percentage,
            method=method,
            gateway=gateway,
            gateway_reference=gateway_reference,
            attempts=attempts,
            requested_at=requested_at,
            next_retry_at=next_retry_at,
            failure_code=failure_code,
            failure_message=failure_message,
            paid_at=paid_at,
            canceled_at=canceled_at,
            cancel_reason=cancel_reason,
        )

        payout_out.additional_properties = d
        return payout_out

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
