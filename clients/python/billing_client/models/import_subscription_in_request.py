from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_event_in_request import ImportEventInRequest


T = TypeVar("T", bound="ImportSubscriptionInRequest")


@_attrs_define
class ImportSubscriptionInRequest:
    """A subscription started in the past (`plan`, `start_at`...), or an existing one of the
    customer (`subscription`: its id), with its events in time order.

        Attributes:
            plan (str | Unset):
            start_at (datetime.datetime | Unset):
            quantity (int | Unset):
            trial_days (int | None | Unset):
            billing_anchor (datetime.date | None | Unset):
            metadata (Any | Unset):
            subscription (int | Unset):
            events (list[ImportEventInRequest] | Unset):
    """

    plan: str | Unset = UNSET
    start_at: datetime.datetime | Unset = UNSET
    quantity: int | Unset = UNSET
    trial_days: int | None | Unset = UNSET
    billing_anchor: datetime.date | None | Unset = UNSET
    metadata: Any | Unset = UNSET
    subscription: int | Unset = UNSET
    events: list[ImportEventInRequest] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan

        start_at: str | Unset = UNSET
        if not isinstance(self.start_at, Unset):
            start_at = self.start_at.isoformat()

        quantity = self.quantity

        trial_days: int | None | Unset
        if isinstance(self.trial_days, Unset):
            trial_days = UNSET
        else:
            trial_days = self.trial_days

        billing_anchor: None | str | Unset
        if isinstance(self.billing_anchor, Unset):
            billing_anchor = UNSET
        elif isinstance(self.billing_anchor, datetime.date):
            billing_anchor = self.billing_anchor.isoformat()
        else:
            billing_anchor = self.billing_anchor

        metadata = self.metadata

        subscription = self.subscription

        events: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.events, Unset):
            events = []
            for events_item_data in self.events:
                events_item = events_item_data.to_dict()
                events.append(events_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if plan is not UNSET:
            field_dict["plan"] = plan
        if start_at is not UNSET:
            field_dict["start_at"] = start_at
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if trial_days is not UNSET:
            field_dict["trial_days"] = trial_days
        if billing_anchor is not UNSET:
            field_dict["billing_anchor"] = billing_anchor
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if events is not UNSET:
            field_dict["events"] = events

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_event_in_request import ImportEventInRequest  # noqa: PLC0415

        d = dict(src_dict)
        plan = d.pop("plan", UNSET)

        _start_at = d.pop("start_at", UNSET)
        start_at: datetime.datetime | Unset
        if isinstance(_start_at, Unset):
            start_at = UNSET
        else:
            start_at = datetime.datetime.fromisoformat(_start_at)

        quantity = d.pop("quantity", UNSET)

        def _parse_trial_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        trial_days = _parse_trial_days(d.pop("trial_days", UNSET))

        def _parse_billing_anchor(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                billing_anchor_type_0 = datetime.date.fromisoformat(data)

                return billing_anchor_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        billing_anchor = _parse_billing_anchor(d.pop("billing_anchor", UNSET))

        metadata = d.pop("metadata", UNSET)

        subscription = d.pop("subscription", UNSET)

        _events = d.pop("events", UNSET)
        events: list[ImportEventInRequest] | Unset = UNSET
        if _events is not UNSET:
            events = []
            for events_item_data in _events:
                events_item = ImportEventInRequest.from_dict(events_item_data)

                events.append(events_item)

        import_subscription_in_request = cls(
            plan=plan,
            start_at=start_at,
            quantity=quantity,
            trial_days=trial_days,
            billing_anchor=billing_anchor,
            metadata=metadata,
            subscription=subscription,
            events=events,
        )

        import_subscription_in_request.additional_properties = d
        return import_subscription_in_request

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
