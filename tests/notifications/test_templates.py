"""Every e-mail template exists in its three parts, and English and German translate every
message the e-mail templates use (the catalogs in locale/, compiled and committed); the
retries' backoff."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation.template import templatize
from hypothesis import given
from hypothesis import strategies as st

from notifications.models import Template
from notifications.services.send import backoff_seconds

ROOT = Path(__file__).resolve().parents[2]
EMAILS = ROOT / "templates" / "emails"


def _used_msgids() -> set[str]:
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found = set()
    for template in sorted(EMAILS.rglob("*.*")):
        source = io.BytesIO(templatize(template.read_text()).encode())
        for _lineno, message, _comments, _context in extract("python", source, keywords):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str) -> dict[str, Any]:
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        return {
            (m.id[0] if isinstance(m.id, tuple) else m.id): m
            for m in read_po(f, locale=language)
            if m.id
        }


def test_every_template_has_a_subject_and_two_bodies() -> None:
    for template in Template:
        for part in ("subject.txt", "body.txt", "body.html"):
            assert (EMAILS / template.value / part).is_file(), (template, part)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_email_message_is_translated(language: str) -> None:
    used = _used_msgids()
    assert len(used) > 30
    catalog = _catalog(language)
    assert used <= set(catalog), used - set(catalog)
    with translation.override(language):
        for key in used:
            message = catalog[key]
            if isinstance(message.id, tuple):
                assert translation.ngettext(key, message.id[1], 5) == message.string[1]
            else:
                assert translation.gettext(key) == message.string, key
            if language == "de":
                assert message.string != message.id, key  # really German


@given(st.integers(min_value=1, max_value=40))
def test_backoff_doubles_from_a_minute_up_to_an_hour(attempts: int) -> None:
    wait = backoff_seconds(attempts)
    assert wait == min(3600, 60 * 2 ** (attempts - 1))
    assert 60 <= wait <= 3600
    assert backoff_seconds(attempts + 1) >= wait
