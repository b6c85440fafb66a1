from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoice_status_enum import InvoiceStatusEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.interim_billing_out import InterimBillingOut
    from ..models.line_out import LineOut
    from ..models.tax_breakdown_out import TaxBreakdownOut


T = TypeVar("T", bound="InvoiceOut")


@_attrs_define
class InvoiceOut:
    """
    Attributes:
        id (int):
        customer (str): Your system's id for this customer; unique, used by the API and usage events.
        livemode (bool): False for a test customer's invoice (on a test clock: its TEST- series).
        currency (str):
        billing_date (datetime.datetime): The period end it bills (the billing date).
        grace_until (datetime.datetime): Late usage still lands in it until then.
        tax_breakdown (list[TaxBreakdownOut]): Each tax rate of its lines with its base and its tax (exempt and reverse-
            charge rates with their legal mention).
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        lines (list[LineOut]):
        interim_billings (list[InterimBillingOut]): Usage billed on it before its period's end, and why: a usage
            threshold reached (an invoice issued at once) or a charge paid in advance (at once, or as lines of the next
            invoice). Empty for other invoices.
        number (None | str | Unset):
        status (InvoiceStatusEnum | Unset): * `draft` - Draft
            * `open` - Open
            * `partially_paid` - partially paid
            * `paid` - Paid
            * `void` - Void
            * `uncollectible` - Uncollectible
        subtotal (str | Unset):
        tax_total (str | Unset):
        total (str | Unset): subtotal + exclusive taxes (inclusive taxes are inside the subtotal)
        credit_applied (str | Unset): Taken from the customer's credit balance at finalization.
        amount_due (str | Unset): total - credit applied - credit notes - payments applied (0 for a total below zero:
            carried to the balance).
        finalized_at (datetime.datetime | None | Unset):
        due_at (datetime.datetime | None | Unset):
        paid_at (datetime.datetime | None | Unset):
        voided_at (datetime.datetime | None | Unset):
    """

    id: int
    customer: str
    livemode: bool
    currency: str
    billing_date: datetime.datetime
    grace_until: datetime.datetime
    tax_breakdown: list[TaxBreakdownOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    lines: list[LineOut]
    interim_billings: list[InterimBillingOut]
    number: None | str | Unset = UNSET
    status: InvoiceStatusEnum | Unset = UNSET
    subtotal: str | Unset = UNSET
    tax_total: str | Unset = UNSET
    total: str | Unset = UNSET
    credit_applied: str | Unset = UNSET
    amount_due: str | Unset = UNSET
    finalized_at: datetime.datetime | None | Unset = UNSET
    due_at: datetime.datetime | None | Unset = UNSET
    paid_at: datetime.datetime | None | Unset = UNSET
    voided_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        livemode = self.livemode

        currency = self.currency

        billing_date = self.billing_date.isoformat()

        grace_until = self.grace_until.isoformat()

        tax_breakdown = []
        for tax_breakdown_item_data in self.tax_breakdown:
            tax_breakdown_item = tax_breakdown_item_data.to_dict()
            tax_breakdown.append(tax_breakdown_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        interim_billings = []
        for interim_billings_item_data in self.interim_billings:
            interim_billings_item = interim_billings_item_data.to_dict()
            interim_billings.append(interim_billings_item)

        number: None | str | Unset
        if isinstance(self.number, Unset):
            number = UNSET
        else:
            number = self.number

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        subtotal = self.subtotal

        tax_total = self.tax_total

        total = self.total

        credit_applied = self.credit_applied

        amount_due = self.amount_due

        finalized_at: None | str | Unset
        if isinstance(self.finalized_at, Unset):
            finalized_at = UNSET
        elif isinstance(self.finalized_at, datetime.datetime):
            finalized_at = self.finalized_at.isoformat()
        else:
            finalized_at = self.finalized_at

        due_at: None | str | Unset
        if isinstance(self.due_at, Unset):
            due_at = UNSET
        elif isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        paid_at: None | str | Unset
        if isinstance(self.paid_at, Unset):
            paid_at = UNSET
        elif isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        voided_at: None | str | Unset
        if isinstance(self.voided_at, Unset):
            voided_at = UNSET
        elif isinstance(self.voided_at, datetime.datetime):
            voided_at = self.voided_at.isoformat()
        else:
            voided_at = self.voided_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "livemode": livemode,
                "currency": currency,
                "billing_date": billing_date,
                "grace_until": grace_until,
                "tax_breakdown": tax_breakdown,
                "created_at": created_at,
                "updated_at": updated_at,
                "lines": lines,
                "interim_billings": interim_billings,
            }
        )
        if number is not UNSET:
            field_dict["number"] = number
        if status is not UNSET:
            field_dict["status"] = status
        if subtotal is not UNSET:
            field_dict["subtotal"] = subtotal
        if tax_total is not UNSET:
            field_dict["tax_total"] = tax_total
        if total is not UNSET:
            field_dict["total"] = total
        if credit_applied is not UNSET:
            field_dict["credit_applied"] = credit_applied
        if amount_due is not UNSET:
            field_dict["amount_due"] = amount_due
        if finalized_at is not UNSET:
            field_dict["finalized_at"] = finalized_at
        if due_at is not UNSET:
            field_dict["due_at"] = due_at
        if paid_at is not UNSET:
            field_dict["paid_at"] = paid_at
        if voided_at is not UNSET:
            field_dict["voided_at"] = voided_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.interim_billing_out import InterimBillingOut  # noqa: PLC0415
        from ..models.line_out import LineOut  # noqa: PLC0415
        from ..models.tax_breakdown_out import TaxBreakdownOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        livemode = d.pop("livemode")

        currency = d.pop("currency")

        billing_date = datetime.datetime.fromisoformat(d.pop("billing_date"))

        grace_until = datetime.datetime.fromisoformat(d.pop("grace_until"))

        tax_breakdown = []
        _tax_breakdown = d.pop("tax_breakdown")
        for tax_breakdown_item_data in _tax_breakdown:
            tax_breakdown_item = TaxBreakdownOut.from_dict(tax_breakdown_item_data)

            tax_breakdown.append(tax_breakdown_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = LineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        interim_billings = []
        _interim_billings = d.pop("interim_billings")
        for interim_billings_item_data in _interim_billings:
            interim_billings_item = InterimBillingOut.from_dict(interim_billings_item_data)

            interim_billings.append(interim_billings_item)

        def _parse_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        number = _parse_number(d.pop("number", UNSET))

        _status = d.pop("status", UNSET)
        status: InvoiceStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = InvoiceStatusEnum(_status)

        subtotal = d.pop("subtotal", UNSET)

        tax_total = d.pop("tax_total", UNSET)

        total = d.pop("total", UNSET)

        credit_applied = d.pop("credit_applied", UNSET)

        amount_due = d.pop("amount_due", UNSET)

        def _parse_finalized_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finalized_at_type_0 = datetime.datetime.fromisoformat(data)

                return finalized_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finalized_at = _parse_finalized_at(d.pop("finalized_at", UNSET))

        def _parse_due_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        due_at = _parse_due_at(d.pop("due_at", UNSET))

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

        def _parse_voided_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                voided_at_type_0 = datetime.datetime.fromisoformat(data)

                return voided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        voided_at = _parse_voided_at(d.pop("voided_at", UNSET))

        invoice_out = cls(
            id=id,
            customer=customer,
            livemode=livemode,
            currency=currency,
            billing_date=billing_date,
            grace_until=grace_until,
            tax_breakdown=tax_breakdown,
            created_at=created_at,
            updated_at=updated_at,
            lines=lines,
            interim_billings=interim_billings,
            number=number,
            status=status,
            subtotal=subtotal,
            tax_total=tax_total,
            total=total,
            credit_applied=credit_applied,
            amount_due=amount_due,
            finalized_at=finalized_at,
            due_at=due_at,
            paid_at=paid_at,
            voided_at=voided_at,
        )

        invoice_out.additional_properties = d
        return invoice_out

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
