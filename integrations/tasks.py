"""Celery tasks of the integrations app (autodiscovered here): each part keeps its own module."""

from integrations.testclock_tasks import *  # noqa: F403
from integrations.webhook_tasks import *  # noqa: F403
