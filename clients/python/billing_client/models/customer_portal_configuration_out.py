from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.portal_configuration_out import PortalConfigurationOut


T = TypeVar("T", bound="CustomerPortalConfigurationOut")


@_attrs_define
class CustomerPortalConfigurationOut:
    """
    Attributes:
        customer (int):
        configuration (int | None): the customer's own configuration; null: the default
        applies (None | PortalConfigurationOut): the configuration that applies (its own, else the default)
    """

    customer: int
    configuration: int | None
    applies: None | PortalConfigurationOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.portal_configuration_out import PortalConfigurationOut  # noqa: PLC0415

        customer = self.customer

        configuration: int | None
        configuration = self.configuration

        applies: dict[str, Any] | None
        if isinstance(self.applies, PortalConfigurationOut):
            applies = self.applies.to_dict()
        else:
            applies = self.applies

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "configuration": configuration,
                "applies": applies,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.portal_configuration_out import PortalConfigurationOut  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        def _parse_configuration(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        configuration = _parse_configuration(d.pop("configuration"))

        def _parse_applies(data: object) -> None | PortalConfigurationOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                applies_type_1 = PortalConfigurationOut.from_dict(data)

                return applies_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PortalConfigurationOut, data)

        applies = _parse_applies(d.pop("applies"))

        customer_portal_configuration_out = cls(
            customer=customer,
            configuration=configuration,
            applies=applies,
        )

        customer_portal_configuration_out.additional_properties = d
        return customer_portal_configuration_out

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
