"""The journal's handler registry. Apps register handlers in their AppConfig.ready():

    from billing.journal import register_handler
    register_handler("payments.charge", on_invoice_finalized, types={"invoice.finalized"})

The dispatcher (billing.services.journal_dispatch, run by Celery after each commit and by beat
as a sweep) hands every event of a matching type to every handler, at least once, in journal
order per subject: while an event of a subject is failing for a handler, that handler gets no
later event of the same subject. A handler's database writes commit together with its delivery
record, so for database-side effects the delivery is exactly once. Handlers that reach outside
(webhooks, gateways) must be idempotent, keyed on the event id.

A batch handler (`batch=True`) receives a list of events instead of one: every event of a
dispatch batch that is due for it (journal order; a subject blocked by an earlier failing event
waits as for any handler), in ONE transaction together with the delivery records of all of them,
so it can work set-based (one query per step, not per event). If the batch raises, its
transaction is rolled back and the same events are delivered again one by one (each a list of
one, in its own transaction), so a failure is pinned to its event, retried with backoff, and
blocks only the later events of its own subject:

    register_handler("payments.collect", on_finalized, types={"invoice.finalized"}, batch=True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from billing.models import JournalEvent

HandlerFunc = Callable[["JournalEvent"], None]
BatchHandlerFunc = Callable[[list["JournalEvent"]], None]


@dataclass(frozen=True)
class Handler:
    name: str
    func: HandlerFunc | BatchHandlerFunc  # a batch handler's takes a list of events
    types: frozenset[str] | None  # None: every event type
    batch: bool = False

    def wants(self, event_type: str) -> bool:
        return self.types is None or event_type in self.types


_handlers: dict[str, Handler] = {}

# The dispatcher's `as_of` while it calls handlers (None outside a dispatch), for handlers that
# record a time without reading the clock themselves (issue 15: the webhook fan-out).
dispatch_as_of: ContextVar[datetime | None] = ContextVar("journal_dispatch_as_of", default=None)

# Keys added to the payload of every event written inside a `payload_marked` block (None outside
# one): the import's replay marks what it writes `imported` (invoicing/services/imports.py), so
# webhooks see it and the customer e-mails of a replay asked silent are not recorded. Cleared
# while the dispatcher runs handlers: what a handler writes is not the replay's.
payload_marks: ContextVar[dict[str, Any] | None] = ContextVar("journal_payload_marks", default=None)


@contextmanager
def payload_marked(**marks: Any) -> Iterator[None]:
    """Every journal event written in the block (this thread, these calls) carries `marks` in
    its payload. Narrow by design: a block of code, never a setting."""
    token = payload_marks.set({**(payload_marks.get() or {}), **marks})
    try:
        yield
    finally:
        payload_marks.reset(token)


def register_handler(
    name: str,
    func: HandlerFunc | BatchHandlerFunc,
    *,
    types: set[str] | None = None,
    batch: bool = False,
) -> None:
    """Register `func` under `name`: called with each event (or, `batch=True`, with a list of
    events) of the given types (None: every type)."""
    existing = _handlers.get(name)
    if existing is not None and existing.func is not func:
        raise ValueError(f"A journal handler named {name!r} is already registered.")
    _handlers[name] = Handler(
        name, func, frozenset(types) if types is not None else None, batch=batch
    )


def unregister_handler(name: str) -> None:
    _handlers.pop(name, None)


def handlers() -> list[Handler]:
    return sorted(_handlers.values(), key=lambda h: h.name)


@contextmanager
def handler_registered(
    name: str,
    func: HandlerFunc | BatchHandlerFunc,
    *,
    types: set[str] | None = None,
    batch: bool = False,
) -> Iterator[None]:
    """Register a handler for the duration of a block (tests, one-off replays)."""
    register_handler(name, func, types=types, batch=batch)
    try:
        yield
    finally:
        unregister_handler(name)


def backoff_seconds(attempts: int) -> int:
    """Seconds before retrying a failed delivery: 10 s, 20 s, 40 s ... capped at one hour."""
    return int(min(3600, 10 * 2 ** max(0, attempts - 1)))
