from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payout_gateway_enum import PayoutGatewayEnum
from ..models.payout_method_state_enum import PayoutMethodStateEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutMethodOut")


@_attrs_define
class PayoutMethodOut:
    """
    Attributes:
        id (int):
        payee (int):
        gateway (PayoutGatewayEnum): * `sandbox` - sandbox (deterministic by token)
            * `manual` - manual (a bank transfer staff make)
        token (str): The sandbox token (tok_ok ...), or for the manual gateway the bank account's reference staff pay to
            (an IBAN, an internal label).
        created_at (datetime.datetime):
        label (str | Unset):
        is_default (bool | Unset):  Default: False.
        state (PayoutMethodStateEnum | Unset): * `active` - Active
            * `detached` - Detached
        detached_at (datetime.datetime | None | Unset):
    """

    id: int
    payee: int
    gateway: PayoutGatewayEnum
    token: str
    created_at: datetime.datetime
    label: str | Unset = UNSET
    is_default: bool | Unset = False
    state: PayoutMethodStateEnum | Unset = UNSET
    detached_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        payee = self.payee

        gateway = self.gateway.value

        token = self.token

        created_at = self.created_at.isoformat()

        label = self.label

        is_default = self.is_default

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        detached_at: None | str | Unset
        if isinstance(self.detached_at, Unset):
            detached_at = UNSET
        elif isinstance(self.detached_at, datetime.datetime):
            detached_at = self.detached_at.isoformat()
        else:
            detached_at = self.detached_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "payee": payee,
                "gateway": gateway,
                "token": token,
                "created_at": created_at,
            }
        )
        if label is not UNSET:
            field_dict["label"] = label
        if is_default is not UNSET:
            field_dict["is_default"] = is_default
        if state is not UNSET:
            field_dict["state"] = state
        if detached_at is not UNSET:
            field_dict["detached_at"] = detached_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        payee = d.pop("payee")

        gateway = PayoutGatewayEnum(d.pop("gateway"))

        token = d.pop("token")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        label = d.pop("label", UNSET)

        is_default = d.pop("is_default", UNSET)

        _state = d.pop("state", UNSET)
        state: PayoutMethodStateEnum | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = PayoutMethodStateEnum(_state)

        def _parse_detached_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                detached_at_type_0 = datetime.datetime.fromisoformat(data)

                return detached_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        detached_at = _parse_detached_at(d.pop("detached_at", UNSET))

        payout_method_out = cls(
            id=id,
            payee=payee,
            gateway=gateway,
            token=token,
            created_at=created_at,
            label=label,
            is_default=is_default,
            state=state,
            detached_at=detached_at,
        )

        payout_method_out.additional_properties = d
        return payout_method_out

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
