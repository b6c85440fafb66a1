from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.plan_offered_out import PlanOfferedOut


T = TypeVar("T", bound="PortalConfigurationOut")


@_attrs_define
class PortalConfigurationOut:
    """
    Attributes:
        id (int):
        name (str):
        plans (list[PlanOfferedOut]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        is_default (bool | Unset):
        allow_plan_change (bool | Unset): Customers may switch to one of the plans below.
        allow_cancel (bool | Unset): Customers may cancel at the end of the period, and undo it.
        allow_payment_method_update (bool | Unset): Customers may add, remove and choose their payment methods.
        allow_billing_details_update (bool | Unset): Customers may change their address, e-mail and tax id.
    """

    id: int
    name: str
    plans: list[PlanOfferedOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    is_default: bool | Unset = UNSET
    allow_plan_change: bool | Unset = UNSET
    allow_cancel: bool | Unset = UNSET
    allow_payment_method_update: bool | Unset = UNSET
    allow_billing_details_update: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        plans = []
        for plans_item_data in self.plans:
            plans_item = plans_item_data.to_dict()
            plans.append(plans_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        is_default = self.is_default

        allow_plan_change = self.allow_plan_change

        allow_cancel = self.allow_cancel

        allow_payment_method_update = self.allow_payment_method_update

        allow_billing_details_update = self.allow_billing_details_update

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "plans": plans,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if is_default is not UNSET:
            field_dict["is_default"] = is_default
        if allow_plan_change is not UNSET:
            field_dict["allow_plan_change"] = allow_plan_change
        if allow_cancel is not UNSET:
            field_dict["allow_cancel"] = allow_cancel
        if allow_payment_method_update is not UNSET:
            field_dict["allow_payment_method_update"] = allow_payment_method_update
        if allow_billing_details_update is not UNSET:
            field_dict["allow_billing_details_update"] = allow_billing_details_update

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.plan_offered_out import PlanOfferedOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        plans = []
        _plans = d.pop("plans")
        for plans_item_data in _plans:
            plans_item = PlanOfferedOut.from_dict(plans_item_data)

            plans.append(plans_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        is_default = d.pop("is_default", UNSET)

        allow_plan_change = d.pop("allow_plan_change", UNSET)

        allow_cancel = d.pop("allow_cancel", UNSET)

        allow_payment_method_update = d.pop("allow_payment_method_update", UNSET)

        allow_billing_details_update = d.pop("allow_billing_details_update", UNSET)

        portal_configuration_out = cls(
            id=id,
            name=name,
            plans=plans,
            created_at=created_at,
            updated_at=updated_at,
            is_default=is_default,
            allow_plan_change=allow_plan_change,
            allow_cancel=allow_cancel,
            allow_payment_method_update=allow_payment_method_update,
            allow_billing_details_update=allow_billing_details_update,
        )

        portal_configuration_out.additional_properties = d
        return portal_configuration_out

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
