from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from catalog.models import AddOn
from catalog.money import quantize
from catalog.pricing import plain
from core.admin import HistoryAdminMixin
from core.audit import Actor
from core.exceptions import ApplicationError
from invoicing.models import (
    BillingFailure,
    ClockTick,
    Correction,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    NumberSeries,
    ReconciliationReport,
)
from invoicing.services import (
    correction_apply,
    invoice_addon_add,
    invoice_draft_create,
    invoice_finalize,
    invoice_line_add,
    invoice_mark_uncollectible,
    invoice_void,
)


class AddLineForm(forms.Form):
    add_on = forms.ModelChoiceField(
        AddOn.objects.filter(archived_at__isnull=True),
        required=False,
        help_text="a catalog add-on; or leave empty and describe a one-off line",
    )
    description = forms.CharField(max_length=255, required=False)
    amount = forms.DecimalField(
        max_digits=28, decimal_places=12, required=False, help_text="per unit; negative credits"
    )
    quantity = forms.DecimalField(max_digits=20, decimal_places=6, initial=1, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("add_on") and (not data.get("description") or data.get("amount") is None):
            raise forms.ValidationError("Pick an add-on, or give a description and an amount.")
        return data


@admin.register(BillingFailure)
class BillingFailureAdmin(HistoryAdminMixin, admin.ModelAdmin[BillingFailure]):
    """Subscriptions the clock could not bill (the rest of their chunk was billed), with the
    reason; each is tried again at every tick, and resolved when it bills."""

    list_display = (
        "subscription", "error", "message", "attempts", "first_failed_at", "last_failed_at",
        "resolved_at",
    )  # fmt: skip
    list_filter = ("resolved_at", "error")
    list_select_related = ("subscription__customer",)
    search_fields = ("subscription__customer__external_id", "message")
    readonly_fields = (
        "subscription", "as_of", "error", "message", "traceback", "attempts", "first_failed_at",
        "last_failed_at", "resolved_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClockTick)
class ClockTickAdmin(admin.ModelAdmin[ClockTick]):
    list_display = ("as_of", "started_at", "finished_at", "worker", "task_id")
    date_hierarchy = "as_of"
    readonly_fields = ("as_of", "started_at", "finished_at", "worker", "task_id", "summary")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(admin.TabularInline[InvoiceLine, Invoice]):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "description",
        "units",
        "money",
        "tax",
        "period_start",
        "period_end",
        "how",
    )
    readonly_fields = fields

    @admin.display(description="quantity")
    def units(self, obj: InvoiceLine) -> str:
        return plain(obj.quantity)

    @admin.display(description="amount")
    def money(self, obj: InvoiceLine) -> str:
        return str(quantize(obj.amount, obj.invoice.currency))

    @admin.display(description="tax")
    def tax(self, obj: InvoiceLine) -> str:
        if not obj.tax_percentage:
            return "-"
        kind = "incl." if obj.tax_inclusive else "excl."
        amount = quantize(obj.tax_amount, obj.invoice.currency)
        return f"{amount} ({plain(obj.tax_percentage)}% {kind})"

    @admin.display(description="how")
    def how(self, obj: InvoiceLine) -> str:
        explanation = obj.explanation or {}
        parts = [str(explanation.get("formula", ""))]
        if explanation.get("price_version"):
            parts.append(f"price book {explanation['price_version']}")
        if explanation.get("coupon"):
            parts.append(f"coupon {explanation['coupon']} on {explanation.get('base')}")
        if "event_count" in explanation:
            parts.append(f"{explanation['event_count']} events ({explanation.get('aggregation')})")
        return "; ".join(p for p in parts if p)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _each_invoice(
    model_admin: admin.ModelAdmin[Invoice],
    request: HttpRequest,
    queryset: QuerySet[Invoice],
    service: Any,
    **extra: Any,
) -> None:
    """Run an invoice service on each selected invoice, in billing order; refusals are shown."""
    for invoice in queryset.order_by("billing_date", "id"):
        try:
            done = service(
                invoice_id=invoice.pk,
                as_of=timezone.now(),
                actor=Actor.for_user(request.user),
                **extra,
            )
            model_admin.message_user(request, f"{done}: {done.status}.")
        except ApplicationError as exc:
            model_admin.message_user(request, f"{invoice}: {exc.message}", messages.WARNING)


@admin.register(Invoice)
class InvoiceAdmin(HistoryAdminMixin, admin.ModelAdmin[Invoice]):
    list_display = (
        "__str__", "customer", "kind", "status", "billing_date", "total", "currency", "due_at",
    )  # fmt: skip
    list_filter = ("status", "kind", "currency")
    search_fields = ("number", "customer__external_id", "customer__name")
    list_select_related = ("customer",)
    date_hierarchy = "billing_date"
    inlines = (LineInline,)
    actions = ("finalize_selected", "void_selected", "uncollectible_selected")
    change_form_template = "admin/invoicing/invoice/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path(
                "<int:pk>/add-line/",
                view(self.add_line_view),
                name="invoicing_invoice_add_line",
            ),
            path(
                "new-draft/<int:customer_pk>/",
                view(self.new_draft_view),
                name="invoicing_invoice_new_draft",
            ),
        ]
        return own + super().get_urls()

    def new_draft_view(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        """A draft for the customer outside its billing periods (POST from its page)."""
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:billing_customer_change", args=[customer_pk])
            )
        try:
            invoice = invoice_draft_create(
                customer_id=customer_pk, as_of=timezone.now(), actor=Actor.for_user(request.user),
                grace_days=7,
            )  # fmt: skip
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:billing_customer_change", args=[customer_pk])
            )
        self.message_user(request, "Draft created: add its lines, then finalize it.")
        return HttpResponseRedirect(reverse("admin:invoicing_invoice_add_line", args=[invoice.pk]))

    def add_line_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A one-off line or a catalog add-on on a draft, through the services."""
        invoice = get_object_or_404(Invoice, pk=pk)
        form = AddLineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                if d["add_on"]:
                    invoice_addon_add(
                        invoice_id=pk, addon_code=d["add_on"].code, quantity=d["quantity"],
                        as_of=timezone.now(), actor=Actor.for_user(request.user),
                    )  # fmt: skip
                else:
                    invoice_line_add(
                        invoice_id=pk, description=d["description"], amount=d["amount"],
                        quantity=d["quantity"], as_of=timezone.now(),
                        actor=Actor.for_user(request.user),
                    )  # fmt: skip
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(request, "Line added.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:invoicing_invoice_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Add a line to {invoice}",
            "original": invoice,
            "form": form,
        }
        return TemplateResponse(request, "admin/billing/subscription/action_form.html", context)

    fields = (
        "number",
        "customer",
        "kind",
        "status",
        "currency",
        "billing_date",
        "grace_until",
        "amounts",
        "pdf_link",
        "corrects",
        "finalized_at",
        "due_at",
        "paid_at",
        "voided_at",
        "created_at",
        "updated_at",
        "customer_snapshot",
        "company_snapshot",
    )
    readonly_fields = fields  # documents change only through their services (actions above)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        no_save = {"show_save": False, "show_save_and_continue": False,
                   "show_save_and_add_another": False}  # fmt: skip
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **no_save}
        )

    @admin.display(description="amounts")
    def amounts(self, obj: Invoice) -> str:
        def m(value: Any) -> str:
            return f"{quantize(value, obj.currency)} {obj.currency}"

        parts = [f"subtotal {m(obj.subtotal)}", f"tax {m(obj.tax_total)}", f"total {m(obj.total)}"]
        if obj.credit_applied:
            parts.append(f"paid from the credit balance {m(obj.credit_applied)}")
        if obj.status != "draft":
            parts.append(f"amount due {m(obj.amount_due)}")
        return " · ".join(parts)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="PDF")
    def pdf_link(self, obj: Invoice) -> str:
        if obj.status == "draft":
            return "(after finalization)"
        return format_html(
            '<a href="/api/v1/invoices/{}/pdf/" id="invoice-pdf">Download PDF</a> '
            "<small>sha256 {}</small>",
            obj.pk,
            obj.pdf_sha256 or "being rendered by a worker",
        )

    @admin.action(description="Void selected invoices")
    def void_selected(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        _each_invoice(self, request, queryset, invoice_void, reason="voided in the admin")

    @admin.action(description="Mark selected invoices uncollectible")
    def uncollectible_selected(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        _each_invoice(
            self, request, queryset, invoice_mark_uncollectible, reason="written off in the admin"
        )

    @admin.action(description="Finalize selected drafts")
    def finalize_selected(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        _each_invoice(self, request, queryset, invoice_finalize)


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin[NumberSeries]):
    list_display = ("prefix", "year", "last_number")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CreditNoteLineInline(admin.TabularInline[CreditNoteLine, CreditNote]):
    model = CreditNoteLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("invoice_line", "description", "amount", "tax_amount")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an issued document: read-only here, and in the database


@admin.register(CreditNote)
class CreditNoteAdmin(HistoryAdminMixin, admin.ModelAdmin[CreditNote]):
    list_display = ("number", "invoice", "total", "currency", "reason", "issued_at", "issued_by")
    search_fields = ("number", "invoice__number", "reason")
    list_select_related = ("invoice",)
    inlines = (CreditNoteLineInline,)
    fields = readonly_fields = (
        "invoice", "number", "currency", "total", "tax_total", "to_balance", "reason",
        "issued_at", "issued_by",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued against an invoice through the API or the invoice's services

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an issued document: read-only here, and in the database

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Correction)
class CorrectionAdmin(HistoryAdminMixin, admin.ModelAdmin[Correction]):
    """Re-ratings of billed periods after late events; proposed ones wait for approval."""

    list_display = (
        "invoice",
        "kind",
        "metric_code",
        "period_start",
        "invoiced",
        "recomputed",
        "difference",
        "status",
        "credit_note",
        "supplementary_invoice",
    )
    list_filter = ("status", "kind", "metric_code")
    list_select_related = ("invoice", "credit_note", "supplementary_invoice")
    actions = ("apply_selected",)
    readonly_fields = (
        "invoice",
        "subscription",
        "kind",
        "metric_code",
        "period_start",
        "period_end",
        "invoiced",
        "recomputed",
        "difference",
        "status",
        "credit_note",
        "supplementary_invoice",
        "explanation",
        "created_at",
        "applied_at",
        "applied_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Apply selected corrections (one document per invoice)")
    def apply_selected(self, request: HttpRequest, queryset: QuerySet[Correction]) -> None:
        done: set[int] = set()
        for correction in queryset.order_by("invoice_id", "id"):
            if correction.invoice_id in done:
                continue  # applied with the others proposed for its invoice
            try:
                correction_apply(
                    correction_id=correction.pk,
                    as_of=timezone.now(),
                    actor=Actor.for_user(request.user),
                )
                done.add(correction.invoice_id)
                self.message_user(
                    request, f"{correction.invoice}: its proposed corrections applied."
                )
            except ApplicationError as exc:
                self.message_user(request, f"{correction}: {exc.message}", messages.WARNING)


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(admin.ModelAdmin[ReconciliationReport]):
    """The reconciliation reports, newest first: the last one is the first row."""

    list_display = ("created_at", "window_start", "window_end", "ok", "mismatch_count", "checked")
    list_filter = ("ok",)
    readonly_fields = ("created_at", "window_start", "window_end", "ok", "checked", "mismatches")

    @admin.display(description="mismatches")
    def mismatch_count(self, obj: ReconciliationReport) -> int:
        return len(obj.mismatches)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
