"""The portal in English and German, complete: every message the portal's templates and code
use has a German translation in the portal's catalogs (each part's, found by globbing, or the
merged one), and the compiled .mo files say what the .po files say."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from babel.messages.extract import extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}


def used_msgids() -> set[str]:
    """Every message of templates/portal/*.html (through Django's own templatize) and of
    portal/**/*.py."""
    sources = [
        io.BytesIO(templatize(t.read_text()).encode())
        for t in sorted((ROOT / "templates" / "portal").glob("*.html"))
    ]
    sources += [
        io.BytesIO(p.read_bytes())
        for p in sorted((ROOT / "portal").rglob("*.py"))
        if "migrations" not in p.parts
    ]
    found = set()
    for source in sources:
        for _lineno, message, _comments, _context in extract("python", source, KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def german_catalogs() -> list[Path]:
    return sorted((ROOT / "portal").glob("locale/de/LC_MESSAGES/django.po"))


def german() -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for path in german_catalogs():
        with path.open("rb") as f:
            for m in read_po(f, locale="de"):
                if m.id:
                    messages[m.id[0] if isinstance(m.id, tuple) else m.id] = m
    return messages


def test_every_portal_message_is_translated_to_german() -> None:
    used = used_msgids()
    assert len(used) > 100  # the pages' own alone are more
    messages = german()
    missing = sorted(used - set(messages))
    assert not missing, missing
    for key in used:
        message = messages[key]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), key
        assert not message.fuzzy, key


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_compiled_catalogs_say_what_the_po_files_say() -> None:
    for path in german_catalogs():
        with path.open("rb") as f:
            po = {_key(m.id): _key(m.string) for m in read_po(f, locale="de") if m.id}
        mo_path = path.with_suffix(".mo")
        assert mo_path.exists(), mo_path
        with mo_path.open("rb") as f:
            mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
        assert mo == po, path
