from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.account_enum import AccountEnum

T = TypeVar("T", bound="GlCodeOut")


@_attrs_define
class GlCodeOut:
    """
    Attributes:
        id (int):
        account (AccountEnum): * `receivable` - accounts receivable
            * `revenue` - Revenue
            * `tax` - tax payable
            * `cash` - Cash
            * `bad_debt` - bad debt
            * `customer_credit` - customer credit balances
            * `credits_granted` - credits granted (expense)
            * `unapplied_cash` - unapplied cash (received, not yet applied)
            * `credits_expired` - expired credit (income)
            * `prepaid_sold` - prepaid credit invoiced, not yet paid
            * `payout_expense` - payouts earned by payees (expense)
            * `payouts_payable` - payouts owed to payees, not yet paid
        account_label (str):
        code (str):
        name (str):
        updated_at (datetime.datetime):
    """

    id: int
    account: AccountEnum
    account_label: str
    code: str
    name: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        account = self.account.value

        account_label = self.account_label

        code = self.code

        name = self.name

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "account": account,
                "account_label": account_label,
                "code": code,
                "name": name,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        account = AccountEnum(d.pop("account"))

        account_label = d.pop("account_label")

        code = d.pop("code")

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        gl_code_out = cls(
            id=id,
            account=account,
            account_label=account_label,
            code=code,
            name=name,
            updated_at=updated_at,
        )

        gl_code_out.additional_properties = d
        return gl_code_out

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
