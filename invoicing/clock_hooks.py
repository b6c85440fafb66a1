"""Work of higher layers that the billing clock drives: payment retries, the payment
reconciler, credit expiry and automatic top-ups. An app registers a hook in its
AppConfig.ready(); every tick calls each hook with the tick's instant (passed explicitly: tests
move time by calling the tick with `as_of`). A hook finds what is due and enqueues idempotent
tasks (after its own commit); the database's unique keys make a task that runs twice do nothing
the second time. It returns counts for the tick's summary.

    from invoicing.clock_hooks import register_tick_hook
    register_tick_hook("payments.retries", retries_due)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

TickHook = Callable[[datetime], dict[str, int]]

_hooks: dict[str, TickHook] = {}


def register_tick_hook(name: str, func: TickHook) -> None:
    existing = _hooks.get(name)
    if existing is not None and existing is not func:
        raise ValueError(f"A clock hook named {name!r} is already registered.")
    _hooks[name] = func


def tick_hooks() -> list[tuple[str, TickHook]]:
    return sorted(_hooks.items())


class TickHooksFailed(Exception):
    """Some hooks raised: the others still ran. `summary` holds what each found (an `error`
    for those that raised); the tick records it, finishes, then fails with this, so the failure
    is seen (the task's error, the worker's log) and the next tick runs every hook again."""

    def __init__(self, summary: dict[str, dict[str, Any]], failures: list[Exception]) -> None:
        super().__init__(f"clock hooks failed: {', '.join(sorted(summary))}")
        self.summary = summary
        self.failures = failures


def run_tick_hooks(as_of: datetime) -> dict[str, dict[str, Any]]:
    """Call every hook for `as_of`; what each found, by hook name. A hook that raises does not
    stop the others: TickHooksFailed is raised once all have run."""
    summary: dict[str, dict[str, Any]] = {}
    failures: list[Exception] = []
    for name, func in tick_hooks():
        try:
            summary[name] = dict(func(as_of))
        except SoftTimeLimitExceeded:
            raise  # the tick's time is up: no further hook runs; the next tick runs them all
        except Exception as exc:  # kept, recorded, raised again below (TickHooksFailed)
            summary[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            failures.append(exc)
    if failures:
        raise TickHooksFailed(summary, failures)
    return summary
