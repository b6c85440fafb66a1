"""Signing secrets: signatures byte-identical to the standardwebhooks library's, the
encryption at rest (Fernet, key derived from SECRET_KEY) round-trips, refuses a tampered or
foreign ciphertext or an unknown format, and reads with a SECRET_KEY fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook

from integrations import webhook_crypto


@settings(max_examples=200, deadline=None)
@given(
    msg_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=30),
    timestamp=st.integers(min_value=0, max_value=2**33),
    body=st.text(max_size=300),
)
def test_signatures_are_the_librarys(msg_id: str, timestamp: int, body: str) -> None:
    secret = webhook_crypto.new_secret()
    ours = webhook_crypto.sign(
        webhook_crypto.secret_bytes(secret), msg_id, timestamp, body.encode()
    )
    theirs = Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, tz=UTC), body)
    assert ours == theirs


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_encryption_round_trips(plaintext: str) -> None:
    stored = webhook_crypto.encrypt(plaintext)
    assert stored.startswith("fernet:gAAAAA")  # a Fernet token (version byte 0x80)
    secret = webhook_crypto.new_secret()
    assert secret not in webhook_crypto.encrypt(secret)
    assert webhook_crypto.decrypt(stored) == plaintext
    assert webhook_crypto.encrypt(plaintext) != stored  # a fresh nonce each time


def test_tampered_or_foreign_ciphertexts_are_refused(settings: Any) -> None:
    stored = webhook_crypto.encrypt("whsec_abc")
    flipped = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with pytest.raises(webhook_crypto.SecretUnreadable):
        webhook_crypto.decrypt(flipped)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" + "x" * 50
    with pytest.raises(webhook_crypto.SecretUnreadable):
        webhook_crypto.decrypt(stored)
    settings.SECRET_KEY_FALLBACKS = [old_key]  # SECRET_KEY rotated: still readable
    assert webhook_crypto.decrypt(stored) == "whsec_abc"


def test_an_unknown_format_is_refused() -> None:
    # the pre-release HMAC construction's `v1:` (never released: no rows to migrate)
    for stored in ("v1:AAAA", "whsec_abc", "", "fernet:not-a-token"):
        with pytest.raises(webhook_crypto.SecretUnreadable):
            webhook_crypto.decrypt(stored)
