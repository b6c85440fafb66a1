from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fee_timing_enum import FeeTimingEnum
from ..models.plan_version_out_status_enum import PlanVersionOutStatusEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.charge_out import ChargeOut
    from ..models.version_feature_out import VersionFeatureOut


T = TypeVar("T", bound="PlanVersionOut")


@_attrs_define
class PlanVersionOut:
    """
    Attributes:
        id (int):
        plan (str):
        plan_id (int):
        number (int):
        label (str):
        effective_from (datetime.datetime):
        charges (list[ChargeOut]):
        features (list[VersionFeatureOut]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        status (PlanVersionOutStatusEnum | Unset): * `draft` - Draft
            * `published` - Published
        effective_until (datetime.datetime | None | Unset): Empty: until a later version takes over.
        fixed_fee (str | Unset):
        fee_timing (FeeTimingEnum | Unset): * `advance` - in advance
            * `arrears` - in arrears
        trial_days (int | Unset):
        note (str | Unset): Why this version exists.
        published_at (datetime.datetime | None | Unset):
        copied_from (int | None | Unset):
    """

    id: int
    plan: str
    plan_id: int
    number: int
    label: str
    effective_from: datetime.datetime
    charges: list[ChargeOut]
    features: list[VersionFeatureOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    status: PlanVersionOutStatusEnum | Unset = UNSET
    effective_until: datetime.datetime | None | Unset = UNSET
    fixed_fee: str | Unset = UNSET
    fee_timing: FeeTimingEnum | Unset = UNSET
    trial_days: int | Unset = UNSET
    note: str | Unset = UNSET
    published_at: datetime.datetime | None | Unset = UNSET
    copied_from: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        plan = self.plan

        plan_id = self.plan_id

        number = self.number

        label = self.label

        effective_from = self.effective_from.isoformat()

        charges = []
        for charges_item_data in self.charges:
            charges_item = charges_item_data.to_dict()
            charges.append(charges_item)

        features = []
        for features_item_data in self.features:
            features_item = features_item_data.to_dict()
            features.append(features_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        effective_until: None | str | Unset
        if isinstance(self.effective_until, Unset):
            effective_until = UNSET
        elif isinstance(self.effective_until, datetime.datetime):
            effective_until = self.effective_until.isoformat()
        else:
            effective_until = self.effective_until

        fixed_fee = self.fixed_fee

        fee_timing: str | Unset = UNSET
        if not isinstance(self.fee_timing, Unset):
            fee_timing = self.fee_timing.value

        trial_days = self.trial_days

        note = self.note

        published_at: None | str | Unset
        if isinstance(self.published_at, Unset):
            published_at = UNSET
        elif isinstance(self.published_at, datetime.datetime):
            published_at = self.published_at.isoformat()
        else:
            published_at = self.published_at

        copied_from: int | None | Unset
        if isinstance(self.copied_from, Unset):
            copied_from = UNSET
        else:
            copied_from = self.copied_from

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "plan": plan,
                "plan_id": plan_id,
                "number": number,
                "label": label,
                "effective_from": effective_from,
                "charges": charges,
                "features": features,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if effective_until is not UNSET:
            field_dict["effective_until"] = effective_until
        if fixed_fee is not UNSET:
            field_dict["fixed_fee"] = fixed_fee
        if fee_timing is not UNSET:
            field_dict["fee_timing"] = fee_timing
        if trial_days is not UNSET:
            field_dict["trial_days"] = trial_days
        if note is not UNSET:
            field_dict["note"] = note
        if published_at is not UNSET:
            field_dict["published_at"] = published_at
        if copied_from is not UNSET:
            field_dict["copied_from"] = copied_from

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.charge_out import ChargeOut  # noqa: PLC0415
        from ..models.version_feature_out import VersionFeatureOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        plan = d.pop("plan")

        plan_id = d.pop("plan_id")

        number = d.pop("number")

        label = d.pop("label")

        effective_from = datetime.datetime.fromisoformat(d.pop("effective_from"))

        charges = []
        _charges = d.pop("charges")
        for charges_item_data in _charges:
            charges_item = ChargeOut.from_dict(charges_item_data)

            charges.append(charges_item)

        features = []
        _features = d.pop("features")
        for features_item_data in _features:
            features_item = VersionFeatureOut.from_dict(features_item_data)

            features.append(features_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _status = d.pop("status", UNSET)
        status: PlanVersionOutStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = PlanVersionOutStatusEnum(_status)

        def _parse_effective_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                effective_until_type_0 = datetime.datetime.fromisoformat(data)

                return effective_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        effective_until = _parse_effective_until(d.pop("effective_until", UNSET))

        fixed_fee = d.pop("fixed_fee", UNSET)

        _fee_timing = d.pop("fee_timing", UNSET)
        fee_timing: FeeTimingEnum | Unset
        if isinstance(_fee_timing, Unset):
            fee_timing = UNSET
        else:
            fee_timing = FeeTimingEnum(_fee_timing)

        trial_days = d.pop("trial_days", UNSET)

        note = d.pop("note", UNSET)

        def _parse_published_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                published_at_type_0 = datetime.datetime.fromisoformat(data)

                return published_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        published_at = _parse_published_at(d.pop("published_at", UNSET))

        def _parse_copied_from(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        copied_from = _parse_copied_from(d.pop("copied_from", UNSET))

        plan_version_out = cls(
            id=id,
            plan=plan,
            plan_id=plan_id,
            number=number,
            label=label,
            effective_from=effective_from,
            charges=charges,
            features=features,
            created_at=created_at,
            updated_at=updated_at,
            status=status,
            effective_until=effective_until,
            fixed_fee=fixed_fee,
            fee_timing=fee_timing,
            trial_days=trial_days,
            note=note,
            published_at=published_at,
            copied_from=copied_from,
        )

        plan_version_out.additional_properties = d
        return plan_version_out

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
