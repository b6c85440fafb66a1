from celery import shared_task
from django.utils import timezone

from core.idempotency import idempotency_keys_purge


@shared_task(name="core.idempotency_keys_purge")
def idempotency_keys_purge_task() -> int:
    return idempotency_keys_purge(as_of=timezone.now())
