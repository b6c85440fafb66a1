"""Template filters of the invoicing admin pages: `{{ amount|money:currency }}` and
`{{ instant|when:zone }}` (see invoicing.admin_display)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template

from invoicing import admin_display

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    return admin_display.money(amount, currency)


@register.filter
def when(value: datetime | None, zone: str = "UTC") -> str:
    return admin_display.instant(value, zone or "UTC")
