"""System checks of the notifications, for `manage.py check --deploy` (production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register("notifications", deploy=True)
def email_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E001: EMAIL_URL unset (the customer e-mails would go to an SMTP server on localhost, or
    nowhere); E002: a claim shorter than a send task may run (a slow send would be sent twice)."""
    found: list[CheckMessage] = []
    if not settings.EMAIL_URL:
        found.append(
            Error(
                "EMAIL_URL is not set: customer e-mails have no SMTP server to go to.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587.",
                id="notifications.E001",
            )
        )
    if settings.NOTIFICATIONS_CLAIM_SECONDS <= settings.CELERY_TASK_TIME_LIMIT:
        found.append(
            Error(
                f"NOTIFICATIONS_CLAIM_SECONDS ({settings.NOTIFICATIONS_CLAIM_SECONDS}) is not "
                f"longer than CELERY_TASK_TIME_LIMIT ({settings.CELERY_TASK_TIME_LIMIT}): a "
                "slow send could be taken over by another worker and sent twice.",
                hint="Leave it unset (CELERY_TASK_TIME_LIMIT + 300) or make it longer.",
                id="notifications.E002",
            )
        )
    return found
