"""Reads of the notifications: lists for the API and the admin, a customer's latest e-mails."""

from __future__ import annotations

from django.db.models import QuerySet

from billing.models import Customer
from notifications.models import Notification


def notification_list() -> QuerySet[Notification]:
    """Every notification, newest first, with its customer (one query a page)."""
    return Notification.objects.select_related("customer").order_by("-created_at", "-id")


def customer_notifications(customer: Customer, *, limit: int = 20) -> list[Notification]:
    """The customer's latest e-mails (one query)."""
    return list(notification_list().filter(customer=customer)[:limit])
