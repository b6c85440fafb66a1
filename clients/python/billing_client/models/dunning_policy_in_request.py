from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dunning_state_in_request import DunningStateInRequest


T = TypeVar("T", bound="DunningPolicyInRequest")


@_attrs_define
class DunningPolicyInRequest:
    """
    Attributes:
        name (str):
        states (list[DunningStateInRequest]):
        description (str | Unset):
        is_default (bool | Unset):
    """

    name: str
    states: list[DunningStateInRequest]
    description: str | Unset = UNSET
    is_default: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        states = []
        for states_item_data in self.states:
            states_item = states_item_data.to_dict()
            states.append(states_item)

        description = self.description

        is_default = self.is_default

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "states": states,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if is_default is not UNSET:
            field_dict["is_default"] = is_default

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dunning_state_in_request import DunningStateInRequest  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        states = []
        _states = d.pop("states")
        for states_item_data in _states:
            states_item = DunningStateInRequest.from_dict(states_item_data)

            states.append(states_item)

        description = d.pop("description", UNSET)

        is_default = d.pop("is_default", UNSET)

        dunning_policy_in_request = cls(
            name=name,
            states=states,
            description=description,
            is_default=is_default,
        )

        dunning_policy_in_request.additional_properties = d
        return dunning_policy_in_request

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
