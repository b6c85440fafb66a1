from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_method_state_enum import PaymentMethodStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedPaymentMethodPatchInRequest")


@_attrs_define
class PatchedPaymentMethodPatchInRequest:
    """
    Attributes:
        holder_name (str | Unset):
        exp_month (int | None | Unset):
        exp_year (int | None | Unset):
        state (PaymentMethodStateEnum | Unset): * `active` - Active
            * `expired` - Expired
            * `failed_verification` - failed verification
    """

    holder_name: str | Unset = UNSET
    exp_month: int | None | Unset = UNSET
    exp_year: int | None | Unset = UNSET
    state: PaymentMethodStateEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        holder_name = self.holder_name

        exp_month: int | None | Unset
        if isinstance(self.exp_month, Unset):
            exp_month = UNSET
        else:
            exp_month = self.exp_month

        exp_year: int | None | Unset
        if isinstance(self.exp_year, Unset):
            exp_year = UNSET
        else:
            exp_year = self.exp_year

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if holder_name is not UNSET:
            field_dict["holder_name"] = holder_name
        if exp_month is not UNSET:
            field_dict["exp_month"] = exp_month
        if exp_year is not UNSET:
            field_dict["exp_year"] = exp_year
        if state is not UNSET:
            field_dict["state"] = state

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        holder_name = d.pop("holder_name", UNSET)

        def _parse_exp_month(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        exp_month = _parse_exp_month(d.pop("exp_month", UNSET))

        def _parse_exp_year(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        exp_year = _parse_exp_year(d.pop("exp_year", UNSET))

        _state = d.pop("state", UNSET)
        state: PaymentMethodStateEnum | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = PaymentMethodStateEnum(_state)

        patched_payment_method_patch_in_request = cls(
            holder_name=holder_name,
            exp_month=exp_month,
            exp_year=exp_year,
            state=state,
        )

        patched_payment_method_patch_in_request.additional_properties = d
        return patched_payment_method_patch_in_request

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
