"""Work of higher layers that the billing clock drives: payment retries, the payment
reconciler, credit expiry and automatic top-ups. An app registers a hook in its
AppConfig.ready(); every tick calls each hook with the tick's instant (passed explicitly: tests
move time by calling the tick with `as_of`). A hook finds what is due and enqueues idempotent
tasks (after its own commit); the database's unique keys make a task that runs twice do nothing
the second time. It returns counts for the tick's summary.

    from invoicing.clock_hooks import register_tick_hook
    register_tick_hook("payments.retries", retries_due)

Clock scopes (test clocks): the live tick calls `hook(as_of)`, and a hook finds only live
customers' work then (customers without a test clock). A hook that also takes a keyword
`test_clock` (`def retries_due(as_of, *, test_clock=None)`) is called by a test clock's advance
with that clock's id, and finds only the work of that clock's customers; a hook without it is
not run for test clocks (its work is not a customer's: payouts).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

TickHook = Callable[..., dict[str, int]]  # (as_of) or (as_of, *, test_clock=None)

_hooks: dict[str, TickHook] = {}


def register_tick_hook(name: str, func: TickHook) -> None:
    existing = _hooks.get(name)
    if existing is not None and existing is not func:
        raise ValueError(f"A clock hook named {name!r} is already registered.")
    _hooks[name] = func


def tick_hooks() -> list[tuple[str, TickHook]]:
    return sorted(_hooks.items())


def takes_test_clock(func: TickHook) -> bool:
    """Whether a hook runs for test clocks too (it takes the keyword `test_clock`)."""
    try:
        return "test_clock" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


class TickHooksFailed(Exception):
    """Some hooks raised: the others still ran. `summary` holds what each found (an `error`
    for those that raised); the tick records it, finishes, then fails with this, so the failure
    is seen (the task's error, the worker's log) and the next tick runs every hook again."""

    def __init__(self, summary: dict[str, dict[str, Any]], failures: list[Exception]) -> None:
        super().__init__(f"clock hooks failed: {', '.join(sorted(summary))}")
        self.summary = summary
        self.failures = failures


def run_tick_hooks(as_of: datetime, *, test_clock: int | None = None) -> dict[str, dict[str, Any]]:
    """Call every hook for `as_of`; what each found, by hook name. A hook that raises does not
    stop the others: TickHooksFailed is raised once all have run. With `test_clock`, only the
    hooks that take it, for that clock's customers (see the module's note)."""
    summary: dict[str, dict[str, Any]] = {}
    failures: list[Exception] = []
    for name, func in tick_hooks():
        if test_clock is not None and not takes_test_clock(func):
            continue
        try:
            found = func(as_of) if test_clock is None else func(as_of, test_clock=test_clock)
            summary[name] = dict(found)
        except SoftTimeLimitExceeded:
            raise  # the tick's time is up: no further hook runs; the next tick runs them all
        except Exception as exc:  # kept, recorded, raised again below (TickHooksFailed)
            summary[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            failures.append(exc)
    if failures:
        raise TickHooksFailed(summary, failures)
    return summary
