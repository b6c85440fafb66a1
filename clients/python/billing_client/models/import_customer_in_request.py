from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportCustomerInRequest")


@_attrs_define
class ImportCustomerInRequest:
    """A new customer (the fields of `POST /customers/`, the address flat), or an existing one
    by `external_id` alone.

        Attributes:
            external_id (str):
            name (str | Unset):
            email (str | Unset):
            currency (str | Unset):
            timezone (str | Unset):
            locale (str | Unset):
            address_line1 (str | Unset):
            address_line2 (str | Unset):
            city (str | Unset):
            postal_code (str | Unset):
            state (str | Unset):
            country (str | Unset):
            tax_exempt (bool | Unset):
            tax_id (str | Unset):
            auto_collection (bool | Unset):
            payment_terms_days (int | Unset):
            invoice_grace_period_days (int | Unset):
            metadata (Any | Unset):
    """

    external_id: str
    name: str | Unset = UNSET
    email: str | Unset = UNSET
    currency: str | Unset = UNSET
    timezone: str | Unset = UNSET
    locale: str | Unset = UNSET
    address_line1: str | Unset = UNSET
    address_line2: str | Unset = UNSET
    city: str | Unset = UNSET
    postal_code: str | Unset = UNSET
    state: str | Unset = UNSET
    country: str | Unset = UNSET
    tax_exempt: bool | Unset = UNSET
    tax_id: str | Unset = UNSET
    auto_collection: bool | Unset = UNSET
    payment_terms_days: int | Unset = UNSET
    invoice_grace_period_days: int | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        external_id = self.external_id

        name = self.name

        email = self.email

        currency = self.currency

        timezone = self.timezone

        locale = self.locale

        address_line1 = self.address_line1

        address_line2 = self.address_line2

        city = self.city

        postal_code = self.postal_code

        state = self.state

        country = self.country

        tax_exempt = self.tax_exempt

        tax_id = self.tax_id

        auto_collection = self.auto_collection

        payment_terms_days = self.payment_terms_days

        invoice_grace_period_days = self.invoice_grace_period_days

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "external_id": external_id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if email is not UNSET:
            field_dict["email"] = email
        if currency is not UNSET:
            field_dict["currency"] = currency
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if locale is not UNSET:
            field_dict["locale"] = locale
        if address_line1 is not UNSET:
            field_dict["address_line1"] = address_line1
        if address_line2 is not UNSET:
            field_dict["address_line2"] = address_line2
        if city is not UNSET:
            field_dict["city"] = city
        if postal_code is not UNSET:
            field_dict["postal_code"] = postal_code
        if state is not UNSET:
            field_dict["state"] = state
        if country is not UNSET:
            field_dict["country"] = country
        if tax_exempt is not UNSET:
            field_dict["tax_exempt"] = tax_exempt
        if tax_id is not UNSET:
            field_dict["tax_id"] = tax_id
        if auto_collection is not UNSET:
            field_dict["auto_collection"] = auto_collection
        if payment_terms_days is not UNSET:
            field_dict["payment_terms_days"] = payment_terms_days
        if invoice_grace_period_days is not UNSET:
            field_dict["invoice_grace_period_days"] = invoice_grace_period_days
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        external_id = d.pop("external_id")

        name = d.pop("name", UNSET)

        email = d.pop("email", UNSET)

        currency = d.pop("currency", UNSET)

        timezone = d.pop("timezone", UNSET)

        locale = d.pop("locale", UNSET)

        address_line1 = d.pop("address_line1", UNSET)

        address_line2 = d.pop("address_line2", UNSET)

        city = d.pop("city", UNSET)

        postal_code = d.pop("postal_code", UNSET)

        state = d.pop("state", UNSET)

        country = d.pop("country", UNSET)

        tax_exempt = d.pop("tax_exempt", UNSET)

        tax_id = d.pop("tax_id", UNSET)

        auto_collection = d.pop("auto_collection", UNSET)

        payment_terms_days = d.pop("payment_terms_days", UNSET)

        invoice_grace_period_days = d.pop("invoice_grace_period_days", UNSET)

        metadata = d.pop("metadata", UNSET)

        import_customer_in_request = cls(
            external_id=external_id,
            name=name,
            email=email,
            currency=currency,
            timezone=timezone,
            locale=locale,
            address_line1=address_line1,
            address_line2=address_line2,
            city=city,
            postal_code=postal_code,
            state=state,
            country=country,
            tax_exempt=tax_exempt,
            tax_id=tax_id,
            auto_collection=auto_collection,
            payment_terms_days=payment_terms_days,
            invoice_grace_period_days=invoice_grace_period_days,
            metadata=metadata,
        )

        import_customer_in_request.additional_properties = d
        return import_customer_in_request

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
