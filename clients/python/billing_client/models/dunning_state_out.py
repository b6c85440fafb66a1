from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.blank_enum import BlankEnum
from ..models.dunning_state_out_email_template_enum import DunningStateOutEmailTemplateEnum
from ..models.subscription_action_enum import SubscriptionActionEnum
from ..models.subscription_action_when_enum import SubscriptionActionWhenEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="DunningStateOut")


@_attrs_define
class DunningStateOut:
    """
    Attributes:
        id (int):
        position (int): 1 is the mildest; a higher position is a later, harsher state.
        code (str):
        name (str):
        min_days_past_due (int | None | Unset): days past the due date of the oldest unpaid invoice, in the customer's
            time zone
        min_amount_overdue (None | str | Unset): total overdue at least this much, in the customer's currency
        amount_currency (str | Unset): empty: the amount is read in each customer's own currency; a code (EUR): the
            amount condition holds only for customers billed in that currency
        min_failed_attempts (int | None | Unset): failed automatic payments of the overdue invoices
        email_template (BlankEnum | DunningStateOutEmailTemplateEnum | Unset): e-mail sent to the customer on entering
            the state (empty: none)

            * `dunning_reminder` - dunning reminder
            * `dunning_warning` - dunning warning
            * `dunning_suspension` - dunning suspension
            * `dunning_cancellation` - dunning cancellation
        block_entitlements (bool | Unset): while in the state, subscriptions lose their features (a period already paid
            keeps them until it ends)
        refuse_plan_changes (bool | Unset): while in the state, plan and quantity changes are refused
        subscription_action (SubscriptionActionEnum | Unset): * `none` - nothing
            * `pause` - pause
            * `cancel` - cancel
        subscription_action_when (SubscriptionActionWhenEnum | Unset): * `immediately` - immediately
            * `period_end` - at the end of the current period
        mark_uncollectible (bool | Unset): on entering, write the overdue invoices off (uncollectible)
        publish_event (bool | Unset): publish the transition to webhooks (dunning.state_entered)
    """

    id: int
    position: int
    code: str
    name: str
    min_days_past_due: int | None | Unset = UNSET
    min_amount_overdue: None | str | Unset = UNSET
    amount_currency: str | Unset = UNSET
    min_failed_attempts: int | None | Unset = UNSET
    email_template: BlankEnum | DunningStateOutEmailTemplateEnum | Unset = UNSET
    block_entitlements: bool | Unset = UNSET
    refuse_plan_changes: bool | Unset = UNSET
    subscription_action: SubscriptionActionEnum | Unset = UNSET
    subscription_action_when: SubscriptionActionWhenEnum | Unset = UNSET
    mark_uncollectible: bool | Unset = UNSET
    publish_event: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        position = self.position

        code = self.code

        name = self.name

        min_days_past_due: int | None | Unset
        if isinstance(self.min_days_past_due, Unset):
            min_days_past_due = UNSET
        else:
            min_days_past_due = self.min_days_past_due

        min_amount_overdue: None | str | Unset
        if isinstance(self.min_amount_overdue, Unset):
            min_amount_overdue = UNSET
        else:
            min_amount_overdue = self.min_amount_overdue

        amount_currency = self.amount_currency

        min_failed_attempts: int | None | Unset
        if isinstance(self.min_failed_attempts, Unset):
            min_failed_attempts = UNSET
        else:
            min_failed_attempts = self.min_failed_attempts

        email_template: str | Unset
        if isinstance(self.email_template, Unset):
            email_template = UNSET
        elif isinstance(self.email_template, DunningStateOutEmailTemplateEnum):
            email_template = self.email_template.value
        else:
            email_template = self.email_template.value

        block_entitlements = self.block_entitlements

        refuse_plan_changes = self.refuse_plan_changes

        subscription_action: str | Unset = UNSET
        if not isinstance(self.subscription_action, Unset):
            subscription_action = self.subscription_action.value

        subscription_action_when: str | Unset = UNSET
        if not isinstance(self.subscription_action_when, Unset):
            subscription_action_when = self.subscription_action_when.value

        mark_uncollectible = self.mark_uncollectible

        publish_event = self.publish_event

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "position": position,
                "code": code,
                "name": name,
            }
        )
        if min_days_past_due is not UNSET:
            field_dict["min_days_past_due"] = min_days_past_due
        if min_amount_overdue is not UNSET:
            field_dict["min_amount_overdue"] = min_amount_overdue
        if amount_currency is not UNSET:
            field_dict["amount_currency"] = amount_currency
        if min_failed_attempts is not UNSET:
            field_dict["min_failed_attempts"] = min_failed_attempts
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
        if publish_event is not UNSET:
            field_dict["publish_event"] = publish_event

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        position = d.pop("position")

        code = d.pop("code")

        name = d.pop("name")

        def _parse_min_days_past_due(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_days_past_due = _parse_min_days_past_due(d.pop("min_days_past_due", UNSET))

        def _parse_min_amount_overdue(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        min_amount_overdue = _parse_min_amount_overdue(d.pop("min_amount_overdue", UNSET))

        amount_currency = d.pop("amount_currency", UNSET)

        def _parse_min_failed_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_failed_attempts = _parse_min_failed_attempts(d.pop("min_failed_attempts", UNSET))

        def _parse_email_template(data: object) -> BlankEnum | DunningStateOutEmailTemplateEnum | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                email_template_type_0 = DunningStateOutEmailTemplateEnum(data)

                return email_template_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            email_template_type_1 = BlankEnum(data)

            return email_template_type_1

        email_template = _parse_email_template(d.pop("email_template", UNSET))

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

        publish_event = d.pop("publish_event", UNSET)

        dunning_state_out = cls(
            id=id,
            position=position,
            code=code,
            name=name,
            min_days_past_due=min_days_past_due,
            min_amount_overdue=min_amount_overdue,
            amount_currency=amount_currency,
            min_failed_attempts=min_failed_attempts,
            email_template=email_template,
            block_entitlements=block_entitlements,
            refuse_plan_changes=refuse_plan_changes,
            subscription_action=subscription_action,
            subscription_action_when=subscription_action_when,
            mark_uncollectible=mark_uncollectible,
            publish_event=publish_event,
        )

        dunning_state_out.additional_properties = d
        return dunning_state_out

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
