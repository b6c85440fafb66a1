from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalConfigurationInRequest")


@_attrs_define
class PortalConfigurationInRequest:
    """
    Attributes:
        name (str):
        is_default (bool | Unset): true: the default for customers without one of their own (the previous default stops
            being it); false on the default is refused
        allow_plan_change (bool | Unset): default true
        allow_cancel (bool | Unset): cancel at period end and undo it; default true
        allow_payment_method_update (bool | Unset): default true
        allow_billing_details_update (bool | Unset): default true
        plans (list[int] | Unset): ids of the plans customers may switch to, in the order they are offered (the full
            list; each must exist and not be archived). Plans of any currency may be listed: each customer is offered those
            in its own currency. Empty with allow_plan_change: no plan is offered.
    """

    name: str
    is_default: bool | Unset = UNSET
    allow_plan_change: bool | Unset = UNSET
    allow_cancel: bool | Unset = UNSET
    allow_payment_method_update: bool | Unset = UNSET
    allow_billing_details_update: bool | Unset = UNSET
    plans: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        is_default = self.is_default

        allow_plan_change = self.allow_plan_change

        allow_cancel = self.allow_cancel

        allow_payment_method_update = self.allow_payment_method_update

        allow_billing_details_update = self.allow_billing_details_update

        plans: list[int] | Unset = UNSET
        if not isinstance(self.plans, Unset):
            plans = self.plans

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
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
        if plans is not UNSET:
            field_dict["plans"] = plans

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        is_default = d.pop("is_default", UNSET)

        allow_plan_change = d.pop("allow_plan_change", UNSET)

        allow_cancel = d.pop("allow_cancel", UNSET)

        allow_payment_method_update = d.pop("allow_payment_method_update", UNSET)

        allow_billing_details_update = d.pop("allow_billing_details_update", UNSET)

        plans = cast(list[int], d.pop("plans", UNSET))

        portal_configuration_in_request = cls(
            name=name,
            is_default=is_default,
            allow_plan_change=allow_plan_change,
            allow_cancel=allow_cancel,
            allow_payment_method_update=allow_payment_method_update,
            allow_billing_details_update=allow_billing_details_update,
            plans=plans,
        )

        portal_configuration_in_request.additional_properties = d
        return portal_configuration_in_request

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
