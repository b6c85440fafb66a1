"""Admin: the e-mails sent to customers. Read-only (they are recorded by the journal handler and
the clock); "Send the selected e-mails again" calls `notification_resend` (a new notification,
recorded with who asked). The customer page gets an "E-mails" section with the latest ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from billing.models import Customer
from billing.selectors import customer_id_as_of
from catalog.admin_display import instant
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of
from core.exceptions import ApplicationError
from invoicing.admin_customer import CustomerSection, customer_section_register
from notifications import emails, selectors
from notifications.models import Notification
from notifications.services import notification_resend

EMAILS_SHOWN = 20


@admin.register(Notification)
class NotificationAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "id", "customer", "template", "state", "recipient", "subject", "attempts", "created_at",
        "sent_at",
    )  # fmt: skip
    list_filter = ("template", "state")
    search_fields = (
        "customer__external_id", "customer__name", "recipient", "subject", "message_id",
    )  # fmt: skip
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    actions = ("resend_selected",)
    fields = (
        "customer", "template", "state", "recipient", "subject", "locale", "event", "key",
        "resend_of", "requested_by", "attempts", "last_error", "next_attempt_at",
        "claimed_until", "sent_at", "message_id", "created_at", "updated_at", "data", "preview",
    )  # fmt: skip
    readonly_fields = fields

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # the customer page's link to all of its e-mails
        return lookup == "customer__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("notifications.add_notification"))

    @admin.display(description="the e-mail (as it reads now, without attachments)")
    def preview(self, obj: Notification) -> str:
        try:
            rendered = emails.render(obj, as_of=None)
        except (ApplicationError, ObjectDoesNotExist, LookupError, ValueError) as exc:
            return f"(cannot be shown: {exc})"
        return format_html(
            '<div id="notification-preview"><p><strong>{}</strong></p>'
            '<pre style="white-space: pre-wrap">{}</pre></div>',
            rendered.subject,
            rendered.text,
        )

    @admin.action(description="Send the selected e-mails again", permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        self.each(
            request,
            queryset,
            lambda n: notification_resend(
                notification_id=n.pk,
                actor=actor_of(request),
                as_of=customer_id_as_of(n.customer_id, timezone.now()),
            ),
            "e-mail(s) queued to be sent again.",
        )


def customer_emails(customer: Customer, as_of: datetime) -> dict[str, Any]:
    """The customer's latest e-mails for its admin page (one query)."""
    zone = customer.timezone or "UTC"
    return {
        "all_url": reverse("admin:notifications_notification_changelist")
        + f"?customer__id__exact={customer.pk}",
        "emails": [
            {
                "url": reverse("admin:notifications_notification_change", args=[n.pk]),
                "template": n.get_template_display(),
                "state": n.state,
                "recipient": n.recipient,
                "subject": n.subject,
                "when": instant(n.sent_at or n.created_at, zone),
                "error": n.last_error,
            }
            for n in selectors.customer_notifications(customer, limit=EMAILS_SHOWN)
        ],
    }


customer_section_register(
    CustomerSection(
        key="notifications.emails",
        template="admin/notifications/customer_emails.html",
        read=customer_emails,
        order=60,
    )
)
