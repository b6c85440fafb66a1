from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from core.audit import Actor


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
