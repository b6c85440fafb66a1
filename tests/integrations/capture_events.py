"""A pytest plugin that collects real journal events while tests run, for the catalogue's example
payloads (integrations/event_examples.json):

    EVENT_EXAMPLES_OUT=integrations/event_examples.json .venv/bin/pytest -p no:cacheprovider -n 0 \\
        -p tests.integrations.capture_events tests/integrations/test_event_types.py [more tests]

After each test (before its database is rolled back or flushed) it reads the journal; at the end it
writes, per event type, its subject type, the key sets seen and one example payload (of the most
frequent key set, the first seen). An existing file is merged: types not seen this time stay.
Tests whose module writes made-up journal events itself (journal_write, a `journal(` helper) are
left out."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_seen: dict[str, dict[str, Any]] = {}
# tests that write made-up journal events (to test a handler): their journal is not a real one
_FABRICATES = re.compile(r"\bjournal\(|journal_write")
_fabricates: dict[str, bool] = {}


_HELPERS = re.compile(r"^from (tests(?:\.\w+)+) import", re.MULTILINE)
ROOT = Path(__file__).resolve().parents[2]
_NOT_WRITERS = {"event_scan.py", "capture_events.py"}  # they name journal_write, never call it


def _real_journal(item: pytest.Item) -> bool:
    """False for a test whose module, or a tests.* module it imports from, writes events."""
    path = str(getattr(item, "path", ""))
    if path not in _fabricates:
        sources = [Path(path).read_text()] if path else []
        for module in _HELPERS.findall(sources[0] if sources else ""):
            helper = ROOT / (module.replace(".", "/") + ".py")
            if helper.exists() and helper.name not in _NOT_WRITERS:
                sources.append(helper.read_text())
        _fabricates[path] = any(_FABRICATES.search(source) for source in sources)
    return not _fabricates[path]


def _keys(payload: Any) -> str:
    return ",".join(sorted(payload)) if isinstance(payload, dict) else ""


def _collect() -> None:
    from billing.models import JournalEvent

    for event in JournalEvent.objects.order_by("pk").iterator():
        entry = _seen.setdefault(
            event.type,
            {"subject_type": event.subject_type, "counts": Counter(), "examples": {}},
        )
        keys = _keys(event.payload)
        if isinstance(event.payload, dict) and "imported" in event.payload:
            # written by an import's replay (its mark): an optional key, never the example
            entry.setdefault("marked", set()).add(keys)
            continue
        entry["counts"][keys] += 1
        entry["examples"].setdefault(keys, event.payload)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    if (
        os.environ.get("EVENT_EXAMPLES_OUT")
        and "django_db_blocker" in getattr(item, "fixturenames", ())
        and _real_journal(item)
    ):
        blocker = item._request.getfixturevalue("django_db_blocker")  # type: ignore[attr-defined]
        try:
            with blocker.unblock():
                _collect()
        except Exception as exc:  # a test without a database, or one already torn down
            print(f"capture_events: {item.nodeid}: {exc}")
    yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("EVENT_EXAMPLES_OUT")
    if not out or not _seen:
        return
    path = Path(out)
    merged: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for type_, entry in sorted(_seen.items()):
        counts: Counter[str] = entry["counts"]
        old = merged.get(type_, {})
        variants = sorted(set(old.get("key_sets", [])) | set(counts) | entry.get("marked", set()))
        if counts and not old.get("keep"):
            example = entry["examples"][counts.most_common(1)[0][0]]
        else:  # kept by hand, or only seen in an import's replay: the example stays
            example = old.get("example")
        merged[type_] = {
            "subject_type": entry["subject_type"],
            "key_sets": variants,
            "example": example,
            **({"keep": True} if old.get("keep") else {}),
        }
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=1, sort_keys=True) + "\n")
    print(f"capture_events: {len(_seen)} types seen, {len(merged)} in {path}")
