from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fee_timing_enum import FeeTimingEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.charge_in_request import ChargeInRequest
    from ..models.version_feature_in_request import VersionFeatureInRequest


T = TypeVar("T", bound="PatchedPlanVersionInRequest")


@_attrs_define
class PatchedPlanVersionInRequest:
    """
    Attributes:
        effective_from (datetime.datetime | Unset):
        effective_until (datetime.datetime | None | Unset):
        fixed_fee (str | Unset):
        fee_timing (FeeTimingEnum | Unset): * `advance` - in advance
            * `arrears` - in arrears
        trial_days (int | Unset):
        note (str | Unset):
        charges (list[ChargeInRequest] | Unset):
        features (list[VersionFeatureInRequest] | Unset):
    """

    effective_from: datetime.datetime | Unset = UNSET
    effective_until: datetime.datetime | None | Unset = UNSET
    fixed_fee: str | Unset = UNSET
    fee_timing: FeeTimingEnum | Unset = UNSET
    trial_days: int | Unset = UNSET
    note: str | Unset = UNSET
    charges: list[ChargeInRequest] | Unset = UNSET
    features: list[VersionFeatureInRequest] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        effective_from: str | Unset = UNSET
        if not isinstance(self.effective_from, Unset):
            effective_from = self.effective_from.isoformat()

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

        charges: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.charges, Unset):
            charges = []
            for charges_item_data in self.charges:
                charges_item = charges_item_data.to_dict()
                charges.append(charges_item)

        features: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.features, Unset):
            features = []
            for features_item_data in self.features:
                features_item = features_item_data.to_dict()
                features.append(features_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if effective_from is not UNSET:
            field_dict["effective_from"] = effective_from
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
        if charges is not UNSET:
            field_dict["charges"] = charges
        if features is not UNSET:
            field_dict["features"] = features

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.charge_in_request import ChargeInRequest  # noqa: PLC0415
        from ..models.version_feature_in_request import VersionFeatureInRequest  # noqa: PLC0415

        d = dict(src_dict)
        _effective_from = d.pop("effective_from", UNSET)
        effective_from: datetime.datetime | Unset
        if isinstance(_effective_from, Unset):
            effective_from = UNSET
        else:
            effective_from = datetime.datetime.fromisoformat(_effective_from)

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

        _charges = d.pop("charges", UNSET)
        charges: list[ChargeInRequest] | Unset = UNSET
        if _charges is not UNSET:
            charges = []
            for charges_item_data in _charges:
                charges_item = ChargeInRequest.from_dict(charges_item_data)

                charges.append(charges_item)

        _features = d.pop("features", UNSET)
        features: list[VersionFeatureInRequest] | Unset = UNSET
        if _features is not UNSET:
            features = []
            for features_item_data in _features:
                features_item = VersionFeatureInRequest.from_dict(features_item_data)

                features.append(features_item)

        patched_plan_version_in_request = cls(
            effective_from=effective_from,
            effective_until=effective_until,
            fixed_fee=fixed_fee,
            fee_timing=fee_timing,
            trial_days=trial_days,
            note=note,
            charges=charges,
            features=features,
        )

        patched_plan_version_in_request.additional_properties = d
        return patched_plan_version_in_request

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
