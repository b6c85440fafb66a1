from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DunningOut")


@_attrs_define
class DunningOut:
    """
    Attributes:
        state (str): the state's code
        name (str):
        position (int):
        policy (str):
        customers (int):
    """

    state: str
    name: str
    position: int
    policy: str
    customers: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        state = self.state

        name = self.name

        position = self.position

        policy = self.policy

        customers = self.customers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "state": state,
                "name": name,
                "position": position,
                "policy": policy,
                "customers": customers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        state = d.pop("state")

        name = d.pop("name")

        position = d.pop("position")

        policy = d.pop("policy")

        customers = d.pop("customers")

        dunning_out = cls(
            state=state,
            name=name,
            position=position,
            policy=policy,
            customers=customers,
        )

        dunning_out.additional_properties = d
        return dunning_out

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
