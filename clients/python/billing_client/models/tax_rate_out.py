from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.category_enum import CategoryEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="TaxRateOut")


@_attrs_define
class TaxRateOut:
    """
    Attributes:
        id (int):
        code (str):
        name (str):
        percentage (str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
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
        archived_at (datetime.datetime | None | Unset):
    """

    id: int
    code: str
    name: str
    percentage: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    inclusive: bool | Unset = UNSET
    country: str | Unset = UNSET
    region: str | Unset = UNSET
    category: CategoryEnum | Unset = UNSET
    legal_mention: str | Unset = UNSET
    description: str | Unset = UNSET
    archived_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        code = self.code

        name = self.name

        percentage = self.percentage

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        inclusive = self.inclusive

        country = self.country

        region = self.region

        category: str | Unset = UNSET
        if not isinstance(self.category, Unset):
            category = self.category.value

        legal_mention = self.legal_mention

        description = self.description

        archived_at: None | str | Unset
        if isinstance(self.archived_at, Unset):
            archived_at = UNSET
        elif isinstance(self.archived_at, datetime.datetime):
            archived_at = self.archived_at.isoformat()
        else:
            archived_at = self.archived_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "code": code,
                "name": name,
                "percentage": percentage,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
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
        if archived_at is not UNSET:
            field_dict["archived_at"] = archived_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        code = d.pop("code")

        name = d.pop("name")

        percentage = d.pop("percentage")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

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

        def _parse_archived_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                archived_at_type_0 = datetime.datetime.fromisoformat(data)

                return archived_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        archived_at = _parse_archived_at(d.pop("archived_at", UNSET))

        tax_rate_out = cls(
            id=id,
            code=code,
            name=name,
            percentage=percentage,
            created_at=created_at,
            updated_at=updated_at,
            inclusive=inclusive,
            country=country,
            region=region,
            category=category,
            legal_mention=legal_mention,
            description=description,
            archived_at=archived_at,
        )

        tax_rate_out.additional_properties = d
        return tax_rate_out

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
