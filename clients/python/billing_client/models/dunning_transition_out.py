from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.direction_enum import DirectionEnum
from ..models.subscription_action_enum import SubscriptionActionEnum
from ..models.subscription_action_when_enum import SubscriptionActionWhenEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="DunningTransitionOut")


@_attrs_define
class DunningTransitionOut:
    """
    Attributes:
        id (int):
        sequence (int): 1, 2, 3 ... per customer
        direction (DirectionEnum): * `up` - entered (harsher)
            * `down` - moved down (partly paid)
            * `same` - same state, another policy
            * `cleared` - left dunning
        as_of (datetime.datetime):
        policy_name (str):
        reason (str):
        currency (str):
        invoices (list[int]):
        actor (str):
        policy (int | None | Unset):
        from_code (str | Unset):
        from_name (str | Unset):
        to_code (str | Unset):
        to_name (str | Unset):
        to_position (int | None | Unset):
        days_past_due (int | Unset):
        amount_overdue (str | Unset):
        failed_attempts (int | Unset):
        email_template (str | Unset): sent: empty on a move down or a clearing
        block_entitlements (bool | Unset):
        refuse_plan_changes (bool | Unset):
        subscription_action (SubscriptionActionEnum | Unset): * `none` - nothing
            * `pause` - pause
            * `cancel` - cancel
        subscription_action_when (SubscriptionActionWhenEnum | Unset): * `immediately` - immediately
            * `period_end` - at the end of the current period
        mark_uncollectible (bool | Unset):
        subscriptions_changed (list[int] | Unset): subscriptions whose block changed with it
    """

    id: int
    sequence: int
    direction: DirectionEnum
    as_of: datetime.datetime
    policy_name: str
    reason: str
    currency: str
    invoices: list[int]
    actor: str
    policy: int | None | Unset = UNSET
    from_code: str | Unset = UNSET
    from_name: str | Unset = UNSET
    to_code: str | Unset = UNSET
    to_name: str | Unset = UNSET
    to_position: int | None | Unset = UNSET
    days_past_due: int | Unset = UNSET
    amount_overdue: str | Unset = UNSET
    failed_attempts: int | Unset = UNSET
    email_template: str | Unset = UNSET
    block_entitlements: bool | Unset = UNSET
    refuse_plan_changes: bool | Unset = UNSET
    subscription_action: SubscriptionActionEnum | Unset = UNSET
    subscription_action_when: SubscriptionActionWhenEnum | Unset = UNSET
    mark_uncollectible: bool | Unset = UNSET
    subscriptions_changed: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        sequence = self.sequence

        direction = self.direction.value

        as_of = self.as_of.isoformat()

        policy_name = self.policy_name

        reason = self.reason

        currency = self.currency

        invoices = self.invoices

        actor = self.actor

        policy: int | None | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        else:
            policy = self.policy

        from_code = self.from_code

        from_name = self.from_name

        to_code = self.to_code

        to_name = self.to_name

        to_position: int | None | Unset
        if isinstance(self.to_position, Unset):
            to_position = UNSET
        else:
            to_position = self.to_position

        days_past_due = self.days_past_due

        amount_overdue = self.amount_overdue

        failed_attempts = self.failed_attempts

        email_template = self.email_template

        block_entitlements = self.block_entitlements

        refuse_plan_changes = self.refuse_plan_changes

        subscription_action: str | Unset = UNSET
        if not isinstance(self.subscription_action, Unset):
            subscription_action = self.subscription_action.value

        subscription_action_when: str | Unset = UNSET
        if not isinstance(self.subscription_action_when, Unset):
            subscription_action_when = self.subscription_action_when.value

        mark_uncollectible = self.mark_uncollectible

        subscriptions_changed: list[int] | Unset = UNSET
        if not isinstance(self.subscriptions_changed, Unset):
            subscriptions_changed = self.subscriptions_changed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "sequence": sequence,
                "direction": direction,
                "as_of": as_of,
                "policy_name": policy_name,
                "reason": reason,
                "currency": currency,
                "invoices": invoices,
                "actor": actor,
            }
        )
        if policy is not UNSET:
            field_dict["policy"] = policy
        if from_code is not UNSET:
            field_dict["from_code"] = from_code
        if from_name is not UNSET:
            field_dict["from_name"] = from_name
        if to_code is not UNSET:
            field_dict["to_code"] = to_code
        if to_name is not UNSET:
            field_dict["to_name"] = to_name
        if to_position is not UNSET:
            field_dict["to_position"] = to_position
        if days_past_due is not UNSET:
            field_dict["days_past_due"] = days_past_due
        if amount_overdue is not UNSET:
            field_dict["amount_overdue"] = amount_overdue
        if failed_attempts is not UNSET:
            field_dict["failed_attempts"] = failed_attempts
        if email_template is not UNSET:
            field_dict["email_template"] = email_template
        if block_entitlements is not UNSET:
            field_dict["block_entitlements"] = block_entitlements
        if refuse_plan_changes is not UNSET:
            field_dict["refuse_plan_changes"] = refuse_plan_changes
        if subscription_action is not UNSET:
            field_dict["subscription_action"] = subscription_action
        if subscription_action_when is not UNSET:
            field_dict["subscription_action_when"] = subscription_action_when
        if mark_uncollectible is not UNSET:
            field_dict["mark_uncollectible"] = mark_uncollectible
        if subscriptions_changed is not UNSET:
            field_dict["subscriptions_changed"] = subscriptions_changed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        sequence = d.pop("sequence")

        direction = DirectionEnum(d.pop("direction"))

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        policy_name = d.pop("policy_name")

        reason = d.pop("reason")

        currency = d.pop("currency")

        invoices = cast(list[int], d.pop("invoices"))

        actor = d.pop("actor")

        def _parse_policy(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))

        from_code = d.pop("from_code", UNSET)

        from_name = d.pop("from_name", UNSET)

        to_code = d.pop("to_code", UNSET)

        to_name = d.pop("to_name", UNSET)

        def _parse_to_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        to_position = _parse_to_position(d.pop("to_position", UNSET))

        days_past_due = d.pop("days_past_due", UNSET)

        amount_overdue = d.pop("amount_overdue", UNSET)

        failed_attempts = d.pop("failed_attempts", UNSET)

        email_template = d.pop("email_template", UNSET)

        block_entitlements = d.pop("block_entitlements", UNSET)

        refuse_plan_changes = d.pop("refuse_plan_changes", UNSET)

        _subscription_action = d.pop("subscription_action", UNSET)
        subscription_action: SubscriptionActionEnum | Unset
        if isinstance(_subscription_action, Unset):
            subscription_action = UNSET
        else:
            subscription_action = SubscriptionActionEnum(_subscription_action)

        _subscription_action_when = d.pop("subscription_action_when", UNSET)
        subscription_action_when: SubscriptionActionWhenEnum | Unset
        if isinstance(_subscription_action_when, Unset):
            subscription_action_when = UNSET
        else:
            subscription_action_when = SubscriptionActionWhenEnum(_subscription_action_when)

        mark_uncollectible = d.pop("mark_uncollectible", UNSET)

        subscriptions_changed = cast(list[int], d.pop("subscriptions_changed", UNSET))

        dunning_transition_out = cls(
            id=id,
            sequence=sequence,
            direction=direction,
            as_of=as_of,
            policy_name=policy_name,
            reason=reason,
            currency=currency,
            invoices=invoices,
            actor=actor,
            policy=policy,
            from_code=from_code,
            from_name=from_name,
            to_code=to_code,
            to_name=to_name,
            to_position=to_position,
            days_past_due=days_past_due,
            amount_overdue=amount_overdue,
            failed_attempts=failed_attempts,
            email_template=email_template,
            block_entitlements=block_entitlements,
            refuse_plan_changes=refuse_plan_changes,
            subscription_action=subscription_action,
            subscription_action_when=subscription_action_when,
            mark_uncollectible=mark_uncollectible,
            subscriptions_changed=subscriptions_changed,
        )

        dunning_transition_out.additional_properties = d
        return dunning_transition_out

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
