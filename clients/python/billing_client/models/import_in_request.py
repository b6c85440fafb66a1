from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.settle_enum import SettleEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_customer_in_request import ImportCustomerInRequest
    from ..models.import_subscription_in_request import ImportSubscriptionInRequest


T = TypeVar("T", bound="ImportInRequest")


@_attrs_define
class ImportInRequest:
    """
    Attributes:
        key (str): The import's idempotency key: the same key and document again returns the first run.
        customer (ImportCustomerInRequest): A new customer (the fields of `POST /customers/`, the address flat), or an
            existing one
            by `external_id` alone.
        subscriptions (list[ImportSubscriptionInRequest]):
        notify (bool | Unset): E-mail the customer about what the replay produces (invoices finalized, receipts, credit
            notes). Default false: its journal events carry `imported` with `notify: false` and no customer e-mail is
            recorded for them; webhooks are sent. Default: False.
        settle (SettleEnum | Unset): * `paid_outside` - paid_outside
            * `open` - open Default: SettleEnum.PAID_OUTSIDE.
    """

    key: str
    customer: ImportCustomerInRequest
    subscriptions: list[ImportSubscriptionInRequest]
    notify: bool | Unset = False
    settle: SettleEnum | Unset = SettleEnum.PAID_OUTSIDE
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        customer = self.customer.to_dict()

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        notify = self.notify

        settle: str | Unset = UNSET
        if not isinstance(self.settle, Unset):
            settle = self.settle.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "customer": customer,
                "subscriptions": subscriptions,
            }
        )
        if notify is not UNSET:
            field_dict["notify"] = notify
        if settle is not UNSET:
            field_dict["settle"] = settle

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_customer_in_request import ImportCustomerInRequest  # noqa: PLC0415
        from ..models.import_subscription_in_request import ImportSubscriptionInRequest  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        customer = ImportCustomerInRequest.from_dict(d.pop("customer"))

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = ImportSubscriptionInRequest.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        notify = d.pop("notify", UNSET)

        _settle = d.pop("settle", UNSET)
        settle: SettleEnum | Unset
        if isinstance(_settle, Unset):
            settle = UNSET
        else:
            settle = SettleEnum(_settle)

        import_in_request = cls(
            key=key,
            customer=customer,
            subscriptions=subscriptions,
            notify=notify,
            settle=settle,
        )

        import_in_request.additional_properties = d
        return import_in_request

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
