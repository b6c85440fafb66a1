"""Imports' serializers: the history document (its shape, for the schema and a first check; the
service reads it again and refuses with the path of the field) and the runs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from invoicing.models import ImportRun, Invoice
from invoicing.services.imports import EVENT_TYPES, import_option, policy_overrides


class ImportCustomerIn(serializers.Serializer[Any]):
    """A new customer (the fields of `POST /customers/`, the address flat), or an existing one
    by `external_id` alone."""

    external_id = serializers.CharField(max_length=255)
    name = serializers.CharField(max_length=255, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    locale = serializers.CharField(max_length=35, required=False)
    address_line1 = serializers.CharField(required=False, allow_blank=True)
    address_line2 = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    postal_code = serializers.CharField(required=False, allow_blank=True)
    state = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True)
    tax_exempt = serializers.BooleanField(required=False)
    tax_id = serializers.CharField(required=False, allow_blank=True)
    auto_collection = serializers.BooleanField(required=False)
    payment_terms_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    invoice_grace_period_days = serializers.IntegerField(required=False, min_value=0, max_value=60)
    metadata = serializers.JSONField(required=False)


class ImportEventIn(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=list(EVENT_TYPES))
    at = serializers.DateTimeField(help_text="When it happened (with its UTC offset, not later "
                                   "than now, on or after the subscription's start).")  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True)
    plan = serializers.CharField(required=False, help_text="change: the new plan's code.")
    quantity = serializers.IntegerField(required=False, min_value=1, help_text="change.")
    when = serializers.ChoiceField(
        choices=["now", "period_end"],
        required=False,
        help_text="change: at `at` (default) or at its period's end.",
    )
    prorate = serializers.BooleanField(required=False, help_text="change, cancel (default true).")
    at_period_end = serializers.BooleanField(required=False, help_text="cancel.")
    ends_at = serializers.DateTimeField(required=False, help_text="end: the end date.")


class ImportSubscriptionIn(serializers.Serializer[Any]):
    """A subscription started in the past (`plan`, `start_at`...), or an existing one of the
    customer (`subscription`: its id), with its events in time order."""

    plan = serializers.CharField(required=False)
    start_at = serializers.DateTimeField(required=False)
    quantity = serializers.IntegerField(required=False, min_value=1)
    trial_days = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    billing_anchor = serializers.DateField(required=False, allow_null=True)
    metadata = serializers.JSONField(required=False)
    subscription = serializers.IntegerField(required=False)
    events = ImportEventIn(many=True, required=False)


class ImportIn(serializers.Serializer[Any]):
    key = serializers.CharField(max_length=100, help_text="The import's idempotency key: the "
                                "same key and document again returns the first run.")  # fmt: skip
    customer = ImportCustomerIn()
    subscriptions = ImportSubscriptionIn(many=True)
    notify = serializers.BooleanField(
        required=False,
        default=False,
        help_text="E-mail the customer about what the replay produces (invoices finalized, "
        "receipts, credit notes). Default false: its journal events carry `imported` with "
        "`notify: false` and no customer e-mail is recorded for them; webhooks are sent.",
    )
    settle = serializers.ChoiceField(
        choices=["paid_outside", "open"],
        required=False,
        default="paid_outside",
        help_text="`paid_outside` (default): every invoice the replay finalizes with something "
        "due is paid by a manual payment at its finalization (paid in the previous system), "
        "so collection and dunning never see it. `open`: they stay due; collection and "
        "dunning act on them as on any open invoice.",
    )


class ImportPreviewOut(serializers.Serializer[Any]):
    key = serializers.CharField()
    as_of = serializers.DateTimeField()
    customer = serializers.DictField()
    subscriptions = serializers.ListField(child=serializers.DictField())
    steps = serializers.ListField(child=serializers.DictField())


class ImportInvoiceOut(serializers.ModelSerializer[Invoice]):
    class Meta:
        model = Invoice
        fields = ["id", "number", "status", "currency", "billing_date", "total", "finalized_at"]


class ImportRunOut(serializers.ModelSerializer[ImportRun]):
    subscriptions: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    invoices = ImportInvoiceOut(many=True, read_only=True)
    notify = serializers.SerializerMethodField()
    settle = serializers.SerializerMethodField()
    policy_overrides = serializers.SerializerMethodField(
        help_text="The change and cancellation policies the replay overrode (a history is "
        "replayed as it happened): path, at, action, policy, what."
    )

    def get_notify(self, run: ImportRun) -> bool:
        return bool(import_option(run, "notify"))

    def get_settle(self, run: ImportRun) -> str:
        return str(import_option(run, "settle"))

    def get_policy_overrides(self, run: ImportRun) -> list[dict[str, Any]]:
        return policy_overrides(run)

    class Meta:
        model = ImportRun
        fields = [
            "id", "key", "status", "customer", "subscriptions", "invoices", "steps", "done",
            "billed_until", "job", "notify", "settle", "policy_overrides",
            "error", "error_field", "error_code", "actor", "created_at",
            "finished_at",
        ]  # fmt: skip


class ImportRunDetailOut(ImportRunOut):
    class Meta(ImportRunOut.Meta):
        fields = [*ImportRunOut.Meta.fields, "document"]
