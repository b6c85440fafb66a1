from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.address import Address


T = TypeVar("T", bound="CustomerOut")


@_attrs_define
class CustomerOut:
    """
    Attributes:
        id (int):
        external_id (str):
        name (str):
        email (str): The billing e-mail address; empty when there is none.
        currency (str):
        timezone (str):
        locale (str):
        billing_address (Address):
        payment_terms_days (int):
        invoice_grace_period_days (int):
        tax_exempt (bool):
        tax_id (str):
        auto_collection (bool):
        balance (str): credit the customer holds, in its currency
        metadata (Any):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        archived_at (datetime.datetime | None):
        test_clock (int | None): A test customer's test clock.
        livemode (bool): False for a test customer (one on a test clock), true for a live one.
    """

    id: int
    external_id: str
    name: str
    email: str
    currency: str
    timezone: str
    locale: str
    billing_address: Address
    payment_terms_days: int
    invoice_grace_period_days: int
    tax_exempt: bool
    tax_id: str
    auto_collection: bool
    balance: str
    metadata: Any
    created_at: datetime.datetime
    updated_at: datetime.datetime
    archived_at: datetime.datetime | None
    test_clock: int | None
    livemode: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        external_id = self.external_id

        name = self.name

        email = self.email

        currency = self.currency

        timezone = self.timezone

        locale = self.locale

        billing_address = self.billing_address.to_dict()

        payment_terms_days = self.payment_terms_days

        invoice_grace_period_days = self.invoice_grace_period_days

        tax_exempt = self.tax_exempt

        tax_id = self.tax_id

        auto_collection = self.auto_collection

        balance = self.balance

        metadata = self.metadata

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        archived_at: None | str
        if isinstance(self.archived_at, datetime.datetime):
            archived_at = self.archived_at.isoformat()
        else:
            archived_at = self.archived_at

        test_clock: int | None
        test_clock = self.test_clock

        livemode = self.livemode

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "external_id": external_id,
                "name": name,
                "email": email,
                "currency": currency,
                "timezone": timezone,
                "locale": locale,
                "billing_address": billing_address,
                "payment_terms_days": payment_terms_days,
                "invoice_grace_period_days": invoice_grace_period_days,
                "tax_exempt": tax_exempt,
                "tax_id": tax_id,
                "auto_collection": auto_collection,
                "balance": balance,
                "metadata": metadata,
                "created_at": created_at,
                "updated_at": updated_at,
                "archived_at": archived_at,
                "test_clock": test_clock,
                "livemode": livemode,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.address import Address  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        external_id = d.pop("external_id")

        name = d.pop("name")

        email = d.pop("email")

        currency = d.pop("currency")

        timezone = d.pop("timezone")

        locale = d.pop("locale")

        billing_address = Address.from_dict(d.pop("billing_address"))

        payment_terms_days = d.pop("payment_terms_days")

        invoice_grace_period_days = d.pop("invoice_grace_period_days")

        tax_exempt = d.pop("tax_exempt")

        tax_id = d.pop("tax_id")

        auto_collection = d.pop("auto_collection")

        balance = d.pop("balance")

        metadata = d.pop("metadata")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_archived_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                archived_at_type_0 = datetime.datetime.fromisoformat(data)

                return archived_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        archived_at = _parse_archived_at(d.pop("archived_at"))

        def _parse_test_clock(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        test_clock = _parse_test_clock(d.pop("test_clock"))

        livemode = d.pop("livemode")

        customer_out = cls(
            id=id,
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
            balance=balance,
            metadata=metadata,
            created_at=created_at,
            updated_at=updated_at,
            archived_at=archived_at,
            test_clock=test_clock,
            livemode=livemode,
        )

        customer_out.additional_properties = d
        return customer_out

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
