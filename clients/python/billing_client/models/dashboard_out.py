from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.aging_out import AgingOut
    from ..models.dunning_out import DunningOut
    from ..models.failed_out import FailedOut
    from ..models.mrr_month_out import MrrMonthOut
    from ..models.renewals_out import RenewalsOut
    from ..models.revenue_month_out import RevenueMonthOut
    from ..models.usage_out import UsageOut


T = TypeVar("T", bound="DashboardOut")


@_attrs_define
class DashboardOut:
    """
    Attributes:
        currency (str):
        period_from (str): YYYY-MM
        period_to (str): YYYY-MM
        as_of (datetime.datetime):
        mrr (list[MrrMonthOut]):
        revenue (list[RevenueMonthOut]):
        failed_payments (FailedOut):
        ar_aging (AgingOut):
        dunning (list[DunningOut]):
        usage (list[UsageOut]):
        renewals (RenewalsOut):
    """

    currency: str
    period_from: str
    period_to: str
    as_of: datetime.datetime
    mrr: list[MrrMonthOut]
    revenue: list[RevenueMonthOut]
    failed_payments: FailedOut
    ar_aging: AgingOut
    dunning: list[DunningOut]
    usage: list[UsageOut]
    renewals: RenewalsOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        period_from = self.period_from

        period_to = self.period_to

        as_of = self.as_of.isoformat()

        mrr = []
        for mrr_item_data in self.mrr:
            mrr_item = mrr_item_data.to_dict()
            mrr.append(mrr_item)

        revenue = []
        for revenue_item_data in self.revenue:
            revenue_item = revenue_item_data.to_dict()
            revenue.append(revenue_item)

        failed_payments = self.failed_payments.to_dict()

        ar_aging = self.ar_aging.to_dict()

        dunning = []
        for dunning_item_data in self.dunning:
            dunning_item = dunning_item_data.to_dict()
            dunning.append(dunning_item)

        usage = []
        for usage_item_data in self.usage:
            usage_item = usage_item_data.to_dict()
            usage.append(usage_item)

        renewals = self.renewals.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "period_from": period_from,
                "period_to": period_to,
                "as_of": as_of,
                "mrr": mrr,
                "revenue": revenue,
                "failed_payments": failed_payments,
                "ar_aging": ar_aging,
                "dunning": dunning,
                "usage": usage,
                "renewals": renewals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.aging_out import AgingOut  # noqa: PLC0415
        from ..models.dunning_out import DunningOut  # noqa: PLC0415
        from ..models.failed_out import FailedOut  # noqa: PLC0415
        from ..models.mrr_month_out import MrrMonthOut  # noqa: PLC0415
        from ..models.renewals_out import RenewalsOut  # noqa: PLC0415
        from ..models.revenue_month_out import RevenueMonthOut  # noqa: PLC0415
        from ..models.usage_out import UsageOut  # noqa: PLC0415

        d = dict(src_dict)
        currency = d.pop("currency")

        period_from = d.pop("period_from")

        period_to = d.pop("period_to")

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        mrr = []
        _mrr = d.pop("mrr")
        for mrr_item_data in _mrr:
            mrr_item = MrrMonthOut.from_dict(mrr_item_data)

            mrr.append(mrr_item)

        revenue = []
        _revenue = d.pop("revenue")
        for revenue_item_data in _revenue:
            revenue_item = RevenueMonthOut.from_dict(revenue_item_data)

            revenue.append(revenue_item)

        failed_payments = FailedOut.from_dict(d.pop("failed_payments"))

        ar_aging = AgingOut.from_dict(d.pop("ar_aging"))

        dunning = []
        _dunning = d.pop("dunning")
        for dunning_item_data in _dunning:
            dunning_item = DunningOut.from_dict(dunning_item_data)

            dunning.append(dunning_item)

        usage = []
        _usage = d.pop("usage")
        for usage_item_data in _usage:
            usage_item = UsageOut.from_dict(usage_item_data)

            usage.append(usage_item)

        renewals = RenewalsOut.from_dict(d.pop("renewals"))

        dashboard_out = cls(
            currency=currency,
            period_from=period_from,
            period_to=period_to,
            as_of=as_of,
            mrr=mrr,
            revenue=revenue,
            failed_payments=failed_payments,
            ar_aging=ar_aging,
            dunning=dunning,
            usage=usage,
            renewals=renewals,
        )

        dashboard_out.additional_properties = d
        return dashboard_out

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
