"""Signing secrets: made, signed with, and kept encrypted at rest.

A secret is Standard Webhooks' `whsec_<base64 of 24 random bytes>`. In the database it is
encrypted with a key derived from SECRET_KEY (so a dump of the database alone does not give the
secrets away). The project has no AEAD library (no `cryptography`), so the construction is built
from the standard library's HMAC-SHA256 only, as encrypt-then-MAC:

- two keys derived from SECRET_KEY with HMAC-SHA256 and distinct labels (encryption, MAC);
- a random 16-byte nonce; the keystream is HMAC(k_enc, nonce || counter) blocks (HMAC as a PRF
  in counter mode), XORed with the plaintext;
- a tag HMAC(k_mac, "v1" || nonce || ciphertext), checked in constant time before decrypting.

Stored as `v1:<base64(nonce || ciphertext || tag)>`. SECRET_KEY_FALLBACKS decrypt too, so
rotating SECRET_KEY keeps the secrets readable until they are rotated themselves.

Signatures are byte-identical to `standardwebhooks.Webhook(secret).sign` (the tests verify them
with the library): "v1," + base64(HMAC-SHA256(secret bytes, f"{id}.{timestamp}.{body}")).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

PREFIX = "whsec_"
_VERSION = b"v1"
_NONCE = 16
_TAG = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_bytes(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret (as standardwebhooks decodes it)."""
    raw = secret.removeprefix(PREFIX)
    return base64.b64decode(raw + "==")


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def _keys(secret_key: str) -> tuple[bytes, bytes]:
    root = secret_key.encode()
    enc = hmac.new(root, b"integrations.webhook-secret.enc", hashlib.sha256).digest()
    mac = hmac.new(root, b"integrations.webhook-secret.mac", hashlib.sha256).digest()
    return enc, mac


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def encrypt(plaintext: str) -> str:
    enc, mac = _keys(settings.SECRET_KEY)
    data = plaintext.encode()
    nonce = secrets.token_bytes(_NONCE)
    body = bytes(a ^ b for a, b in zip(data, _keystream(enc, nonce, len(data)), strict=True))
    tag = hmac.new(mac, _VERSION + nonce + body, hashlib.sha256).digest()
    return "v1:" + base64.b64encode(nonce + body + tag).decode()


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key that is neither SECRET_KEY nor a fallback."""


def decrypt(stored: str) -> str:
    if not stored.startswith("v1:"):
        raise SecretUnreadable("unknown format")
    blob = base64.b64decode(stored[3:])
    nonce, body, tag = blob[:_NONCE], blob[_NONCE:-_TAG], blob[-_TAG:]
    for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        enc, mac = _keys(secret_key)
        expected = hmac.new(mac, _VERSION + nonce + body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, tag):
            stream = _keystream(enc, nonce, len(body))
            return bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode()
    raise SecretUnreadable("the secret was encrypted with another SECRET_KEY")
