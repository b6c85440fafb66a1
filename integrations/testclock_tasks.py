"""Celery tasks of test clocks."""

__all__: list[str] = []
