from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.category_enum import CategoryEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedTaxRateUpdateInRequest")


@_attrs_define
class PatchedTaxRateUpdateInRequest:
    """
    Attributes:
        code (str | Unset):
        name (str | Unset):
        percentage (str | Unset):
        inclusive (bool | Unset): Inclusive: prices already contain the tax.
        country (str | Unset): ISO 3166-1 alpha-2
        region (str | Unset):
        category (CategoryEnum | Unset): * `standard` - Standard
            * `reduced` - Reduced
            * `zero` - zero-rated
            * `exempt` - Exempt
            * `reverse_charge` - reverse charge
        legal_mention (str | Unset): Printed on invoices taxed at this rate ("Reverse charge: Art. 196 ...").
        description (str | Unset):
        archived (bool | Unset): true: archived (no new sales); false: restored.
    """

    code: str | Unset = UNSET
    name: str | Unset = UNSET
    percentage: str | Unset = UNSET
    inclusive: bool | Unset = UNSET
    country: str | Unset = UNSET
    region: str | Unset = UNSET
    category: CategoryEnum | Unset = UNSET
    legal_mention: str | Unset = UNSET
    description: str | Unset = UNSET
    archived: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        percentage = self.percentage

        inclusive = self.inclusive

        country = self.country

        region = self.region

        category: str | Unset = UNSET
        if not isinstance(self.category, Unset):
            category = self.category.value

        legal_mention = self.legal_mention

        description = self.description

        archived = self.archived

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if name is not UNSET:
            field_dict["name"] = name
        if percentage is not UNSET:
            field_dict["percentage"] = percentage
        if inclusive is not UNSET:
            field_dict["inclusive"] = inclusive
        if country is not UNSET:
            field_dict["country"] = country
        if region is not UNSET:
            field_dict["region"] = region
        if category is not UNSET:
            field_dict["category"] = category
        if legal_mention is not UNSET:
            field_dict["legal_mention"] = legal_mention
        if description is not UNSET:
            field_dict["description"] = description
        if archived is not UNSET:
            field_dict["archived"] = archived

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code", UNSET)

        name = d.pop("name", UNSET)

        percentage = d.pop("percentage", UNSET)

        inclusive = d.pop("inclusive", UNSET)

        country = d.pop("country", UNSET)

        region = d.pop("region", UNSET)

        _category = d.pop("category", UNSET)
        category: CategoryEnum | Unset
        if isinstance(_category, Unset):
            category = UNSET
        else:
            category = CategoryEnum(_category)

        legal_mention = d.pop("legal_mention", UNSET)

        description = d.pop("description", UNSET)

        archived = d.pop("archived", UNSET)

        patched_tax_rate_update_in_request = cls(
            code=code,
            name=name,
            percentage=percentage,
            inclusive=inclusive,
            country=country,
            region=region,
            category=category,
            legal_mention=legal_mention,
            description=description,
            archived=archived,
        )

        patched_tax_rate_update_in_request.additional_properties = d
        return patched_tax_rate_update_in_request

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
