"""The company's brand: one row, changed by finance staff (admin, API). What it checks is in
`invoicing.branding`; what finalization freezes of it is `invoicing.selectors.brand_snapshot`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from billing.services import journal_write
from core.audit import Actor, audit_context
from core.exceptions import ValidationFailed
from invoicing.branding import COLOR_FIELDS, check_contrast, checked_logo, color
from invoicing.models import BRAND_DEFAULTS, Branding, BrandLogo
from invoicing.selectors import brand_snapshot, branding_current

FIELDS = ("display_name", "logo", *COLOR_FIELDS)
NAME_MAX = 100


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}.", field=unknown[0], code="unknown"
        )
    out: dict[str, Any] = {}
    if "display_name" in data:
        name = data["display_name"]
        if name is None:
            name = ""
        if not isinstance(name, str):
            raise ValidationFailed("A text is expected.", field="display_name", code="invalid")
        name = " ".join(name.split())
        if len(name) > NAME_MAX:
            raise ValidationFailed(
                f"At most {NAME_MAX} characters.", field="display_name", code="max_length"
            )
        out["display_name"] = name
    for key in COLOR_FIELDS:
        if key in data:
            out[key] = color(data[key], key)
    if "logo" in data:
        raw = data["logo"]
        if raw is not None and not isinstance(raw, bytes):
            raise ValidationFailed("The logo is a file's bytes.", field="logo", code="invalid")
        out["logo"] = checked_logo(raw) if raw is not None else None
    return out


def brand_logo_store(*, data: bytes, as_of: datetime) -> BrandLogo:
    """The logo's row (written once for its bytes; the same bytes find the same row). Inside the
    caller's transaction."""
    logo = checked_logo(data)
    BrandLogo.objects.bulk_create(
        [BrandLogo(sha256=logo.sha256, content_type=logo.content_type, data=logo.data,
                   size=len(logo.data), width=logo.width, height=logo.height, created_at=as_of)],
        ignore_conflicts=True,
    )  # fmt: skip
    return BrandLogo.objects.only("sha256").get(pk=logo.sha256)


def branding_update(
    *, data: Mapping[str, Any], as_of: datetime, actor: Actor, reason: str = ""
) -> Branding:
    """Change the fields given: `display_name` (empty: the company's name), `primary_color`,
    `primary_text_color`, `accent_color` (#rrggbb; text on primary at least 4.5:1), `logo` (a
    PNG or JPEG file's bytes; None removes it). Documents already finalized keep the brand they
    froze; the next ones take this one."""
    checked = _checked(data)
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "branding changed"),
    ):
        Branding.objects.bulk_create(
            [Branding(pk=1, updated_at=as_of, **BRAND_DEFAULTS)], ignore_conflicts=True
        )
        brand = Branding.objects.select_for_update().get(pk=1)
        before = brand_snapshot(brand)
        for key in ("display_name", *COLOR_FIELDS):
            if key in checked:
                setattr(brand, key, checked[key])
        check_contrast(brand.primary_color, brand.primary_text_color)
        if "logo" in checked:
            logo = checked["logo"]
            brand.logo = brand_logo_store(data=logo.data, as_of=as_of) if logo else None
        brand.updated_at = as_of
        brand.save()
        after = brand_snapshot(brand)
        changed = sorted(k for k in after if after[k] != before[k])
        journal_write(
            type="branding.updated",
            subject_type="branding",
            subject_id=brand.pk,
            payload={**after, "changed": changed},
            actor=actor,
            occurred_at=as_of,
        )
    return branding_current()
