from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.billing_policy_enum import BillingPolicyEnum
from ..models.blank_enum import BlankEnum
from ..models.change_out_kind_enum import ChangeOutKindEnum
from ..models.change_out_phase_enum import ChangeOutPhaseEnum
from ..models.change_out_status_enum import ChangeOutStatusEnum
from ..models.change_timing_enum import ChangeTimingEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ChangeOut")


@_attrs_define
class ChangeOut:
    """
    Attributes:
        id (int):
        subscription (int):
        kind (ChangeOutKindEnum): * `plan` - plan change
            * `quantity` - quantity change
            * `plan_quantity` - plan and quantity change
        status (ChangeOutStatusEnum): * `scheduled` - Scheduled
            * `applied` - Applied
            * `canceled` - Canceled
        new_plan (str):
        from_quantity (int):
        effective_at (datetime.datetime):
        created_at (datetime.datetime):
        from_plan_version (str | Unset):
        applied_plan_version (str | Unset):
        new_quantity (int | None | Unset):
        prorate (bool | Unset):
        reason (str | Unset):
        requested_by (str | Unset):
        applied_at (datetime.datetime | None | Unset):
        canceled_at (datetime.datetime | None | Unset):
        timing (BlankEnum | ChangeTimingEnum | Unset): What decided when it takes effect (empty: recorded before this
            was kept).

            * `requested` - as asked (now, at period end or on a date)
            * `upgrade` - automatic: an upgrade, at once
            * `downgrade` - automatic: a downgrade, at period end
            * `not_started` - automatic: in a trial or before the start, at once
            * `policy` - the plan pair's change policy
            * `override` - as asked by staff, overriding the plan pair's policy
        policy (BillingPolicyEnum | BlankEnum | Unset): The plan pair's change policy when one applied (or was
            overridden).

            * `immediate` - at once
            * `end_of_term` - at the end of the period
            * `illegal` - refused
        phase (ChangeOutPhaseEnum | Unset): * `same` - the same phase of the new plan
            * `restart` - start its phases over
    """

    id: int
    subscription: int
    kind: ChangeOutKindEnum
    status: ChangeOutStatusEnum
    new_plan: str
    from_quantity: int
    effective_at: datetime.datetime
    created_at: datetime.datetime
    from_plan_version: str | Unset = UNSET
    applied_plan_version: str | Unset = UNSET
    new_quantity: int | None | Unset = UNSET
    prorate: bool | Unset = UNSET
    reason: str | Unset = UNSET
    requested_by: str | Unset = UNSET
    applied_at: datetime.datetime | None | Unset = UNSET
    canceled_at: datetime.datetime | None | Unset = UNSET
    timing: BlankEnum | ChangeTimingEnum | Unset = UNSET
    policy: BillingPolicyEnum | BlankEnum | Unset = UNSET
    phase: ChangeOutPhaseEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        subscription = self.subscription

        kind = self.kind.value

        status = self.status.value

        new_plan = self.new_plan

        from_quantity = self.from_quantity

        effective_at = self.effective_at.isoformat()

        created_at = self.created_at.isoformat()

        from_plan_version = self.from_plan_version

        applied_plan_version = self.applied_plan_version

        new_quantity: int | None | Unset
        if isinstance(self.new_quantity, Unset):
            new_quantity = UNSET
        else:
            new_quantity = self.new_quantity

        prorate = self.prorate

        reason = self.reason

        requested_by = self.requested_by

        applied_at: None | str | Unset
        if isinstance(self.applied_at, Unset):
            applied_at = UNSET
        elif isinstance(self.applied_at, datetime.datetime):
            applied_at = self.applied_at.isoformat()
        else:
            applied_at = self.applied_at

        canceled_at: None | str | Unset
        if isinstance(self.canceled_at, Unset):
            canceled_at = UNSET
        elif isinstance(self.canceled_at, datetime.datetime):
            canceled_at = self.canceled_at.isoformat()
        else:
            canceled_at = self.canceled_at

        timing: str | Unset
        if isinstance(self.timing, Unset):
            timing = UNSET
        elif isinstance(self.timing, ChangeTimingEnum):
            timing = self.timing.value
        else:
            timing = self.timing.value

        policy: str | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        elif isinstance(self.policy, BillingPolicyEnum):
            policy = self.policy.value
        else:
            policy = self.policy.value

        phase: str | Unset = UNSET
        if not isinstance(self.phase, Unset):
            phase = self.phase.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "subscription": subscription,
                "kind": kind,
                "status": status,
                "new_plan": new_plan,
                "from_quantity": from_quantity,
                "effective_at": effective_at,
                "created_at": created_at,
            }
        )
        if from_plan_version is not UNSET:
            field_dict["from_plan_version"] = from_plan_version
        if applied_plan_version is not UNSET:
            field_dict["applied_plan_version"] = applied_plan_version
        if new_quantity is not UNSET:
            field_dict["new_quantity"] = new_quantity
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if reason is not UNSET:
            field_dict["reason"] = reason
        if requested_by is not UNSET:
            field_dict["requested_by"] = requested_by
        if applied_at is not UNSET:
            field_dict["applied_at"] = applied_at
        if canceled_at is not UNSET:
            field_dict["canceled_at"] = canceled_at
        if timing is not UNSET:
            field_dict["timing"] = timing
        if policy is not UNSET:
            field_dict["policy"] = policy
        if phase is not UNSET:
            field_dict["phase"] = phase

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        subscription = d.pop("subscription")

        kind = ChangeOutKindEnum(d.pop("kind"))

        status = ChangeOutStatusEnum(d.pop("status"))

        new_plan = d.pop("new_plan")

        from_quantity = d.pop("from_quantity")

        effective_at = datetime.datetime.fromisoformat(d.pop("effective_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        from_plan_version = d.pop("from_plan_version", UNSET)

        applied_plan_version = d.pop("applied_plan_version", UNSET)

        def _parse_new_quantity(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        new_quantity = _parse_new_quantity(d.pop("new_quantity", UNSET))

        prorate = d.pop("prorate", UNSET)

        reason = d.pop("reason", UNSET)

        requested_by = d.pop("requested_by", UNSET)

        def _parse_applied_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                applied_at_type_0 = datetime.datetime.fromisoformat(data)

                return applied_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        applied_at = _parse_applied_at(d.pop("applied_at", UNSET))

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

        def _parse_timing(data: object) -> BlankEnum | ChangeTimingEnum | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                timing_type_0 = ChangeTimingEnum(data)

                return timing_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            timing_type_1 = BlankEnum(data)

            return timing_type_1

        timing = _parse_timing(d.pop("timing", UNSET))

        def _parse_policy(data: object) -> BillingPolicyEnum | BlankEnum | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_0 = BillingPolicyEnum(data)

                return policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            policy_type_1 = BlankEnum(data)

            return policy_type_1

        policy = _parse_policy(d.pop("policy", UNSET))

        _phase = d.pop("phase", UNSET)
        phase: ChangeOutPhaseEnum | Unset
        if isinstance(_phase, Unset):
            phase = UNSET
        else:
            phase = ChangeOutPhaseEnum(_phase)

        change_out = cls(
            id=id,
            subscription=subscription,
            kind=kind,
            status=status,
            new_plan=new_plan,
            from_quantity=from_quantity,
            effective_at=effective_at,
            created_at=created_at,
            from_plan_version=from_plan_version,
            applied_plan_version=applied_plan_version,
            new_quantity=new_quantity,
            prorate=prorate,
            reason=reason,
            requested_by=requested_by,
            applied_at=applied_at,
            canceled_at=canceled_at,
            timing=timing,
            policy=policy,
            phase=phase,
        )

        change_out.additional_properties = d
        return change_out

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
