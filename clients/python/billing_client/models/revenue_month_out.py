from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RevenueMonthOut")


@_attrs_define
class RevenueMonthOut:
    """
    Attributes:
        month (str): YYYY-MM
        invoiced (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        invoice_count (int):
        credited (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        credit_note_count (int):
        voided (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        void_count (int):
        net_invoiced (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        collected (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        payment_count (int):
        refunded (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        refund_count (int):
        net_collected (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        failed_count (int):
        failed_amount (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        recovered_count (int):
        recovery_rate (None | str): recovered / failed
    """

    month: str
    invoiced: str
    invoice_count: int
    credited: str
    credit_note_count: int
    voided: str
    void_count: int
    net_invoiced: str
    collected: str
    payment_count: int
    refunded: str
    refund_count: int
    net_collected: str
    failed_count: int
    failed_amount: str
    recovered_count: int
    recovery_rate: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        month = self.month

        invoiced = self.invoiced

        invoice_count = self.invoice_count

        credited = self.credited

        credit_note_count = self.credit_note_count

        voided = self.voided

        void_count = self.void_count

        net_invoiced = self.net_invoiced

        collected = self.collected

        payment_count = self.payment_count

        refunded = self.refunded

        refund_count = self.refund_count

        net_collected = self.net_collected

        failed_count = self.failed_count

        failed_amount = self.failed_amount

        recovered_count = self.recovered_count

        recovery_rate: None | str
        recovery_rate = self.recovery_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "month": month,
                "invoiced": invoiced,
                "invoice_count": invoice_count,
                "credited": credited,
                "credit_note_count": credit_note_count,
                "voided": voided,
                "void_count": void_count,
                "net_invoiced": net_invoiced,
                "collected": collected,
                "payment_count": payment_count,
                "refunded": refunded,
                "refund_count": refund_count,
                "net_collected": net_collected,
                "failed_count": failed_count,
                "failed_amount": failed_amount,
                "recovered_count": recovered_count,
                "recovery_rate": recovery_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        month = d.pop("month")

        invoiced = d.pop("invoiced")

        invoice_count = d.pop("invoice_count")

        credited = d.pop("credited")

        credit_note_count = d.pop("credit_note_count")

        voided = d.pop("voided")

        void_count = d.pop("void_count")

        net_invoiced = d.pop("net_invoiced")

        collected = d.pop("collected")

        payment_count = d.pop("payment_count")

        refunded = d.pop("refunded")

        refund_count = d.pop("refund_count")

        net_collected = d.pop("net_collected")

        failed_count = d.pop("failed_count")

        failed_amount = d.pop("failed_amount")

        recovered_count = d.pop("recovered_count")

        def _parse_recovery_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recovery_rate = _parse_recovery_rate(d.pop("recovery_rate"))

        revenue_month_out = cls(
            month=month,
            invoiced=invoiced,
            invoice_count=invoice_count,
            credited=credited,
            credit_note_count=credit_note_count,
            voided=voided,
            void_count=void_count,
            net_invoiced=net_invoiced,
            collected=collected,
            payment_count=payment_count,
            refunded=refunded,
            refund_count=refund_count,
            net_collected=net_collected,
            failed_count=failed_count,
            failed_amount=failed_amount,
            recovered_count=recovered_count,
            recovery_rate=recovery_rate,
        )

        revenue_month_out.additional_properties = d
        return revenue_month_out

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
