"""Celery tasks: wallets (filled in by its owner)."""

__all__: list[str] = []
