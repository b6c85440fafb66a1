from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.cancellation_credit_enum import CancellationCreditEnum
from ..models.fee_timing_enum import FeeTimingEnum
from ..models.proration_change_day_enum import ProrationChangeDayEnum
from ..models.proration_unit_enum import ProrationUnitEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.charge_in_request import ChargeInRequest
    from ..models.one_time_fee_in_request import OneTimeFeeInRequest
    from ..models.plan_phase_in_request import PlanPhaseInRequest
    from ..models.usage_threshold_in_request import UsageThresholdInRequest
    from ..models.version_feature_in_request import VersionFeatureInRequest


T = TypeVar("T", bound="PlanVersionCreateInRequest")


@_attrs_define
class PlanVersionCreateInRequest:
    """
    Attributes:
        effective_from (datetime.datetime):
        plan (str):
        effective_until (datetime.datetime | None | Unset):
        fixed_fee (str | Unset):
        fee_timing (FeeTimingEnum | Unset): * `advance` - in advance
            * `arrears` - in arrears
        trial_days (int | Unset):
        note (str | Unset):
        charges (list[ChargeInRequest] | Unset):
        features (list[VersionFeatureInRequest] | Unset):
        trial_invoice (bool | Unset): Issue a zero invoice when a free trial starts.
        one_time_fees (list[OneTimeFeeInRequest] | Unset): Billed once, at a subscription's start.
        phases (list[PlanPhaseInRequest] | Unset): Plan phases in order (Kill Bill's TRIAL / DISCOUNT / FIXEDTERM /
            EVERGREEN): a subscription walks through them from its first paid period, each lasting `periods` whole billing
            periods (null: open-ended, the last phase only) at its own fixed_fee (instead of the version's), with the
            charges without a phase and its own. When every phase has periods, the subscription ends with the last one (a
            fixed term). Empty: no phases.
        usage_thresholds (list[UsageThresholdInRequest] | Unset): Progressive (threshold) billing: when the period's
            usage of the charges billed in arrears (rated) reaches a level higher than any reached in the period, an invoice
            bills it at once and the period's end bills the rest. Each {amount, recurring, name}: several one-off amounts
            and at most one recurring one (every `amount` more after the highest one-off, or from 0). Amounts above 0, at
            most the currency's decimals. Empty: none.
        cancellation_credit (CancellationCreditEnum | Unset): * `proration_line` - a proration line on the next invoice
            * `credit_note` - a credit note on the invoice that billed it
        proration_unit (ProrationUnitEnum | Unset): * `second` - by the second
            * `day` - by whole days
        proration_change_day (ProrationChangeDayEnum | Unset): * `new` - the day of a change is billed at the new terms
            * `old` - the day of a change is billed at the old terms
        minimum_commitment (None | str | Unset): A minimum per billing period over the fixed fee and all usage charges
            (their own minimums and the period's proration lines included), before coupons and taxes, in the plan's currency
            (0 or more, at most its decimals); prorated for a part of a period by proration_unit. When the period bills
            less, its period end invoice has a "minimum" line: "<plan>: minimum commitment true-up". null: none.
    """

    effective_from: datetime.datetime
    plan: str
    effective_until: datetime.datetime | None | Unset = UNSET
    fixed_fee: str | Unset = UNSET
    fee_timing: FeeTimingEnum | Unset = UNSET
    trial_days: int | Unset = UNSET
    note: str | Unset = UNSET
    charges: list[ChargeInRequest] | Unset = UNSET
    features: list[VersionFeatureInRequest] | Unset = UNSET
    trial_invoice: bool | Unset = UNSET
    one_time_fees: list[OneTimeFeeInRequest] | Unset = UNSET
    phases: list[PlanPhaseInRequest] | Unset = UNSET
    usage_thresholds: list[UsageThresholdInRequest] | Unset = UNSET
    cancellation_credit: CancellationCreditEnum | Unset = UNSET
    proration_unit: ProrationUnitEnum | Unset = UNSET
    proration_change_day: ProrationChangeDayEnum | Unset = UNSET
    minimum_commitment: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        effective_from = self.effective_from.isoformat()

        plan = self.plan

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

        trial_invoice = self.trial_invoice

        one_time_fees: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.one_time_fees, Unset):
            one_time_fees = []
            for one_time_fees_item_data in self.one_time_fees:
                one_time_fees_item = one_time_fees_item_data.to_dict()
                one_time_fees.append(one_time_fees_item)

        phases: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.phases, Unset):
            phases = []
            for phases_item_data in self.phases:
                phases_item = phases_item_data.to_dict()
                phases.append(phases_item)

        usage_thresholds: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.usage_thresholds, Unset):
            usage_thresholds = []
            for usage_thresholds_item_data in self.usage_thresholds:
                usage_thresholds_item = usage_thresholds_item_data.to_dict()
                usage_thresholds.append(usage_thresholds_item)

        cancellation_credit: str | Unset = UNSET
        if not isinstance(self.cancellation_credit, Unset):
            cancellation_credit = self.cancellation_credit.value

        proration_unit: str | Unset = UNSET
        if not isinstance(self.proration_unit, Unset):
            proration_unit = self.proration_unit.value

        proration_change_day: str | Unset = UNSET
        if not isinstance(self.proration_change_day, Unset):
            proration_change_day = self.proration_change_day.value

        minimum_commitment: None | str | Unset
        if isinstance(self.minimum_commitment, Unset):
            minimum_commitment = UNSET
        else:
            minimum_commitment = self.minimum_commitment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "effective_from": effective_from,
                "plan": plan,
            }
        )
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
        if trial_invoice is not UNSET:
            field_dict["trial_invoice"] = trial_invoice
        if one_time_fees is not UNSET:
            field_dict["one_time_fees"] = one_time_fees
        if phases is not UNSET:
            field_dict["phases"] = phases
        if usage_thresholds is not UNSET:
            field_dict["usage_thresholds"] = usage_thresholds
        if cancellation_credit is not UNSET:
            field_dict["cancellation_credit"] = cancellation_credit
        if proration_unit is not UNSET:
            field_dict["proration_unit"] = proration_unit
        if proration_change_day is not UNSET:
            field_dict["proration_change_day"] = proration_change_day
        if minimum_commitment is not UNSET:
            field_dict["minimum_commitment"] = minimum_commitment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.charge_in_request import ChargeInRequest  # noqa: PLC0415
        from ..models.one_time_fee_in_request import OneTimeFeeInRequest  # noqa: PLC0415
        from ..models.plan_phase_in_request import PlanPhaseInRequest  # noqa: PLC0415
        from ..models.usage_threshold_in_request import UsageThresholdInRequest  # noqa: PLC0415
        from ..models.version_feature_in_request import VersionFeatureInRequest  # noqa: PLC0415

        d = dict(src_dict)
        effective_from = datetime.datetime.fromisoformat(d.pop("effective_from"))

        plan = d.pop("plan")

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

        trial_invoice = d.pop("trial_invoice", UNSET)

        _one_time_fees = d.pop("one_time_fees", UNSET)
        one_time_fees: list[OneTimeFeeInRequest] | Unset = UNSET
        if _one_time_fees is not UNSET:
            one_time_fees = []
            for one_time_fees_item_data in _one_time_fees:
                one_time_fees_item = OneTimeFeeInRequest.from_dict(one_time_fees_item_data)

                one_time_fees.append(one_time_fees_item)

        _phases = d.pop("phases", UNSET)
        phases: list[PlanPhaseInRequest] | Unset = UNSET
        if _phases is not UNSET:
            phases = []
            for phases_item_data in _phases:
                phases_item = PlanPhaseInRequest.from_dict(phases_item_data)

                phases.append(phases_item)

        _usage_thresholds = d.pop("usage_thresholds", UNSET)
        usage_thresholds: list[UsageThresholdInRequest] | Unset = UNSET
        if _usage_thresholds is not UNSET:
            usage_thresholds = []
            for usage_thresholds_item_data in _usage_thresholds:
                usage_thresholds_item = UsageThresholdInRequest.from_dict(usage_thresholds_item_data)

                usage_thresholds.append(usage_thresholds_item)

        _cancellation_credit = d.pop("cancellation_credit", UNSET)
        cancellation_credit: CancellationCreditEnum | Unset
        if isinstance(_cancellation_credit, Unset):
            cancellation_credit = UNSET
        else:
            cancellation_credit = CancellationCreditEnum(_cancellation_credit)

        _proration_unit = d.pop("proration_unit", UNSET)
        proration_unit: ProrationUnitEnum | Unset
        if isinstance(_proration_unit, Unset):
            proration_unit = UNSET
        else:
            proration_unit = ProrationUnitEnum(_proration_unit)

        _proration_change_day = d.pop("proration_change_day", UNSET)
        proration_change_day: ProrationChangeDayEnum | Unset
        if isinstance(_proration_change_day, Unset):
            proration_change_day = UNSET
        else:
            proration_change_day = ProrationChangeDayEnum(_proration_change_day)

        def _parse_minimum_commitment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        minimum_commitment = _parse_minimum_commitment(d.pop("minimum_commitment", UNSET))

        plan_version_create_in_request = cls(
            effective_from=effective_from,
            plan=plan,
            effective_until=effective_until,
            fixed_fee=fixed_fee,
            fee_timing=fee_timing,
            trial_days=trial_days,
            note=note,
            charges=charges,
            features=features,
            trial_invoice=trial_invoice,
            one_time_fees=one_time_fees,
            phases=phases,
            usage_thresholds=usage_thresholds,
            cancellation_credit=cancellation_credit,
            proration_unit=proration_unit,
            proration_change_day=proration_change_day,
            minimum_commitment=minimum_commitment,
        )

        plan_version_create_in_request.additional_properties = d
        return plan_version_create_in_request

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
