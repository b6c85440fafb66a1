from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.audit import Actor


def full_access() -> list[str]:
    return ["full"]


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["last_used_at", "secret_hash"]
)
class ApiKey(models.Model):
    """A secret for the REST API. Only its SHA-256 is stored; the key is shown once at creation."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # what the key may do (core/api/scopes.py): "full", "read", or per resource "<resource>:read"
    # / "<resource>:write" (e.g. "events:write" for a metering pipeline)
    scopes = ArrayField(models.CharField(max_length=64), default=full_access)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Refused from then on.")
    # client addresses or CIDR networks the key is accepted from; empty: anywhere
    allowed_ips = ArrayField(models.CharField(max_length=49), default=list, blank=True)

    class Meta:
        verbose_name = "API key"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    # DRF's IsAuthenticated asks the principal this.
    is_authenticated = True

    def audit_actor(self) -> Actor:
        return Actor(kind="api_key", id=str(self.pk), label=f"api_key:{self.name} ({self.prefix})")
