"""Invoice endpoints (read, finalize); the rest of the invoicing API comes with its issue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.filters import InstantFilter
from billing.selectors import customer_as_of, customer_id_as_of
from catalog.models import BillableMetric
from core.api.actors import request_actor
from core.api.errors import json_error
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound, TransitionNotAllowed, ValidationFailed
from core.jobs import tracked
from invoicing import pdf
from invoicing.models import (
    BillingFailure,
    Correction,
    CreditNote,
    CreditNoteLine,
    InterimBilling,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from invoicing.selectors import upcoming_invoice
from invoicing.services import (
    correction_apply,
    credit_note_issue,
    invoice_addon_add,
    invoice_draft_create,
    invoice_finalize,
    invoice_line_add,
    invoice_line_remove,
    invoice_mark_uncollectible,
    invoice_void,
    rerate_scope,
)
from invoicing.taxes import credit_note_breakdown, lines_breakdown

TAGS = ["invoices"]


class TaxBreakdownOut(serializers.Serializer[Any]):
    """One tax rate of a document: what it taxed (net) and the tax."""

    code = serializers.CharField()
    name = serializers.CharField()
    percentage = serializers.DecimalField(max_digits=7, decimal_places=4)
    inclusive = serializers.BooleanField()
    category = serializers.CharField(help_text="standard, reduced, zero, exempt or reverse_charge")
    legal_mention = serializers.CharField(
        help_text="Printed on the invoice (exempt and reverse-charge rates always have one)."
    )
    base = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="the lines taxed at it, net of their tax"
    )
    tax = serializers.DecimalField(max_digits=20, decimal_places=4)


class LineOut(serializers.ModelSerializer[InvoiceLine]):
    tax_rate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True,
        help_text="The rate that taxed it: the one set on its charge, add-on, fee or product, "
        "else the customer's address rate (null: untaxed).",
    )  # fmt: skip

    class Meta:
        model = InvoiceLine
        fields = (
            "id",
            "kind",
            "description",
            "quantity",
            "unit_amount",
            "amount",
            "period_start",
            "period_end",
            "metric_code",
            "tax_rate",
            "tax_percentage",
            "tax_inclusive",
            "tax_category",
            "tax_amount",
            "explanation",
        )


class InterimBillingOut(serializers.ModelSerializer[InterimBilling]):
    """Usage billed on this invoice before its period's end (invoicing/services/interim.py)."""

    reason = serializers.ChoiceField(
        choices=InterimBilling.Reason.choices,
        help_text='"threshold": the period\'s usage reached a usage threshold (progressive '
        'billing); "in_advance": a charge paid in advance billed as its events arrived.',
    )
    threshold = serializers.DecimalField(
        max_digits=28, decimal_places=12, allow_null=True,
        help_text="The threshold level reached (reason threshold), in the invoice's currency.",
    )  # fmt: skip
    metric = serializers.CharField(source="charge.metric.code", read_only=True)
    charge_id = serializers.IntegerField(read_only=True)
    subscription_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = InterimBilling
        fields = (
            "reason", "threshold", "subscription_id", "period_start", "charge_id", "metric",
            "quantity", "usage_until", "billed_to", "amount",
        )  # fmt: skip
        extra_kwargs = {
            "billed_to": {"help_text": "The charge's usage of the period so far, rated."},
            "amount": {"help_text": "Billed here: billed_to less what was billed before."},
        }


class InvoiceOut(serializers.ModelSerializer[Invoice]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True
    )
    lines = LineOut(many=True, read_only=True)
    livemode = serializers.SerializerMethodField(
        help_text="False for a test customer's invoice (on a test clock: its TEST- series)."
    )
    tax_breakdown = serializers.SerializerMethodField(
        help_text="Each tax rate of its lines with its base and its tax (exempt and reverse-charge "
        "rates with their legal mention)."
    )
    interim_billings = InterimBillingOut(
        many=True,
        read_only=True,
        help_text="Usage billed on it before its period's end, and why: a usage threshold "
        "reached (an invoice issued at once) or a charge paid in advance (at once, or as lines "
        "of the next invoice). Empty for other invoices.",
    )

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "customer",
            "livemode",
            "currency",
            "status",
            "billing_date",
            "grace_until",
            "subtotal",
            "tax_total",
            "tax_breakdown",
            "total",
            "credit_applied",
            "amount_due",
            "finalized_at",
            "due_at",
            "paid_at",
            "voided_at",
            "created_at",
            "updated_at",
            "lines",
            "interim_billings",
        )

    def get_livemode(self, obj: Invoice) -> bool:
        return obj.customer.test_clock_id is None

    @extend_schema_field(TaxBreakdownOut(many=True))
    def get_tax_breakdown(self, obj: Invoice) -> Any:
        if "lines" in getattr(obj, "_prefetched_objects_cache", {}):
            lines = sorted(obj.lines.all(), key=lambda line: (line.position, line.pk))
        else:
            lines = list(obj.lines.select_related("tax_rate").order_by("position", "id"))
        return TaxBreakdownOut(lines_breakdown(lines), many=True).data


def _queryset() -> Any:
    return Invoice.objects.select_related("customer").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("tax_rate")),
        Prefetch(
            "interim_billings",
            queryset=InterimBilling.objects.select_related("charge__metric").order_by("id"),
        ),
    )


class DraftIn(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=255, help_text="the customer's external id")
    grace_days = serializers.IntegerField(min_value=0, max_value=60, default=7)


class InvoiceFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )
    billing_date__gte = InstantFilter(
        field_name="billing_date", lookup_expr="gte", label="billed at or after this instant"
    )
    billing_date__lt = InstantFilter(
        field_name="billing_date", lookup_expr="lt", label="billed before this instant"
    )
    livemode = django_filters.BooleanFilter(
        field_name="customer__test_clock",
        lookup_expr="isnull",
        label="Live customers' invoices (true) or test customers' (false)",
    )
    test_clock = django_filters.NumberFilter(
        field_name="customer__test_clock", label="The invoices of a test clock's customers"
    )

    class Meta:
        model = Invoice
        fields: list[str] = []


class InvoiceList(generics.GenericAPIView[Any]):
    serializer_class = InvoiceOut
    filterset_class = InvoiceFilter

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(operation_id="invoices_list", responses={200: InvoiceOut(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(InvoiceOut(page, many=True).data)

    @extend_schema(
        operation_id="invoices_create",
        request=DraftIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: InvoiceOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="A draft for a customer outside its billing periods (a one-off sale, a "
        "refund): add lines and add-ons to it, then finalize it (or the clock does after "
        "`grace_days`).",
    )
    def post(self, request: Request) -> Response:
        from billing.models import Customer

        data = DraftIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        customer = Customer.objects.filter(external_id=v["customer"]).first()
        if customer is None:
            raise NotFound(f"No customer {v['customer']!r}.", field="customer")
        invoice = invoice_draft_create(
            customer_id=customer.pk, grace_days=v["grace_days"],
            as_of=customer_as_of(customer, timezone.now()), actor=request_actor(request),
        )  # fmt: skip
        return Response(InvoiceOut(_queryset().get(pk=invoice.pk)).data, status=201)


class InvoiceDetail(generics.GenericAPIView[Any]):
    serializer_class = InvoiceOut

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(
        operation_id="invoices_retrieve",
        responses={200: InvoiceOut, **error_responses(404)},
        tags=TAGS,
        description="An invoice with its lines and each line's explanation.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(InvoiceOut(self.get_object()).data)


class InvoiceFinalize(generics.GenericAPIView[Any]):
    serializer_class = InvoiceOut

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(
        operation_id="invoices_finalize",
        request=None,
        responses={200: InvoiceOut, **error_responses(404, 409)},
        tags=TAGS,
        description="Number and freeze a draft now (the clock does it after the grace period).",
    )
    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        invoice_finalize(
            invoice_id=invoice.pk,
            as_of=customer_as_of(invoice.customer, timezone.now()),
            actor=request_actor(request),
        )
        return Response(InvoiceOut(_queryset().get(pk=invoice.pk)).data)


class RequiredReasonIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255)


class CreditLineIn(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="invoice line id")
    amount = serializers.DecimalField(max_digits=20, decimal_places=4, min_value=Decimal("0.0001"))


class CreditNoteIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255)
    lines = CreditLineIn(many=True, required=False, help_text="omit to credit the whole invoice")


class CreditNoteLineOut(serializers.ModelSerializer[CreditNoteLine]):
    class Meta:
        model = CreditNoteLine
        fields = ("invoice_line", "description", "amount", "tax_amount")


class CreditNoteOut(serializers.ModelSerializer[CreditNote]):
    invoice_number = serializers.CharField(source="invoice.number")
    lines = CreditNoteLineOut(many=True, read_only=True)
    tax_breakdown = serializers.SerializerMethodField(
        help_text="The tax credited by rate: each rate of the credited lines, its base, its tax."
    )

    class Meta:
        model = CreditNote
        fields = (
            "id",
            "number",
            "invoice",
            "invoice_number",
            "currency",
            "total",
            "tax_total",
            "tax_breakdown",
            "to_balance",
            "reason",
            "subscription",
            "explanation",
            "issued_at",
            "issued_by",
            "lines",
        )
        extra_kwargs = {
            "subscription": {
                "help_text": "The subscription whose cancellation it credits (a price book's "
                "cancellation_credit = credit_note), else null."
            },
            "explanation": {
                "help_text": "How a credit note issued by a rule was computed (the period, the "
                "unused part, the formula); empty for one issued by hand."
            },
        }

    @extend_schema_field(TaxBreakdownOut(many=True))
    def get_tax_breakdown(self, obj: CreditNote) -> Any:
        lines = obj.lines.select_related("invoice_line__tax_rate").order_by("id")
        return TaxBreakdownOut(credit_note_breakdown(lines), many=True).data


def _state_change(name: str, service: Any, description: str) -> type[generics.GenericAPIView[Any]]:
    @extend_schema(
        operation_id=f"invoices_{name}",
        request=RequiredReasonIn,
        responses={200: InvoiceOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description=description,
    )
    def post(self: generics.GenericAPIView[Any], request: Request, pk: int) -> Response:
        invoice = self.get_object()
        data = RequiredReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        service(
            invoice_id=invoice.pk,
            as_of=customer_as_of(invoice.customer, timezone.now()),
            actor=request_actor(request),
            reason=data.validated_data["reason"],
        )
        return Response(InvoiceOut(_queryset().get(pk=invoice.pk)).data)

    attrs = {"post": post, "serializer_class": InvoiceOut, "get_queryset": lambda self: _queryset()}
    return type(f"Invoice{name.title().replace('_', '')}", (generics.GenericAPIView,), attrs)


InvoiceVoid = _state_change(
    "void", invoice_void, "Void an open invoice nothing was credited against (posting reversed)."
)
InvoiceUncollectible = _state_change(
    "mark_uncollectible", invoice_mark_uncollectible, "Write the outstanding amount off."
)


class CreditNoteCreate(generics.GenericAPIView[Any]):
    serializer_class = CreditNoteOut
    permission_model = CreditNote  # issuing one is adding a credit note, as in the admin
    permission_actions = {"POST": "add"}

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(
        operation_id="invoices_credit",
        request=CreditNoteIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CreditNoteOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Issue a credit note: the whole invoice, or by line and amount. Never more "
        "than what is left to credit.",
    )
    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        data = CreditNoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data.get("lines")
        note = credit_note_issue(
            invoice_id=invoice.pk,
            as_of=customer_as_of(invoice.customer, timezone.now()),
            actor=request_actor(request),
            reason=data.validated_data["reason"],
            lines=[(item["line"], item["amount"]) for item in lines] if lines else None,
        )
        return Response(CreditNoteOut(note).data, status=201)


class CreditNoteList(generics.GenericAPIView[Any]):
    serializer_class = CreditNoteOut
    filterset_fields = {"invoice": ["exact"]}

    def get_queryset(self) -> Any:
        return CreditNote.objects.select_related("invoice").prefetch_related("lines")

    def paginate_queryset(self, queryset: Any) -> Any:
        self.paginator.ordering = ("-issued_at", "-id")  # type: ignore[union-attr]
        return super().paginate_queryset(queryset)

    @extend_schema(
        operation_id="credit_notes_list", responses={200: CreditNoteOut(many=True)}, tags=TAGS
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CreditNoteOut(page, many=True).data)


class InvoicePdf(generics.GenericAPIView[Any]):
    serializer_class = InvoiceOut

    def get_queryset(self) -> Any:
        return Invoice.objects.all()

    @extend_schema(
        operation_id="invoices_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(404, 409)},
        tags=TAGS,
        description="The invoice as issued (rendered once, by a worker, after finalization; its "
        "SHA-256 is in the X-Content-SHA256 header). Reading never renders nor writes: until the "
        "PDF is stored the answer is 409 `pdf_not_ready` with a Retry-After header (a draft has "
        "no PDF: 409 `transition_not_allowed`).",
    )
    def get(self, request: Request, pk: int) -> FileResponse | JsonResponse:
        invoice = self.get_object()
        if invoice.status == InvoiceStatus.DRAFT:
            raise TransitionNotAllowed("A draft has no PDF: finalize it first.")
        if not invoice.pdf:
            waiting = json_error(
                409,
                "pdf_not_ready",
                f"The PDF of {invoice.number} is being rendered; try again in a few seconds.",
            )
            waiting["Retry-After"] = "5"
            return waiting
        response = FileResponse(
            invoice.pdf.open("rb"), content_type="application/pdf", filename=f"{invoice.number}.pdf"
        )
        response["X-Content-SHA256"] = invoice.pdf_sha256
        return response


class CreditNotePdf(generics.GenericAPIView[Any]):
    serializer_class = CreditNoteOut

    def get_queryset(self) -> Any:
        return CreditNote.objects.select_related("invoice")

    @extend_schema(
        operation_id="credit_notes_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(404)},
        tags=TAGS,
        description="The credit note as a PDF in the customer's language: its number and date, "
        "the invoice it credits, its lines with their tax, its totals and its reason. Rendered on "
        "request from the issued credit note's frozen rows, so the same credit note always gives "
        "the same bytes (their SHA-256 is in the X-Content-SHA256 header).",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        note = self.get_object()
        data = pdf.credit_note_pdf(note)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{note.number}.pdf"'
        response["X-Content-SHA256"] = pdf.checksum(data)
        return response


class OneOffIn(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=255)
    amount = serializers.DecimalField(max_digits=28, decimal_places=12, help_text="per unit")
    quantity = serializers.DecimalField(
        max_digits=20, decimal_places=6, default=Decimal(1), min_value=Decimal("0.000001")
    )


class InvoiceLineAdd(generics.GenericAPIView[Any]):
    serializer_class = LineOut

    def get_queryset(self) -> Any:
        return Invoice.objects.all()

    @extend_schema(
        operation_id="invoices_lines_add",
        request=OneOffIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: LineOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Add a one-off line to a draft (negative amounts credit).",
    )
    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        data = OneOffIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        line = invoice_line_add(
            invoice_id=invoice.pk,
            description=v["description"],
            amount=v["amount"],
            quantity=v["quantity"],
            as_of=customer_as_of(invoice.customer, timezone.now()),
            actor=request_actor(request),
        )
        return Response(LineOut(line).data, status=201)


class InvoiceAddOnIn(serializers.Serializer[Any]):
    add_on = serializers.CharField(max_length=64, help_text="the add-on's code")
    quantity = serializers.DecimalField(
        max_digits=20, decimal_places=6, default=Decimal(1), min_value=Decimal("0.000001")
    )


class InvoiceAddOnAdd(generics.GenericAPIView[Any]):
    serializer_class = LineOut

    def get_queryset(self) -> Any:
        return Invoice.objects.all()

    @extend_schema(
        operation_id="invoices_add_ons_add",
        request=InvoiceAddOnIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: LineOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Add a catalog add-on to a draft (quantity x its price, taxed).",
    )
    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        data = InvoiceAddOnIn(data=request.data)
        data.is_valid(raise_exception=True)
        line = invoice_addon_add(
            invoice_id=invoice.pk,
            addon_code=data.validated_data["add_on"],
            quantity=data.validated_data["quantity"],
            as_of=customer_as_of(invoice.customer, timezone.now()),
            actor=request_actor(request),
        )
        return Response(LineOut(line).data, status=201)


class InvoiceLineRemove(generics.GenericAPIView[Any]):
    serializer_class = LineOut

    def get_queryset(self) -> Any:
        return Invoice.objects.all()

    @extend_schema(
        operation_id="invoices_lines_remove",
        responses={204: None, **error_responses(404, 409)},
        tags=TAGS,
        description="Remove a one-off line from a draft (billed lines stay).",
    )
    def delete(self, request: Request, pk: int, line_id: int) -> Response:
        invoice = self.get_object()
        invoice_line_remove(
            invoice_id=invoice.pk,
            line_id=line_id,
            as_of=customer_as_of(invoice.customer, timezone.now()),
            actor=request_actor(request),
        )
        return Response(status=204)


class UpcomingLineOut(serializers.Serializer[Any]):
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=38, decimal_places=12)
    amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    tax_amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    tax_rate_code = serializers.CharField(allow_null=True, help_text="the rate that taxes it")
    tax_category = serializers.CharField(allow_blank=True)
    period_start = serializers.DateTimeField(allow_null=True)
    period_end = serializers.DateTimeField(allow_null=True)
    explanation = serializers.JSONField()


class UpcomingOut(serializers.Serializer[Any]):
    customer = serializers.CharField()
    currency = serializers.CharField()
    as_of = serializers.DateTimeField()
    billing_date = serializers.DateTimeField(
        allow_null=True,
        help_text="When the clock will issue it: the customer's next billing date with anything "
        "to bill (null: nothing more to bill).",
    )
    lines = UpcomingLineOut(many=True)
    subtotal = serializers.DecimalField(max_digits=20, decimal_places=4)
    tax_total = serializers.DecimalField(max_digits=20, decimal_places=4)
    tax_rate = serializers.CharField(allow_null=True, help_text="the customer's address rate")
    tax_breakdown = TaxBreakdownOut(many=True)
    total = serializers.DecimalField(max_digits=20, decimal_places=4)
    credit_applied = serializers.DecimalField(max_digits=20, decimal_places=4)
    amount_due = serializers.DecimalField(max_digits=20, decimal_places=4)


class UpcomingInvoice(generics.GenericAPIView[Any]):
    serializer_class = UpcomingOut
    permission_model = Invoice
    pagination_class = None

    def get_queryset(self) -> Any:
        from billing.models import Customer

        return Customer.objects.all()

    @extend_schema(
        operation_id="customers_upcoming_invoice",
        responses={200: UpcomingOut, **error_responses(404)},
        tags=TAGS,
        description="What the customer would be billed if its current periods ended now.",
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = self.get_object()
        return Response(
            UpcomingOut(
                upcoming_invoice(
                    customer_id=customer.pk, as_of=customer_as_of(customer, timezone.now())
                )
            ).data
        )


class RerateIn(serializers.Serializer[Any]):
    customers = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=1000, help_text="external ids"
    )
    metric = serializers.CharField(
        required=False,
        help_text="a metric code: only invoices that bill it are re-rated (each whole); "
        "default: every invoice of the window",
    )
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class CorrectionOut(serializers.ModelSerializer[Correction]):
    invoice_number = serializers.CharField(source="invoice.number")

    class Meta:
        model = Correction
        fields = (
            "id",
            "invoice",
            "invoice_number",
            "subscription",
            "kind",
            "metric_code",
            "period_start",
            "period_end",
            "quantity",
            "invoiced",
            "recomputed",
            "difference",
            "status",
            "credit_note",
            "supplementary_invoice",
            "created_at",
            "applied_at",
            "applied_by",
        )


class CorrectionFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(choices=Correction.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Correction.Kind.choices)
    invoice = django_filters.NumberFilter(field_name="invoice_id")
    customer = django_filters.CharFilter(
        field_name="invoice__customer__external_id", label="the customer's external id"
    )
    metric = django_filters.CharFilter(field_name="metric_code", label="a metric code")

    class Meta:
        model = Correction
        fields: list[str] = []


class BillingFailureFilter(django_filters.FilterSet):  # type: ignore[misc]
    open = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", label="not resolved yet"
    )
    subscription = django_filters.NumberFilter(field_name="subscription_id")

    class Meta:
        model = BillingFailure
        fields: list[str] = []


class CorrectionList(generics.GenericAPIView[Any]):
    serializer_class = CorrectionOut
    filterset_class = CorrectionFilter

    def get_queryset(self) -> Any:
        return Correction.objects.select_related("invoice")

    def paginate_queryset(self, queryset: Any) -> Any:
        self.paginator.ordering = ("-created_at", "-id")  # type: ignore[union-attr]
        return super().paginate_queryset(queryset)

    @extend_schema(
        operation_id="corrections_list",
        responses={200: CorrectionOut(many=True)},
        tags=TAGS,
        description="Re-ratings of billed usage windows that differ from what was invoiced: "
        "proposed (waiting for approval) or applied (with their document).",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CorrectionOut(page, many=True).data)


class CorrectionApply(generics.GenericAPIView[Any]):
    serializer_class = CorrectionOut

    def get_queryset(self) -> Any:
        return Correction.objects.select_related("invoice")

    @extend_schema(
        operation_id="corrections_apply",
        request=None,
        responses={200: CorrectionOut, **error_responses(404, 409)},
        tags=TAGS,
        description="Approve a proposed correction: one document (a supplementary invoice for a "
        "net increase, a credit note for a decrease) settles it with the other corrections "
        "proposed for the same invoice. Refused (409) when it is not proposed, or when the "
        "invoice it corrects is no longer open or paid.",
    )
    def post(self, request: Request, pk: int) -> Response:
        found = self.get_object()
        correction = correction_apply(
            correction_id=found.pk,
            as_of=customer_id_as_of(found.invoice.customer_id, timezone.now()),
            actor=request_actor(request),
        )
        return Response(CorrectionOut(self.get_queryset().get(pk=correction.pk)).data)


class BillingFailureOut(serializers.ModelSerializer[BillingFailure]):
    customer = serializers.CharField(source="subscription.customer.external_id")

    class Meta:
        model = BillingFailure
        fields = (
            "id",
            "subscription",
            "customer",
            "as_of",
            "error",
            "message",
            "attempts",
            "first_failed_at",
            "last_failed_at",
            "resolved_at",
        )


class BillingFailureList(generics.GenericAPIView[Any]):
    serializer_class = BillingFailureOut
    filterset_class = BillingFailureFilter

    def get_queryset(self) -> Any:
        return BillingFailure.objects.select_related("subscription__customer")

    def paginate_queryset(self, queryset: Any) -> Any:
        self.paginator.ordering = ("-last_failed_at", "-id")  # type: ignore[union-attr]
        return super().paginate_queryset(queryset)

    @extend_schema(
        operation_id="billing_failures_list",
        responses={200: BillingFailureOut(many=True)},
        tags=TAGS,
        description="Subscriptions the clock could not bill, with the reason (the rest of their "
        "chunk was billed); each is tried again at every tick and resolved when it bills. "
        "`?open=true` lists those not resolved yet.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(BillingFailureOut(page, many=True).data)


class Rerate(generics.GenericAPIView[Any]):
    serializer_class = CorrectionOut
    queryset = Correction.objects.none()
    pagination_class = None  # returns every correction it recorded, in one list

    @extend_schema(
        operation_id="corrections_rerate",
        request=RerateIn,
        responses={200: CorrectionOut(many=True), **error_responses(400)},
        tags=TAGS,
        description="Re-rate the billed usage windows of some customers in a window (optionally "
        "one metric) with the events stored now: drafts are refreshed, finalized invoices "
        "compared; returns the corrections recorded.",
    )
    def post(self, request: Request) -> Response:
        from billing.models import Customer

        data = RerateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ids = dict(
            Customer.objects.filter(external_id__in=v["customers"]).values_list("external_id", "pk")
        )
        missing = sorted(set(v["customers"]) - set(ids))
        if missing:
            raise ValidationFailed(f"No customer {missing[0]!r}.", field="customers")
        if v.get("metric") and not BillableMetric.objects.filter(code=v["metric"]).exists():
            raise ValidationFailed(
                f"No metric {v['metric']!r}.", field="metric", code="unknown_metric"
            )
        if v["end"] <= v["start"]:  # refused before a job is recorded for it
            raise ValidationFailed("end must come after start.", field="end")
        actor = request_actor(request)
        # a job (core.jobs) shows the re-rating's progress, customer by customer, in the admin
        with tracked(
            kind="rerate",
            label=f"re-rating {len(ids)} customer(s) {v['start']:%Y-%m-%d}..{v['end']:%Y-%m-%d}",
            actor=actor.label,
            params={
                "customers": sorted(v["customers"])[:100],
                "start": v["start"].isoformat(),
                "end": v["end"].isoformat(),
                "metric": v.get("metric") or "",
            },
        ) as progress:
            found = rerate_scope(
                customer_ids=list(ids.values()),
                start=v["start"],
                end=v["end"],
                as_of=timezone.now(),
                actor=actor,
                metric_code=v.get("metric"),
                progress=progress,
            )
            progress.finish(result={"corrections": len(found)})
        return Response(CorrectionOut(found, many=True).data)
