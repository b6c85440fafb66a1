from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from billing.models import Customer, TestClock, external_id_validator
from billing.validators import validate_metadata
from catalog.validators import validate_currency
from core.validators import validate_country, validate_locale, validate_timezone

ADDRESS_FIELDS = {  # API name -> model field
    "line1": "address_line1",
    "line2": "address_line2",
    "city": "city",
    "postal_code": "postal_code",
    "state": "state",
    "country": "country",
}


class UpperCaseField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data)).upper()


class AddressSerializer(serializers.Serializer[Any]):
    line1 = serializers.CharField(max_length=255, required=False, allow_blank=True)
    line2 = serializers.CharField(max_length=255, required=False, allow_blank=True)
    city = serializers.CharField(max_length=128, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    state = serializers.CharField(max_length=128, required=False, allow_blank=True)
    country = UpperCaseField(
        max_length=2,
        required=False,
        allow_blank=True,
        validators=[validate_country],
        help_text="ISO 3166-1 alpha-2",
    )


class CustomerIn(serializers.Serializer[Customer]):
    """Input of create (all required fields) and update (partial; external_id is immutable)."""

    external_id = serializers.CharField(
        max_length=255,
        validators=[
            external_id_validator,
            UniqueValidator(
                queryset=Customer.objects.all(),
                message="A customer with this external id already exists.",
            ),
        ],
    )
    name = serializers.CharField(max_length=255)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    currency = UpperCaseField(
        min_length=3, max_length=3, validators=[validate_currency], help_text="ISO 4217, e.g. USD"
    )
    timezone = serializers.CharField(
        max_length=64, required=False, default="UTC", validators=[validate_timezone]
    )
    locale = serializers.CharField(
        max_length=35, required=False, default="en", validators=[validate_locale]
    )
    billing_address = AddressSerializer(required=False)
    payment_terms_days = serializers.IntegerField(
        min_value=0, max_value=365, required=False, default=30
    )
    invoice_grace_period_days = serializers.IntegerField(
        min_value=0, max_value=60, required=False, default=0
    )
    tax_exempt = serializers.BooleanField(required=False, default=False)
    tax_id = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    auto_collection = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Charge the payment method when an invoice is finalized; false for customers "
        "who pay by themselves (bank transfer).",
    )
    metadata = serializers.JSONField(required=False, default=dict, validators=[validate_metadata])
    test_clock = serializers.PrimaryKeyRelatedField(
        queryset=TestClock.objects.all(),
        required=False,
        allow_null=True,
        help_text="A test clock's id: a test customer, billed on that clock's time (never by the "
        "live clock) and kept out of live reports and numbering; set at creation only.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for immutable in ("external_id", "test_clock"):
            if self.partial and immutable in self.initial_data:
                raise serializers.ValidationError(
                    {
                        immutable: serializers.ErrorDetail(
                            f"{immutable} cannot change once the customer exists.",
                            code="immutable",
                        )
                    }
                )
        return attrs

    def to_model_fields(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("test_clock", None)  # the service's own argument (test_clock_id)
        address = data.pop("billing_address", None) or {}
        for api_name, value in address.items():
            data[ADDRESS_FIELDS[api_name]] = value
        return data


class CustomerOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    # not format: email: a customer without one has "" (unchanged for clients), which is no e-mail
    email = serializers.CharField(help_text="The billing e-mail address; empty when there is none.")
    currency = serializers.CharField()
    timezone = serializers.CharField()
    locale = serializers.CharField()
    billing_address = serializers.SerializerMethodField()
    payment_terms_days = serializers.IntegerField()
    invoice_grace_period_days = serializers.IntegerField()
    tax_exempt = serializers.BooleanField()
    tax_id = serializers.CharField()
    auto_collection = serializers.BooleanField()
    balance = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="credit the customer holds, in its currency"
    )
    metadata = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    archived_at = serializers.DateTimeField(allow_null=True)
    test_clock = serializers.IntegerField(
        source="test_clock_id", allow_null=True, help_text="A test customer's test clock."
    )
    livemode = serializers.SerializerMethodField(
        help_text="False for a test customer (one on a test clock), true for a live one."
    )

    def get_livemode(self, obj: Customer) -> bool:
        return obj.test_clock_id is None

    @extend_schema_field(AddressSerializer)
    def get_billing_address(self, obj: Customer) -> dict[str, str]:
        return {api: getattr(obj, field) for api, field in ADDRESS_FIELDS.items()}


class ArchiveIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class HistoryChangeOut(serializers.Serializer[Any]):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntryOut(serializers.Serializer[Any]):
    when = serializers.DateTimeField()
    event = serializers.CharField(source="label", help_text="insert, update or delete")
    who = serializers.CharField()
    why = serializers.CharField()
    changes = HistoryChangeOut(many=True)
