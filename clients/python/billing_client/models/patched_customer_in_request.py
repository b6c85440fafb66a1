from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.address_request import AddressRequest


T = TypeVar("T", bound="PatchedCustomerInRequest")


@_attrs_define
class PatchedCustomerInRequest:
    """Input of create (all required fields) and update (partial; external_id is immutable).

    Attributes:
        external_id (str | Unset):
        name (str | Unset):
        email (str | Unset):
        currency (str | Unset): ISO 4217, e.g. USD
        timezone (str | Unset):  Default: 'UTC'.
        locale (str | Unset):  Default: 'en'.
        billing_address (AddressRequest | Unset):
        payment_terms_days (int | Unset):  Default: 30.
        invoice_grace_period_days (int | Unset):  Default: 0.
        tax_exempt (bool | Unset):  Default: False.
        tax_id (str | Unset):  Default: ''.
        auto_collection (bool | Unset): Charge the payment method when an invoice is finalized; false for customers who
            pay by themselves (bank transfer). Default: True.
        metadata (Any | Unset):
        test_clock (int | None | Unset): A test clock's id: a test customer, billed on that clock's time (never by the
            live clock) and kept out of live reports and numbering; set at creation only.
    """

    external_id: str | Unset = UNSET
    name: str | Unset = UNSET
    email: str | Unset = UNSET
    currency: str | Unset = UNSET
    timezone: str | Unset = "UTC"
    locale: str | Unset = "en"
    billing_address: AddressRequest | Unset = UNSET
    payment_terms_days: int | Unset = 30
    invoice_grace_period_days: int | Unset = 0
    tax_exempt: bool | Unset = False
    tax_id: str | Unset = ""
    auto_collection: bool | Unset = True
    metadata: Any | Unset = UNSET
    test_clock: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        external_id = self.external_id

        name = self.name

        email = self.email

        currency = self.currency

        timezone = self.timezone

        locale = self.locale

        billing_address: dict[str, Any] | Unset = UNSET
        if not isinstance(self.billing_address, Unset):
            billing_address = self.billing_address.to_dict()

        payment_terms_days = self.payment_terms_days

        invoice_grace_period_days = self.invoice_grace_period_days

        tax_exempt = self.tax_exempt

        tax_id = self.tax_id

        auto_collection = self.auto_collection

        metadata = self.metadata

        test_clock: int | None | Unset
        if isinstance(self.test_clock, Unset):
            test_clock = UNSET
        else:
            test_clock = self.test_clock

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
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
        if billing_address is not UNSET:
            field_dict["billing_address"] = billing_address
        if payment_terms_days is not UNSET:
            field_dict["payment_terms_days"] = payment_terms_days
        if invoice_grace_period_days is not UNSET:
            field_dict["invoice_grace_period_days"] = invoice_grace_period_days
        if tax_exempt is not UNSET:
            field_dict["tax_exempt"] = tax_exempt
        if tax_id is not UNSET:
            field_dict["tax_id"] = tax_id
        if auto_collection is not UNSET:
            field_dict["auto_collection"] = auto_collection
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if test_clock is not UNSET:
            field_dict["test_clock"] = test_clock

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.address_request import AddressRequest  # noqa: PLC0415

        d = dict(src_dict)
        external_id = d.pop("external_id", UNSET)

        name = d.pop("name", UNSET)

        email = d.pop("email", UNSET)

        currency = d.pop("currency", UNSET)

        timezone = d.pop("timezone", UNSET)

        locale = d.pop("locale", UNSET)

        _billing_address = d.pop("billing_address", UNSET)
        billing_address: AddressRequest | Unset
        if isinstance(_billing_address, Unset):
            billing_address = UNSET
        else:
            billing_address = AddressRequest.from_dict(_billing_address)

        payment_terms_days = d.pop("payment_terms_days", UNSET)

        invoice_grace_period_days = d.pop("invoice_grace_period_days", UNSET)

        tax_exempt = d.pop("tax_exempt", UNSET)

        tax_id = d.pop("tax_id", UNSET)

        auto_collection = d.pop("auto_collection", UNSET)

        metadata = d.pop("metadata", UNSET)

        def _parse_test_clock(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        test_clock = _parse_test_clock(d.pop("test_clock", UNSET))

        patched_customer_in_request = cls(
            external_id=external_id,
            name=name,
            email=email,
            currency=currency,
            timezone=timezone,
            locale=locale,
            billing_address=billing_address,
            payment_terms_days=payment_terms_days,
            invoice_grace_period_days=invoice_grace_period_days,
            tax_exempt=tax_exempt,
            tax_id=tax_id,
            auto_collection=auto_collection,
            metadata=metadata,
            test_clock=test_clock,
        )

        patched_customer_in_request.additional_properties = d
        return patched_customer_in_request

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
