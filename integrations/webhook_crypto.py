"""Signing secrets: made, signed with, and kept encrypted at rest.

A secret is Standard Webhooks' `whsec_<base64 of 24 random bytes>`. In the database it is
encrypted (so a dump of the database alone does not give the secrets away) with Fernet from the
`cryptography` library (AES-128-CBC with a random IV, then HMAC-SHA256 over the whole token,
checked before decrypting). Fernet's 32-byte key is derived from SECRET_KEY with HKDF-SHA256 and
a label of its own, so the key is never SECRET_KEY itself nor shared with Django's other uses of
it. Stored as `fernet:<Fernet token>`.

SECRET_KEY_FALLBACKS decrypt too (a MultiFernet: SECRET_KEY first), so rotating SECRET_KEY keeps
the secrets readable until they are rotated themselves. A secret encrypted with a key that is
neither (or altered) is `SecretUnreadable`.

Signatures are byte-identical to `standardwebhooks.Webhook(secret).sign` (the tests verify them
with the library): "v1," + base64(HMAC-SHA256(secret bytes, f"{id}.{timestamp}.{body}")).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "whsec_"
_STORED_PREFIX = "fernet:"
_KDF_INFO = b"billing-platform integrations.webhook-secret v2"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_bytes(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret (as standardwebhooks decodes it)."""
    raw = secret.removeprefix(PREFIX)
    return base64.b64decode(raw + "==")


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


@lru_cache(maxsize=16)
def _fernet(secret_key: str) -> Fernet:
    """The Fernet of one SECRET_KEY (HKDF-SHA256, no salt: the input is already a random key)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(k) for k in keys])


def encrypt(plaintext: str) -> str:
    return _STORED_PREFIX + _fernet(settings.SECRET_KEY).encrypt(plaintext.encode()).decode()


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key that is neither SECRET_KEY nor a fallback,
    or was altered."""


def decrypt(stored: str) -> str:
    if not stored.startswith(_STORED_PREFIX):
        raise SecretUnreadable("unknown format")
    try:
        return _keys().decrypt(stored.removeprefix(_STORED_PREFIX).encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "the secret was encrypted with another SECRET_KEY, or altered"
        ) from None
