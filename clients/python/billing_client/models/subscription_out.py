from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.subscription_status_enum import SubscriptionStatusEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.item_out import ItemOut
    from ..models.subscription_phase_out import SubscriptionPhaseOut


T = TypeVar("T", bound="SubscriptionOut")


@_attrs_define
class SubscriptionOut:
    """
    Attributes:
        id (int):
        customer (str): Your system's id for this customer; unique, used by the API and usage events.
        plan (str):
        plan_version (str):
        status (SubscriptionStatusEnum): * `pending` - Pending
            * `trialing` - Trialing
            * `active` - Active
            * `paused` - Paused
            * `past_due` - past due
            * `canceled` - Canceled
            * `ended` - Ended
        start_at (datetime.datetime):
        billing_anchor (datetime.date): Local date the periods are counted from.
        current_period_start (datetime.datetime):
        current_period_end (datetime.datetime):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        parent (int): the subscription this is an item of (null: none)
        items (list[ItemOut]): its items: other plans billed on its cycle and invoices, each with its own quantity (live
            and finished ones)
        phase (None | SubscriptionPhaseOut):
        quantity (int | Unset):
        trial_end (datetime.datetime | None | Unset):
        cancel_at_period_end (bool | Unset):
        canceled_at (datetime.datetime | None | Unset):
        ends_at (datetime.datetime | None | Unset): A set end date.
        ended_at (datetime.datetime | None | Unset):
        paused_at (datetime.datetime | None | Unset):
        dunning_blocked (bool | Unset): Set by dunning: its features are refused now (entitlement checks answer
            blocked_by_dunning).
        dunning_blocked_from (datetime.datetime | None | Unset): Dunning blocks it from this instant: the end of a
            period already paid, or the instant its customer entered a blocking state. Empty: not blocked.
        metadata (Any | Unset):
    """

    id: int
    customer: str
    plan: str
    plan_version: str
    status: SubscriptionStatusEnum
    start_at: datetime.datetime
    billing_anchor: datetime.date
    current_period_start: datetime.datetime
    current_period_end: datetime.datetime
    created_at: datetime.datetime
    updated_at: datetime.datetime
    parent: int
    items: list[ItemOut]
    phase: None | SubscriptionPhaseOut
    quantity: int | Unset = UNSET
    trial_end: datetime.datetime | None | Unset = UNSET
    cancel_at_period_end: bool | Unset = UNSET
    canceled_at: datetime.datetime | None | Unset = UNSET
    ends_at: datetime.datetime | None | Unset = UNSET
    ended_at: datetime.datetime | None | Unset = UNSET
    paused_at: datetime.datetime | None | Unset = UNSET
    dunning_blocked: bool | Unset = UNSET
    dunning_blocked_from: datetime.datetime | None | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.subscription_phase_out import SubscriptionPhaseOut  # noqa: PLC0415

        id = self.id

        customer = self.customer

        plan = self.plan

        plan_version = self.plan_version

        status = self.status.value

        start_at = self.start_at.isoformat()

        billing_anchor = self.billing_anchor.isoformat()

        current_period_start = self.current_period_start.isoformat()

        current_period_end = self.current_period_end.isoformat()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        parent = self.parent

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        phase: dict[str, Any] | None
        if isinstance(self.phase, SubscriptionPhaseOut):
            phase = self.phase.to_dict()
        else:
            phase = self.phase

        quantity = self.quantity

        trial_end: None | str | Unset
        if isinstance(self.trial_end, Unset):
            trial_end = UNSET
        elif isinstance(self.trial_end, datetime.datetime):
            trial_end = self.trial_end.isoformat()
        else:
            trial_end = self.trial_end

        cancel_at_period_end = self.cancel_at_period_end

        canceled_at: None | str | Unset
        if isinstance(self.canceled_at, Unset):
            canceled_at = UNSET
        elif isinstance(self.canceled_at, datetime.datetime):
            canceled_at = self.canceled_at.isoformat()
        else:
            canceled_at = self.canceled_at

        ends_at: None | str | Unset
        if isinstance(self.ends_at, Unset):
            ends_at = UNSET
        elif isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        ended_at: None | str | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        elif isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        paused_at: None | str | Unset
        if isinstance(self.paused_at, Unset):
            paused_at = UNSET
        elif isinstance(self.paused_at, datetime.datetime):
            paused_at = self.paused_at.isoformat()
        else:
            paused_at = self.paused_at

        dunning_blocked = self.dunning_blocked

        dunning_blocked_from: None | str | Unset
        if isinstance(self.dunning_blocked_from, Unset):
            dunning_blocked_from = UNSET
        elif isinstance(self.dunning_blocked_from, datetime.datetime):
            dunning_blocked_from = self.dunning_blocked_from.isoformat()
        else:
            dunning_blocked_from = self.dunning_blocked_from

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "plan": plan,
                "plan_version": plan_version,
                "status": status,
                "start_at": start_at,
                "billing_anchor": billing_anchor,
                "current_period_start": current_period_start,
                "current_period_end": current_period_end,
                "created_at": created_at,
                "updated_at": updated_at,
                "parent": parent,
                "items": items,
                "phase": phase,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if trial_end is not UNSET:
            field_dict["trial_end"] = trial_end
        if cancel_at_period_end is not UNSET:
            field_dict["cancel_at_period_end"] = cancel_at_period_end
        if canceled_at is not UNSET:
            field_dict["canceled_at"] = canceled_at
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at
        if paused_at is not UNSET:
            field_dict["paused_at"] = paused_at
        if dunning_blocked is not UNSET:
            field_dict["dunning_blocked"] = dunning_blocked
        if dunning_blocked_from is not UNSET:
            field_dict["dunning_blocked_from"] = dunning_blocked_from
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.item_out import ItemOut  # noqa: PLC0415
        from ..models.subscription_phase_out import SubscriptionPhaseOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        plan = d.pop("plan")

        plan_version = d.pop("plan_version")

        status = SubscriptionStatusEnum(d.pop("status"))

        start_at = datetime.datetime.fromisoformat(d.pop("start_at"))

        billing_anchor = datetime.date.fromisoformat(d.pop("billing_anchor"))

        current_period_start = datetime.datetime.fromisoformat(d.pop("current_period_start"))

        current_period_end = datetime.datetime.fromisoformat(d.pop("current_period_end"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        parent = d.pop("parent")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = ItemOut.from_dict(items_item_data)

            items.append(items_item)

        def _parse_phase(data: object) -> None | SubscriptionPhaseOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                phase_type_1 = SubscriptionPhaseOut.from_dict(data)

                return phase_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubscriptionPhaseOut, data)

        phase = _parse_phase(d.pop("phase"))

        quantity = d.pop("quantity", UNSET)

        def _parse_trial_end(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trial_end_type_0 = datetime.datetime.fromisoformat(data)

                return trial_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        trial_end = _parse_trial_end(d.pop("trial_end", UNSET))

        cancel_at_period_end = d.pop("cancel_at_period_end", UNSET)

        def _parse_canceled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                canceled_at_type_0 = datetime.datetime.fromisoformat(data)

                return canceled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        canceled_at = _parse_canceled_at(d.pop("canceled_at", UNSET))

        def _parse_ends_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ends_at_type_0 = datetime.datetime.fromisoformat(data)

                return ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ends_at = _parse_ends_at(d.pop("ends_at", UNSET))

        def _parse_ended_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ended_at = _parse_ended_at(d.pop("ended_at", UNSET))

        def _parse_paused_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paused_at_type_0 = datetime.datetime.fromisoformat(data)

                return paused_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        paused_at = _parse_paused_at(d.pop("paused_at", UNSET))

        dunning_blocked = d.pop("dunning_blocked", UNSET)

        def _parse_dunning_blocked_from(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                dunning_blocked_from_type_0 = datetime.datetime.fromisoformat(data)

                return dunning_blocked_from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        dunning_blocked_from = _parse_dunning_blocked_from(d.pop("dunning_blocked_from", UNSET))

        metadata = d.pop("metadata", UNSET)

        subscription_out = cls(
            id=id,
            customer=customer,
            plan=plan,
            plan_version=plan_version,
            status=status,
            start_at=start_at,
            billing_anchor=billing_anchor,
            current_period_start=current_period_start,
            current_period_end=current_period_end,
            created_at=created_at,
            updated_at=updated_at,
            parent=parent,
            items=items,
            phase=phase,
            quantity=quantity,
            trial_end=trial_end,
            cancel_at_period_end=cancel_at_period_end,
            canceled_at=canceled_at,
            ends_at=ends_at,
            ended_at=ended_at,
            paused_at=paused_at,
            dunning_blocked=dunning_blocked,
            dunning_blocked_from=dunning_blocked_from,
            metadata=metadata,
        )

        subscription_out.additional_properties = d
        return subscription_out

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
