"""API keys: only the SHA-256 of a key is stored; the key is shown once.

A key holds scopes (core/api/scopes.py), an optional expiry (refused from then on: 401) and an
optional allow-list of client addresses and networks (refused from elsewhere: 403); the client's
address is core/request_ips.py's (behind TRUSTED_PROXY_COUNT proxies)."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from billing.models import ApiKey
from billing.services.journal import journal_write
from core.api.scopes import scope_model_permissions, scopes_grant, scopes_validate
from core.audit import Actor, audit_context
from core.exceptions import ApplicationError, Conflict, NotFound, ValidationFailed

API_KEY_PATTERN = re.compile(r"^bk_([0-9a-f]{12})_([A-Za-z0-9_-]{32,128})$")
# the demo data set's key, printed in the README: it authenticates only when DEBUG is on
DEMO_API_KEY = "bk_000000000000_demo-key-for-local-use-only-never-in-production"
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


MAX_ALLOWED_IPS = 100
UPDATABLE_FIELDS = ("name", "scopes", "expires_at", "allowed_ips")


class ApiKeyExpired(ApplicationError):
    """A key used at or after its expiry (HTTP 401)."""

    status_code = 401
    code = "api_key_expired"


class IpNotAllowed(ApplicationError):
    """A key used from an address outside its allow-list (HTTP 403)."""

    status_code = 403
    code = "ip_not_allowed"


class GrantRefused(ApplicationError):
    """A key created or changed beyond what who asks may grant (HTTP 403 `cannot_grant`, naming
    the field): see `api_key_grant_check`."""

    status_code = 403
    code = "cannot_grant"


class Grantor(Protocol):
    """A staff user (Django's PermissionsMixin)."""

    is_superuser: bool

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("An API key needs a name.", field="name", code="required")
    text: str = name.strip()
    if len(text) > 100:
        raise ValidationFailed("At most 100 characters.", field="name", code="max_length")
    return text


def _expiry(expires_at: Any, as_of: datetime) -> datetime | None:
    if expires_at is None:
        return None
    if not isinstance(expires_at, datetime) or expires_at.tzinfo is None:
        raise ValidationFailed("A date and time with its time zone.", field="expires_at")
    if expires_at <= as_of:
        raise ValidationFailed(
            f"The expiry must be in the future (it is now {as_of.isoformat()}).",
            field="expires_at",
            code="in_the_past",
        )
    return expires_at


def allowed_ips_validate(values: Any) -> list[str]:
    """Addresses and CIDR networks (IPv4 or IPv6) in their canonical form, each once, in the
    order given; a 400 naming the first that is neither, or a network with host bits set
    (`10.0.0.5/24`: did you mean `10.0.0.0/24`?)."""
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationFailed("A list of IP addresses or CIDR networks.", field="allowed_ips")
    if len(values) > MAX_ALLOWED_IPS:
        raise ValidationFailed(
            f"At most {MAX_ALLOWED_IPS} addresses or networks.", field="allowed_ips"
        )
    found: list[str] = []
    for index, raw in enumerate(values):
        where = f"allowed_ips[{index}]"
        text = raw.strip()
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise ValidationFailed(
                    f"{raw!r} is neither an IP address nor a CIDR network (`203.0.113.7`, "
                    "`10.0.0.0/8`, `2001:db8::/32`).",
                    field=where,
                    code="invalid_ip",
                ) from None
            raise ValidationFailed(
                f"{raw!r} has host bits set: did you mean {str(loose)!r}?",
                field=where,
                code="invalid_ip",
            ) from None
        canonical = str(network) if "/" in text else str(network.network_address)
        if canonical not in found:
            found.append(canonical)
    return found


def ip_allowed(ip: str | None, allowed: Sequence[str]) -> bool:
    """Whether `ip` is in one of the `allowed` addresses or networks (an empty list: anywhere)."""
    if not allowed:
        return True
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:203.0.113.7 is 203.0.113.7
    for entry in allowed:
        network = ipaddress.ip_network(entry, strict=False)
        if address.version == network.version and address in network:
            return True
    return False


def _network_within(entry: str, allowed: Sequence[str]) -> bool:
    network = ipaddress.ip_network(entry, strict=False)
    for parent in allowed:
        outer = ipaddress.ip_network(parent, strict=False)
        if network.version == outer.version and network.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


def api_key_grant_check(
    *,
    granted_by: ApiKey | Grantor | None,
    scopes: Sequence[str],
    expires_at: datetime | None,
    allowed_ips: Sequence[str],
    bounds: ApiKey | None = None,
) -> None:
    """Whether `granted_by` may give a key these scopes, expiry and allow-list; GrantRefused
    (403 `cannot_grant`, naming the field) if not. None: a trusted caller (a management command,
    the demo data), not checked.

    - An API key gives no more than it has: only scopes it holds, an expiry no later than its
      own (so none, if it has one), an allow-list within its own networks (so not empty, if it
      has one). `bounds`: the granting key's row as it is now, when it is the key being changed
      (a key cannot widen itself).
    - A staff user: `full` only if a superuser; any other scope only with the model permissions
      of what it lets a key do (core.api.scopes.scope_model_permissions); a superuser anything.
    """
    if granted_by is None:
        return
    if isinstance(granted_by, ApiKey):
        key = bounds or granted_by
        for index, scope in enumerate(scopes):
            if not scopes_grant(key.scopes, scope):
                raise GrantRefused(
                    f"API key {key.prefix} cannot grant `{scope}`: it does not hold it.",
                    field=f"scopes[{index}]",
                )
        if key.expires_at is not None and (expires_at is None or expires_at > key.expires_at):
            raise GrantRefused(
                f"API key {key.prefix} expires on {key.expires_at.isoformat()}: a key it creates "
                "or changes must expire by then too.",
                field="expires_at",
            )
        if key.allowed_ips:
            own = ", ".join(key.allowed_ips)
            if not allowed_ips:
                raise GrantRefused(
                    f"API key {key.prefix} is accepted only from {own}: a key it creates or "
                    "changes must be limited to (parts of) these networks too.",
                    field="allowed_ips",
                )
            for index, entry in enumerate(allowed_ips):
                if not _network_within(entry, key.allowed_ips):
                    raise GrantRefused(
                        f"{entry} is not within the networks API key {key.prefix} is accepted "
                        f"from ({own}).",
                        field=f"allowed_ips[{index}]",
                    )
        return
    if granted_by.is_superuser:
        return
    for index, scope in enumerate(scopes):
        needed = scope_model_permissions(scope)
        if needed is None:
            raise GrantRefused(
                f"Only superusers grant `{scope}`: give the key the scopes it needs instead.",
                field=f"scopes[{index}]",
            )
        lacking = [perm for perm in needed if not granted_by.has_perm(perm)]
        if lacking:
            shown = ", ".join(lacking[:4]) + (
                f" and {len(lacking) - 4} more" if lacking[4:] else ""
            )
            raise GrantRefused(
                f"Granting `{scope}` needs the permissions it gives a key; you lack {shown}.",
                field=f"scopes[{index}]",
            )


def api_key_snapshot(key: ApiKey) -> dict[str, Any]:
    """What a key's journal events say of it (never its secret nor its hash)."""
    return {
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "allowed_ips": list(key.allowed_ips),
    }


def api_key_create(
    *,
    name: str,
    actor: Actor,
    as_of: datetime,
    scopes: Sequence[str] = ("full",),
    expires_at: datetime | None = None,
    allowed_ips: Sequence[str] = (),
    created_by_id: int | None = None,
    raw_key: str | None = None,
    granted_by: ApiKey | Grantor | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored nor shown again.

    `scopes` (core/api/scopes.py) default to `full` (for commands; the API and the admin ask
    for them); `expires_at` must be in the future; `allowed_ips`: addresses or CIDR networks
    (empty: anywhere). `granted_by`: the API key or staff user asking, whose grants bound the
    new key (`api_key_grant_check`). `raw_key` lets the demo data set use a documented key; real
    keys are random."""
    name = _name(name)
    checked_scopes = scopes_validate(list(scopes))
    expiry = _expiry(expires_at, as_of)
    ips = allowed_ips_validate(list(allowed_ips))
    api_key_grant_check(
        granted_by=granted_by, scopes=checked_scopes, expires_at=expiry, allowed_ips=ips
    )
    if raw_key is None:
        raw_key = f"bk_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    match = API_KEY_PATTERN.match(raw_key)
    if match is None:
        raise ValidationFailed("Malformed API key.", field="raw_key")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="API key created"):
        key = ApiKey.objects.create(
            name=name,
            prefix=match.group(1),
            secret_hash=_hash_key(raw_key),
            created_at=as_of,
            created_by_id=created_by_id,
            scopes=checked_scopes,
            expires_at=expiry,
            allowed_ips=ips,
        )
        journal_write(
            type="api_key.created",
            subject_type="api_key",
            subject_id=key.pk,
            payload=api_key_snapshot(key),
            actor=actor,
            occurred_at=as_of,
        )
    return key, raw_key


def api_key_update(
    *,
    api_key_id: int,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any],
    reason: str = "",
    granted_by: ApiKey | Grantor | None = None,
) -> ApiKey:
    """Change a key's name, scopes, expiry (None: never) or allow-list (empty: anywhere); only
    the fields given. A revoked key cannot change. A change of its scopes, expiry or allow-list
    is a grant: the key as changed must be within what `granted_by` may grant
    (`api_key_grant_check`; a key changing itself is bounded by itself as it was). Writes
    `api_key.updated` with the changes (`{field: [before, after]}`); nothing changed, nothing
    written."""
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            f"An API key's {unknown[0]} cannot change (only {', '.join(UPDATABLE_FIELDS)}).",
            field=unknown[0],
            code="unknown_field",
        )
    new: dict[str, Any] = {}
    if "name" in changes:
        new["name"] = _name(changes["name"])
    if "scopes" in changes:
        new["scopes"] = scopes_validate(changes["scopes"])
    if "allowed_ips" in changes:
        new["allowed_ips"] = allowed_ips_validate(changes["allowed_ips"])
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "API key updated"),
    ):
        try:
            key = ApiKey.objects.select_for_update().get(pk=api_key_id)
        except ApiKey.DoesNotExist:
            raise NotFound(f"No API key with id {api_key_id}.") from None
        if key.revoked_at is not None:
            raise Conflict(f"API key {key} is revoked: it can no longer change.", code="revoked")
        if "expires_at" in changes and changes["expires_at"] != key.expires_at:
            new["expires_at"] = _expiry(changes["expires_at"], as_of)
        before = api_key_snapshot(key)
        expires_before = key.expires_at
        for field, value in new.items():
            setattr(key, field, value)
        after = api_key_snapshot(key)
        diff = {f: [before[f], after[f]] for f in UPDATABLE_FIELDS if before[f] != after[f]}
        if not diff:
            return key
        if set(diff) & {"scopes", "expires_at", "allowed_ips"}:
            bounds = None
            if isinstance(granted_by, ApiKey) and granted_by.pk == key.pk:
                bounds = ApiKey(  # the key as it was: it cannot widen itself
                    prefix=key.prefix, scopes=before["scopes"], allowed_ips=before["allowed_ips"],
                    expires_at=expires_before,
                )  # fmt: skip
            api_key_grant_check(
                granted_by=granted_by, scopes=key.scopes, expires_at=key.expires_at,
                allowed_ips=key.allowed_ips, bounds=bounds,
            )  # fmt: skip
        key.save(update_fields=sorted(diff))
        journal_write(
            type="api_key.updated",
            subject_type="api_key",
            subject_id=key.pk,
            payload={**after, "changes": diff},
            actor=actor,
            occurred_at=as_of,
        )
    return key


def api_key_revoke(*, api_key_id: int, actor: Actor, as_of: datetime, reason: str = "") -> ApiKey:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason or "revoked"):
        try:
            key = ApiKey.objects.select_for_update().get(pk=api_key_id)
        except ApiKey.DoesNotExist:
            raise NotFound(f"No API key with id {api_key_id}.") from None
        if key.revoked_at is not None:
            raise Conflict(f"API key {key} is already revoked.")
        key.revoked_at = as_of
        key.save(update_fields=["revoked_at"])
        journal_write(
            type="api_key.revoked",
            subject_type="api_key",
            subject_id=key.pk,
            payload={"name": key.name, "prefix": key.prefix, "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return key


def api_key_authenticate(
    *, raw_key: str, as_of: datetime, client_ip: str | None = None
) -> ApiKey | None:
    """The active key matching `raw_key`, or None. A key past its expiry raises ApiKeyExpired
    (401), a key used from an address outside its allow-list IpNotAllowed (403; `client_ip`
    None: the address is unknown, refused by a key with an allow-list). Records the last use of
    an accepted key (to the minute). The published demo key is refused unless DEBUG is on."""
    match = API_KEY_PATTERN.match(raw_key)
    if match is None:
        return None
    if not settings.DEBUG and secrets.compare_digest(raw_key, DEMO_API_KEY):
        return None
    key = ApiKey.objects.filter(prefix=match.group(1), revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.secret_hash, _hash_key(raw_key)):
        return None
    if key.expires_at is not None and key.expires_at <= as_of:
        raise ApiKeyExpired(f"API key {key.prefix} expired on {key.expires_at.isoformat()}.")
    if not ip_allowed(client_ip, key.allowed_ips):
        raise IpNotAllowed(
            f"API key {key.prefix} is not accepted from {client_ip or 'an unknown address'}: "
            "not in its IP allow-list.",
            field=None,
        )
    if key.last_used_at is None or as_of - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(
            last_used_at=as_of
        )  # not audited: usage, not change
        key.last_used_at = as_of
    return key
