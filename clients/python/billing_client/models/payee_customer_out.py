from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayeeCustomerOut")


@_attrs_define
class PayeeCustomerOut:
    """
    Attributes:
        id (int):
        payee (int):
        customer (str): the customer's external id
        created_at (datetime.datetime): When the link started counting (linked at).
        unlinked_at (datetime.datetime | None | Unset): When it stopped counting (removed); empty: current.
    """

    id: int
    payee: int
    customer: str
    created_at: datetime.datetime
    unlinked_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        payee = self.payee

        customer = self.customer

        created_at = self.created_at.isoformat()

        unlinked_at: None | str | Unset
        if isinstance(self.unlinked_at, Unset):
            unlinked_at = UNSET
        elif isinstance(self.unlinked_at, datetime.datetime):
            unlinked_at = self.unlinked_at.isoformat()
        else:
            unlinked_at = self.unlinked_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "payee": payee,
                "customer": customer,
                "created_at": created_at,
            }
        )
        if unlinked_at is not UNSET:
            field_dict["unlinked_at"] = unlinked_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        payee = d.pop("payee")

        customer = d.pop("customer")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_unlinked_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                unlinked_at_type_0 = datetime.datetime.fromisoformat(data)

                return unlinked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        unlinked_at = _parse_unlinked_at(d.pop("unlinked_at", UNSET))

        payee_customer_out = cls(
            id=id,
            payee=payee,
            customer=customer,
            created_at=created_at,
            unlinked_at=unlinked_at,
        )

        payee_customer_out.additional_properties = d
        return payee_customer_out

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
