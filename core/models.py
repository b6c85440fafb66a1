from django.db import models


class IdempotencyKey(models.Model):
    """The first response to a POST made with an `Idempotency-Key`, replayed for the same key.

    `scope` is a hash of the authenticated principal (the API key's id, or a session's user id),
    so two API keys never share a key space and one key's header spellings always do.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="idempotency_key_unique_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path} -> {self.status_code})"
