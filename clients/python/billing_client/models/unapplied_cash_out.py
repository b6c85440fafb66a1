from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.payment_out import PaymentOut


T = TypeVar("T", bound="UnappliedCashOut")


@_attrs_define
class UnappliedCashOut:
    """
    Attributes:
        customer (str):
        currency (str):
        total (str): the unapplied cash of all its payments
        payments (list[PaymentOut]): the payments holding it, oldest received first
    """

    customer: str
    currency: str
    total: str
    payments: list[PaymentOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        currency = self.currency

        total = self.total

        payments = []
        for payments_item_data in self.payments:
            payments_item = payments_item_data.to_dict()
            payments.append(payments_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "currency": currency,
                "total": total,
                "payments": payments,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_out import PaymentOut  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        currency = d.pop("currency")

        total = d.pop("total")

        payments = []
        _payments = d.pop("payments")
        for payments_item_data in _payments:
            payments_item = PaymentOut.from_dict(payments_item_data)

            payments.append(payments_item)

        unapplied_cash_out = cls(
            customer=customer,
            currency=currency,
            total=total,
            payments=payments,
        )

        unapplied_cash_out.additional_properties = d
        return unapplied_cash_out

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
