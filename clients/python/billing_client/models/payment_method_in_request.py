from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_gateway_enum import PaymentGatewayEnum
from ..models.payment_method_kind_enum import PaymentMethodKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentMethodInRequest")


@_attrs_define
class PaymentMethodInRequest:
    """
    Attributes:
        customer (str): the customer's external id
        gateway (PaymentGatewayEnum): * `sandbox` - sandbox
            * `manual` - manual
            * `stripe` - stripe
        token (str): the gateway's token for the card or account; never its number or IBAN
        kind (PaymentMethodKindEnum): * `card` - Card
            * `sepa_debit` - SEPA direct debit
            * `bank_transfer` - bank transfer
        gateway_customer (str | Unset): Stripe only: the Stripe Customer (`cus_...`) you attached this PaymentMethod to
            yourself. Stripe charges a saved PaymentMethod off session only through its Customer: collection sends it with
            every charge. Cards saved in the portal get theirs from the setup. Read-only afterwards. Default: ''.
        brand (str | Unset):  Default: ''.
        last4 (str | Unset): the last four digits, for display (exactly 4 digits, or empty) Default: ''.
        exp_month (int | None | Unset):
        exp_year (int | None | Unset):
        holder_name (str | Unset):  Default: ''.
    """

    customer: str
    gateway: PaymentGatewayEnum
    token: str
    kind: PaymentMethodKindEnum
    gateway_customer: str | Unset = ""
    brand: str | Unset = ""
    last4: str | Unset = ""
    exp_month: int | None | Unset = UNSET
    exp_year: int | None | Unset = UNSET
    holder_name: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        gateway = self.gateway.value

        token = self.token

        kind = self.kind.value

        gateway_customer = self.gateway_customer

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "gateway": gateway,
                "token": token,
                "kind": kind,
            }
        )
        if gateway_customer is not UNSET:
            field_dict["gateway_customer"] = gateway_customer
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        gateway = PaymentGatewayEnum(d.pop("gateway"))

        token = d.pop("token")

        kind = PaymentMethodKindEnum(d.pop("kind"))

        gateway_customer = d.pop("gateway_customer", UNSET)

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

        payment_method_in_request = cls(
            customer=customer,
            gateway=gateway,
            token=token,
            kind=kind,
            gateway_customer=gateway_customer,
            brand=brand,
            last4=last4,
            exp_month=exp_month,
            exp_year=exp_year,
            holder_name=holder_name,
        )

        payment_method_in_request.additional_properties = d
        return payment_method_in_request

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
