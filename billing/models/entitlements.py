from __future__ import annotations

import pghistory
from django.db import models

from billing.models.customers import Customer
from catalog.models import Feature


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class EntitlementOverride(models.Model):
    """A per-customer exception to what the plans grant: on, off, or another limit."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="entitlement_overrides"
    )
    feature = models.ForeignKey(Feature, on_delete=models.PROTECT, related_name="+")
    enabled = models.BooleanField(default=True)
    limit = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "feature"], name="one_override_per_feature")
        ]

    def __str__(self) -> str:
        return f"{self.customer.external_id}: {self.feature.code} override"


class CustomerEntitlement(models.Model):
    """What a customer may use now: recomputed in the same transaction as every change of its
    subscriptions, overrides or block, so that a check is one indexed read."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="entitlements")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="+")
    feature_code = models.CharField(max_length=64)
    enabled = models.BooleanField()
    limit = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=255)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "feature_code"], name="one_entitlement_per_feature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.feature_code}"
