"""Usage events. The table is partitioned by event time (one partition a month, created ahead by
the clock and on demand by ingestion); its SQL lives in migration 0005. Deduplication by
(customer, event id) uses a separate key table, since a unique index on a partitioned table must
include the partition key."""

from __future__ import annotations

from django.db import models

from billing.models.customers import Customer
from catalog.models import BillableMetric


class UsageEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, db_constraint=False)
    metric = models.ForeignKey(BillableMetric, on_delete=models.DO_NOTHING, db_constraint=False)
    event_id = models.CharField(max_length=255)
    event_time = models.DateTimeField(help_text="When it happened: decides the billing period.")
    received_at = models.DateTimeField(help_text="When we learned of it.")
    value = models.DecimalField(
        max_digits=38, decimal_places=12, null=True, help_text="The metric's property, as a number."
    )
    properties = models.JSONField(default=dict)
    late = models.BooleanField(
        default=False, help_text="Its time falls in usage already invoiced: needs a correction."
    )
    operation = models.CharField(
        max_length=6,
        choices=[("add", "add"), ("remove", "remove")],
        default="add",
        help_text="add: the event counts; remove: a unique count's value is taken away "
        "(unique count metrics only).",
    )  # the column: migration 0018 (a constant default, no rewrite of the partitions)

    class Meta:
        managed = False
        db_table = "billing_usageevent"
        ordering = ("-event_time", "-id")

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.event_time:%Y-%m-%d %H:%M:%S}"


class UsageEventKey(models.Model):
    """(customer, event id) once: the deduplication key of every accepted event."""

    customer_id = models.BigIntegerField(primary_key=True)
    event_id = models.CharField(max_length=255)

    class Meta:
        managed = False
        db_table = "billing_usageeventkey"

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.event_id}"
