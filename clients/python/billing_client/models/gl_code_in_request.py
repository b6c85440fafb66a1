from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.account_enum import AccountEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="GlCodeInRequest")


@_attrs_define
class GlCodeInRequest:
    """
    Attributes:
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
        code (str):
        name (str | Unset):  Default: ''.
    """

    account: AccountEnum
    code: str
    name: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account = self.account.value

        code = self.code

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account": account,
                "code": code,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        account = AccountEnum(d.pop("account"))

        code = d.pop("code")

        name = d.pop("name", UNSET)

        gl_code_in_request = cls(
            account=account,
            code=code,
            name=name,
        )

        gl_code_in_request.additional_properties = d
        return gl_code_in_request

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
