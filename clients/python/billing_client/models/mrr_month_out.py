from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.movement_out import MovementOut


T = TypeVar("T", bound="MrrMonthOut")


@_attrs_define
class MrrMonthOut:
    """
    Attributes:
        month (str): YYYY-MM
        mrr (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        customers (int): customers with MRR > 0 at the month's end
        new (MovementOut):
        expansion (MovementOut):
        contraction (MovementOut):
        churn (MovementOut):
        reactivation (MovementOut):
    """

    month: str
    mrr: str
    customers: int
    new: MovementOut
    expansion: MovementOut
    contraction: MovementOut
    churn: MovementOut
    reactivation: MovementOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        month = self.month

        mrr = self.mrr

        customers = self.customers

        new = self.new.to_dict()

        expansion = self.expansion.to_dict()

        contraction = self.contraction.to_dict()

        churn = self.churn.to_dict()

        reactivation = self.reactivation.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "month": month,
                "mrr": mrr,
                "customers": customers,
                "new": new,
                "expansion": expansion,
                "contraction": contraction,
                "churn": churn,
                "reactivation": reactivation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.movement_out import MovementOut  # noqa: PLC0415

        d = dict(src_dict)
        month = d.pop("month")

        mrr = d.pop("mrr")

        customers = d.pop("customers")

        new = MovementOut.from_dict(d.pop("new"))

        expansion = MovementOut.from_dict(d.pop("expansion"))

        contraction = MovementOut.from_dict(d.pop("contraction"))

        churn = MovementOut.from_dict(d.pop("churn"))

        reactivation = MovementOut.from_dict(d.pop("reactivation"))

        mrr_month_out = cls(
            month=month,
            mrr=mrr,
            customers=customers,
            new=new,
            expansion=expansion,
            contraction=contraction,
            churn=churn,
            reactivation=reactivation,
        )

        mrr_month_out.additional_properties = d
        return mrr_month_out

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
