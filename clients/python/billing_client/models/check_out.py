from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.check_out_reason_enum import CheckOutReasonEnum

T = TypeVar("T", bound="CheckOut")


@_attrs_define
class CheckOut:
    """
    Attributes:
        customer (str):
        feature (str):
        allowed (bool):
        limit (None | str):
        reason (CheckOutReasonEnum): * `granted` - granted
            * `not_in_plan` - not_in_plan
            * `disabled` - disabled
            * `blocked` - blocked
            * `blocked_by_dunning` - blocked_by_dunning
        source (None | str):
    """

    customer: str
    feature: str
    allowed: bool
    limit: None | str
    reason: CheckOutReasonEnum
    source: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        feature = self.feature

        allowed = self.allowed

        limit: None | str
        limit = self.limit

        reason = self.reason.value

        source: None | str
        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "feature": feature,
                "allowed": allowed,
                "limit": limit,
                "reason": reason,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        feature = d.pop("feature")

        allowed = d.pop("allowed")

        def _parse_limit(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        limit = _parse_limit(d.pop("limit"))

        reason = CheckOutReasonEnum(d.pop("reason"))

        def _parse_source(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source = _parse_source(d.pop("source"))

        check_out = cls(
            customer=customer,
            feature=feature,
            allowed=allowed,
            limit=limit,
            reason=reason,
            source=source,
        )

        check_out.additional_properties = d
        return check_out

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
