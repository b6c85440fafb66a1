from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_state_enum import PaymentStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="RetryPaymentOut")


@_attrs_define
class RetryPaymentOut:
    """The attempt just made: pending until the gateway answers (after the commit).

    Attributes:
        id (int):
        customer (str): the customer's external id
        state (PaymentStateEnum): * `pending` - Pending
            * `succeeded` - Succeeded
            * `failed` - Failed
        amount (str):
        currency (str):
        gateway (str):
        created_at (datetime.datetime):
        invoice (int | None | Unset): The invoice an automatic payment collects.
        attempt (int | None | Unset): Automatic collection: 1 for the first charge, then retries.
        method (int | None | Unset):
    """

    id: int
    customer: str
    state: PaymentStateEnum
    amount: str
    currency: str
    gateway: str
    created_at: datetime.datetime
    invoice: int | None | Unset = UNSET
    attempt: int | None | Unset = UNSET
    method: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        state = self.state.value

        amount = self.amount

        currency = self.currency

        gateway = self.gateway

        created_at = self.created_at.isoformat()

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

        method: int | None | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        else:
            method = self.method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "state": state,
                "amount": amount,
                "currency": currency,
                "gateway": gateway,
                "created_at": created_at,
            }
        )
        if invoice is not UNSET:
            field_dict["invoice"] = invoice
        if attempt is not UNSET:
            field_dict["attempt"] = attempt
        if method is not UNSET:
            field_dict["method"] = method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        state = PaymentStateEnum(d.pop("state"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        gateway = d.pop("gateway")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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

        def _parse_method(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

        retry_payment_out = cls(
            id=id,
            customer=customer,
            state=state,
            amount=amount,
            currency=currency,
            gateway=gateway,
            created_at=created_at,
            invoice=invoice,
            attempt=attempt,
            method=method,
        )

        retry_payment_out.additional_properties = d
        return retry_payment_out

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
