"""Celery tasks of webhook delivery."""

__all__: list[str] = []
