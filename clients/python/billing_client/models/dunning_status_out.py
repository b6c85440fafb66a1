from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dunning_transition_out import DunningTransitionOut
    from ..models.policy_ref_out import PolicyRefOut
    from ..models.situation_out import SituationOut
    from ..models.state_ref_out import StateRefOut


T = TypeVar("T", bound="DunningStatusOut")


@_attrs_define
class DunningStatusOut:
    """
    Attributes:
        customer (int):
        policy (None | PolicyRefOut): the policy that applies
        policy_assigned (bool): false: the default policy applies
        state (None | StateRefOut): the state the customer is in (null: none)
        entered_at (datetime.datetime | None):
        evaluated_at (datetime.datetime | None):
        situation (SituationOut):
        transitions (list[DunningTransitionOut]): the latest first (at most 50)
    """

    customer: int
    policy: None | PolicyRefOut
    policy_assigned: bool
    state: None | StateRefOut
    entered_at: datetime.datetime | None
    evaluated_at: datetime.datetime | None
    situation: SituationOut
    transitions: list[DunningTransitionOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.policy_ref_out import PolicyRefOut  # noqa: PLC0415
        from ..models.state_ref_out import StateRefOut  # noqa: PLC0415

        customer = self.customer

        policy: dict[str, Any] | None
        if isinstance(self.policy, PolicyRefOut):
            policy = self.policy.to_dict()
        else:
            policy = self.policy

        policy_assigned = self.policy_assigned

        state: dict[str, Any] | None
        if isinstance(self.state, StateRefOut):
            state = self.state.to_dict()
        else:
            state = self.state

        entered_at: None | str
        if isinstance(self.entered_at, datetime.datetime):
            entered_at = self.entered_at.isoformat()
        else:
            entered_at = self.entered_at

        evaluated_at: None | str
        if isinstance(self.evaluated_at, datetime.datetime):
            evaluated_at = self.evaluated_at.isoformat()
        else:
            evaluated_at = self.evaluated_at

        situation = self.situation.to_dict()

        transitions = []
        for transitions_item_data in self.transitions:
            transitions_item = transitions_item_data.to_dict()
            transitions.append(transitions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "policy": policy,
                "policy_assigned": policy_assigned,
                "state": state,
                "entered_at": entered_at,
                "evaluated_at": evaluated_at,
                "situation": situation,
                "transitions": transitions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dunning_transition_out import DunningTransitionOut  # noqa: PLC0415
        from ..models.policy_ref_out import PolicyRefOut  # noqa: PLC0415
        from ..models.situation_out import SituationOut  # noqa: PLC0415
        from ..models.state_ref_out import StateRefOut  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        def _parse_policy(data: object) -> None | PolicyRefOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                policy_type_1 = PolicyRefOut.from_dict(data)

                return policy_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyRefOut, data)

        policy = _parse_policy(d.pop("policy"))

        policy_assigned = d.pop("policy_assigned")

        def _parse_state(data: object) -> None | StateRefOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                state_type_1 = StateRefOut.from_dict(data)

                return state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StateRefOut, data)

        state = _parse_state(d.pop("state"))

        def _parse_entered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                entered_at_type_0 = datetime.datetime.fromisoformat(data)

                return entered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        entered_at = _parse_entered_at(d.pop("entered_at"))

        def _parse_evaluated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                evaluated_at_type_0 = datetime.datetime.fromisoformat(data)

                return evaluated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        evaluated_at = _parse_evaluated_at(d.pop("evaluated_at"))

        situation = SituationOut.from_dict(d.pop("situation"))

        transitions = []
        _transitions = d.pop("transitions")
        for transitions_item_data in _transitions:
            transitions_item = DunningTransitionOut.from_dict(transitions_item_data)

            transitions.append(transitions_item)

        dunning_status_out = cls(
            customer=customer,
            policy=policy,
            policy_assigned=policy_assigned,
            state=state,
            entered_at=entered_at,
            evaluated_at=evaluated_at,
            situation=situation,
            transitions=transitions,
        )

        dunning_status_out.additional_properties = d
        return dunning_status_out

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
