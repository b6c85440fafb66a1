from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dunning_state_in_request import DunningStateInRequest


T = TypeVar("T", bound="PatchedDunningPolicyPatchInRequest")


@_attrs_define
class PatchedDunningPolicyPatchInRequest:
    """
    Attributes:
        name (str | Unset):
        description (str | Unset):
        is_default (bool | Unset):
        states (list[DunningStateInRequest] | Unset):
    """

    name: str | Unset = UNSET
    description: str | Unset = UNSET
    is_default: bool | Unset = UNSET
    states: list[DunningStateInRequest] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        is_default = self.is_default

        states: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.states, Unset):
            states = []
            for states_item_data in self.states:
                states_item = states_item_data.to_dict()
                states.append(states_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if is_default is not UNSET:
            field_dict["is_default"] = is_default
        if states is not UNSET:
            field_dict["states"] = states

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dunning_state_in_request import DunningStateInRequest  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        is_default = d.pop("is_default", UNSET)

        _states = d.pop("states", UNSET)
        states: list[DunningStateInRequest] | Unset = UNSET
        if _states is not UNSET:
            states = []
            for states_item_data in _states:
                states_item = DunningStateInRequest.from_dict(states_item_data)

                states.append(states_item)

        patched_dunning_policy_patch_in_request = cls(
            name=name,
            description=description,
            is_default=is_default,
            states=states,
        )

        patched_dunning_policy_patch_in_request.additional_properties = d
        return patched_dunning_policy_patch_in_request

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
