from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.import_preview_out_customer import ImportPreviewOutCustomer
    from ..models.import_preview_out_steps_item import ImportPreviewOutStepsItem
    from ..models.import_preview_out_subscriptions_item import ImportPreviewOutSubscriptionsItem


T = TypeVar("T", bound="ImportPreviewOut")


@_attrs_define
class ImportPreviewOut:
    """
    Attributes:
        key (str):
        as_of (datetime.datetime):
        customer (ImportPreviewOutCustomer):
        subscriptions (list[ImportPreviewOutSubscriptionsItem]):
        steps (list[ImportPreviewOutStepsItem]):
    """

    key: str
    as_of: datetime.datetime
    customer: ImportPreviewOutCustomer
    subscriptions: list[ImportPreviewOutSubscriptionsItem]
    steps: list[ImportPreviewOutStepsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        as_of = self.as_of.isoformat()

        customer = self.customer.to_dict()

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "as_of": as_of,
                "customer": customer,
                "subscriptions": subscriptions,
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_preview_out_customer import ImportPreviewOutCustomer  # noqa: PLC0415
        from ..models.import_preview_out_steps_item import ImportPreviewOutStepsItem  # noqa: PLC0415
        from ..models.import_preview_out_subscriptions_item import ImportPreviewOutSubscriptionsItem  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        customer = ImportPreviewOutCustomer.from_dict(d.pop("customer"))

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = ImportPreviewOutSubscriptionsItem.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = ImportPreviewOutStepsItem.from_dict(steps_item_data)

            steps.append(steps_item)

        import_preview_out = cls(
            key=key,
            as_of=as_of,
            customer=customer,
            subscriptions=subscriptions,
            steps=steps,
        )

        import_preview_out.additional_properties = d
        return import_preview_out

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
