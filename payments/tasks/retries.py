"""Celery tasks: retries (filled in by its owner)."""

__all__: list[str] = []
