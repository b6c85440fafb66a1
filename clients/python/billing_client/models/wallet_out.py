from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.grant_out import GrantOut
    from ..models.wallet_settings_out import WalletSettingsOut


T = TypeVar("T", bound="WalletOut")


@_attrs_define
class WalletOut:
    """
    Attributes:
        customer_id (int):
        currency (str):
        balance (str): the whole credit balance
        in_grants (str): what live grants still hold
        next_expiry (datetime.datetime | None):
        expiring_next (str):
        settings (WalletSettingsOut):
        unpaid_top_ups (list[str]): numbers of top-up invoices being collected
        grants (list[GrantOut]): the latest 50 grants; all: wallet/grants/
    """

    customer_id: int
    currency: str
    balance: str
    in_grants: str
    next_expiry: datetime.datetime | None
    expiring_next: str
    settings: WalletSettingsOut
    unpaid_top_ups: list[str]
    grants: list[GrantOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer_id = self.customer_id

        currency = self.currency

        balance = self.balance

        in_grants = self.in_grants

        next_expiry: None | str
        if isinstance(self.next_expiry, datetime.datetime):
            next_expiry = self.next_expiry.isoformat()
        else:
            next_expiry = self.next_expiry

        expiring_next = self.expiring_next

        settings = self.settings.to_dict()

        unpaid_top_ups = self.unpaid_top_ups

        grants = []
        for grants_item_data in self.grants:
            grants_item = grants_item_data.to_dict()
            grants.append(grants_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer_id": customer_id,
                "currency": currency,
                "balance": balance,
                "in_grants": in_grants,
                "next_expiry": next_expiry,
                "expiring_next": expiring_next,
                "settings": settings,
                "unpaid_top_ups": unpaid_top_ups,
                "grants": grants,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.grant_out import GrantOut  # noqa: PLC0415
        from ..models.wallet_settings_out import WalletSettingsOut  # noqa: PLC0415

        d = dict(src_dict)
        customer_id = d.pop("customer_id")

        currency = d.pop("currency")

        balance = d.pop("balance")

        in_grants = d.pop("in_grants")

        def _parse_next_expiry(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_expiry_type_0 = datetime.datetime.fromisoformat(data)

                return next_expiry_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_expiry = _parse_next_expiry(d.pop("next_expiry"))

        expiring_next = d.pop("expiring_next")

        settings = WalletSettingsOut.from_dict(d.pop("settings"))

        unpaid_top_ups = cast(list[str], d.pop("unpaid_top_ups"))

        grants = []
        _grants = d.pop("grants")
        for grants_item_data in _grants:
            grants_item = GrantOut.from_dict(grants_item_data)

            grants.append(grants_item)

        wallet_out = cls(
            customer_id=customer_id,
            currency=currency,
            balance=balance,
            in_grants=in_grants,
            next_expiry=next_expiry,
            expiring_next=expiring_next,
            settings=settings,
            unpaid_top_ups=unpaid_top_ups,
            grants=grants,
        )

        wallet_out.additional_properties = d
        return wallet_out

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
