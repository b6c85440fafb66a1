from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_gateway_enum import PaymentGatewayEnum
from ..models.payment_method_kind_enum import PaymentMethodKindEnum
from ..models.payment_method_state_enum import PaymentMethodStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentMethodOut")


@_attrs_define
class PaymentMethodOut:
    """
    Attributes:
        id (int):
        customer (str): the customer's external id
        gateway (PaymentGatewayEnum): * `sandbox` - sandbox
            * `manual` - manual
            * `stripe` - stripe
        token (str): the gateway's token, never a card number
        gateway_customer (str): the gateway's customer the method is attached to (Stripe: its `cus_...` Customer, sent
            with every charge: Stripe reuses a PaymentMethod off session only through its Customer); empty when the gateway
            has none
        kind (PaymentMethodKindEnum): * `card` - Card
            * `sepa_debit` - SEPA direct debit
            * `bank_transfer` - bank transfer
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        brand (str | Unset):
        last4 (str | Unset):
        exp_month (int | None | Unset):
        exp_year (int | None | Unset):
        holder_name (str | Unset):
        state (PaymentMethodStateEnum | Unset): * `active` - Active
            * `expired` - Expired
            * `failed_verification` - failed verification
        is_default (bool | Unset):  Default: False.
        detached_at (datetime.datetime | None | Unset):
    """

    id: int
    customer: str
    gateway: PaymentGatewayEnum
    token: str
    gateway_customer: str
    kind: PaymentMethodKindEnum
    created_at: datetime.datetime
    updated_at: datetime.datetime
    brand: str | Unset = UNSET
    last4: str | Unset = UNSET
    exp_month: int | None | Unset = UNSET
    exp_year: int | None | Unset = UNSET
    holder_name: str | Unset = UNSET
    state: PaymentMethodStateEnum | Unset = UNSET
    is_default: bool | Unset = False
    detached_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        gateway = self.gateway.value

        token = self.token

        gateway_customer = self.gateway_customer

        kind = self.kind.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        brand = self.brand

        last4 = self.last4

        exp_month: int | None | Unset
        if isinstance(self.exp_month, Unset):
            exp_month = UNSET
        else:
            exp_month = self.exp_month

        exp_year: int | None | Unset
        if isinstance(self.exp_year, Unset):
            exp_year = UNSET
        else:
            exp_year = self.exp_year

        holder_name = self.holder_name

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        is_default = self.is_default

        detached_at: None | str | Unset
        if isinstance(self.detached_at, Unset):
            detached_at = UNSET
        elif isinstance(self.detached_at, datetime.datetime):
            detached_at = self.detached_at.isoformat()
        else:
            detached_at = self.detached_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "gateway": gateway,
                "token": token,
                "gateway_customer": gateway_customer,
                "kind": kind,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if brand is not UNSET:
            field_dict["brand"] = brand
        if last4 is not UNSET:
            field_dict["last4"] = last4
        if exp_month is not UNSET:
            field_dict["exp_month"] = exp_month
        if exp_year is not UNSET:
            field_dict["exp_year"] = exp_year
        if holder_name is not UNSET:
            field_dict["holder_name"] = holder_name
        if state is not UNSET:
            field_dict["state"] = state
        if is_default is not UNSET:
            field_dict["is_default"] = is_default
        if detached_at is not UNSET:
            field_dict["detached_at"] = detached_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        gateway = PaymentGatewayEnum(d.pop("gateway"))

        token = d.pop("token")

        gateway_customer = d.pop("gateway_customer")

        kind = PaymentMethodKindEnum(d.pop("kind"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        brand = d.pop("brand", UNSET)

        last4 = d.pop("last4", UNSET)

        def _parse_exp_month(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        exp_month = _parse_exp_month(d.pop("exp_month", UNSET))

        def _parse_exp_year(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        exp_year = _parse_exp_year(d.pop("exp_year", UNSET))

        holder_name = d.pop("holder_name", UNSET)

        _state = d.pop("state", UNSET)
        state: PaymentMethodStateEnum | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = PaymentMethodStateEnum(_state)

        is_default = d.pop("is_default", UNSET)

        def _parse_detached_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                detached_at_type_0 = datetime.datetime.fromisoformat(data)

                return detached_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        detached_at = _parse_detached_at(d.pop("detached_at", UNSET))

        payment_method_out = cls(
            id=id,
            customer=customer,
            gateway=gateway,
            token=token,
            gateway_customer=gateway_customer,
            kind=kind,
            created_at=created_at,
            updated_at=updated_at,
            brand=brand,
            last4=last4,
            exp_month=exp_month,
            exp_year=exp_year,
            holder_name=holder_name,
            state=state,
            is_default=is_default,
            detached_at=detached_at,
        )

        payment_method_out.additional_properties = d
        return payment_method_out

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
