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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from billing.selectors import customer_id_as_of
from catalog.models import AddOn
from catalog.money import quantize
from catalog.pricing import plain
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin
from core.audit import Actor
from core.exceptions import ApplicationError
from invoicing.admin_actions import CREDITABLE, InvoiceActionsMixin
from invoicing.admin_display import (
    credit_note_pdf_url,
    instant,
    instant_both,
    money,
    period_days,
    short,
)
from invoicing.admin_interim import interim_summary
from invoicing.models import (
    INVOICE_TRANSITIONS,
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
        "subscription", "error", "message_short", "attempts", "first_failed", "last_failed",
        "resolved",
    )  # fmt: skip
    list_filter = ("resolved_at", "error")
    list_select_related = ("subscription__customer", "subscription__plan")
    search_fields = ("subscription__customer__external_id", "message")
    fields = (
        "subscription", "as_of_shown", "error", "message", "traceback", "attempts",
        "first_failed", "last_failed", "resolved",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="message")
    def message_short(self, obj: BillingFailure) -> str:
        return short(obj.message, 80)

    @admin.display(description="billed for")
    def as_of_shown(self, obj: BillingFailure) -> str:
        return instant(obj.as_of)

    @admin.display(description="first failed", ordering="first_failed_at")
    def first_failed(self, obj: BillingFailure) -> str:
        return instant(obj.first_failed_at)

    @admin.display(description="last failed", ordering="last_failed_at")
    def last_failed(self, obj: BillingFailure) -> str:
        return instant(obj.last_failed_at)

    @admin.display(description="resolved", ordering="resolved_at")
    def resolved(self, obj: BillingFailure) -> str:
        return instant(obj.resolved_at)

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
        "amount_shown",
        "tax",
        "period_start",
        "period_end",
        "how",
    )
    readonly_fields = fields

    @admin.display(description="quantity")
    def units(self, obj: InvoiceLine) -> str:
        return plain(obj.quantity)

    def get_queryset(self, request: HttpRequest) -> QuerySet[InvoiceLine]:
        return super().get_queryset(request).select_related("invoice")

    @admin.display(description="amount")
    def amount_shown(self, obj: InvoiceLine) -> str:
        return money(obj.amount, obj.invoice.currency)

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
                as_of=customer_id_as_of(invoice.customer_id, timezone.now()),
                actor=Actor.for_user(request.user),
                **extra,
            )
            model_admin.message_user(request, f"{done}: {done.status}.")
        except ApplicationError as exc:
            model_admin.message_user(request, f"{invoice}: {exc.message}", messages.WARNING)


@admin.register(Invoice)
class InvoiceAdmin(InvoiceActionsMixin, HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "__str__", "customer_short", "kind", "status", "billing_date_shown", "total_shown",
        "amount_due_shown", "due_shown",
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
        self.require(request, "change")
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:billing_customer_change", args=[customer_pk])
            )
        try:
            invoice = invoice_draft_create(
                customer_id=customer_pk, as_of=customer_id_as_of(customer_pk, timezone.now()),
                actor=Actor.for_user(request.user),
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
        self.require(request, "change", invoice)
        form = AddLineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                if d["add_on"]:
                    invoice_addon_add(
                        invoice_id=pk, addon_code=d["add_on"].code, quantity=d["quantity"],
                        as_of=customer_id_as_of(invoice.customer_id, timezone.now()),
                        actor=Actor.for_user(request.user),
                    )  # fmt: skip
                else:
                    invoice_line_add(
                        invoice_id=pk, description=d["description"], amount=d["amount"],
                        quantity=d["quantity"],
                        as_of=customer_id_as_of(invoice.customer_id, timezone.now()),
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
        "billing_date_full",
        "grace_until_full",
        "amounts",
        "pdf_link",
        "credit_notes_shown",
        "interim_shown",
        "corrects",
        "finalized_at_full",
        "due_full",
        "paid_at_full",
        "voided_at_full",
        "created_at_full",
        "updated_at_full",
        "customer_snapshot",
        "company_snapshot",
    )
    readonly_fields = fields  # documents change only through their services (buttons above)

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

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Invoice | None = None,
    ) -> HttpResponse:
        if obj is not None:  # which buttons the page shows; the services decide
            moves = INVOICE_TRANSITIONS[obj.status]
            may = self.has_change_permission(request, obj)  # the views ask for it
            credit = may and request.user.has_perm("invoicing.add_creditnote")
            context["buttons"] = {
                "finalize": may and obj.status == "draft",
                "add_line": may and obj.status == "draft",
                "void": may and "void" in moves,
                "uncollectible": may and "uncollectible" in moves,
                "credit_note": credit and obj.status in CREDITABLE,
                "pdf": obj.status != "draft",
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        return super().get_queryset(request).select_related("customer")

    @admin.display(description="customer", ordering="customer__name")
    def customer_short(self, obj: Invoice) -> str:
        return short(str(obj.customer), 40)

    @admin.display(description="billing date", ordering="billing_date")
    def billing_date_shown(self, obj: Invoice) -> str:
        return instant(obj.billing_date)

    @admin.display(description="total", ordering="total")
    def total_shown(self, obj: Invoice) -> str:
        return money(obj.total, obj.currency)

    @admin.display(description="amount due", ordering="amount_due")
    def amount_due_shown(self, obj: Invoice) -> str:
        return "-" if obj.status == "draft" else money(obj.amount_due, obj.currency)

    @admin.display(description="due", ordering="due_at")
    def due_shown(self, obj: Invoice) -> str:
        return instant(obj.due_at)

    def _zone(self, obj: Invoice) -> str:
        return str((obj.customer_snapshot or {}).get("timezone") or obj.customer.timezone)

    @admin.display(description="billing date")
    def billing_date_full(self, obj: Invoice) -> str:
        return instant_both(obj.billing_date, self._zone(obj))

    @admin.display(description="grace until")
    def grace_until_full(self, obj: Invoice) -> str:
        return instant_both(obj.grace_until, self._zone(obj))

    @admin.display(description="finalized at")
    def finalized_at_full(self, obj: Invoice) -> str:
        return instant_both(obj.finalized_at, self._zone(obj))

    @admin.display(description="due at")
    def due_full(self, obj: Invoice) -> str:
        return instant_both(obj.due_at, self._zone(obj))

    @admin.display(description="paid at")
    def paid_at_full(self, obj: Invoice) -> str:
        return instant_both(obj.paid_at, self._zone(obj))

    @admin.display(description="voided at")
    def voided_at_full(self, obj: Invoice) -> str:
        return instant_both(obj.voided_at, self._zone(obj))

    @admin.display(description="created at")
    def created_at_full(self, obj: Invoice) -> str:
        return instant(obj.created_at)

    @admin.display(description="updated at")
    def updated_at_full(self, obj: Invoice) -> str:
        return instant(obj.updated_at)

    @admin.display(description="amounts")
    def amounts(self, obj: Invoice) -> str:
        def m(value: Any) -> str:
            return money(value, obj.currency)

        parts = [f"subtotal {m(obj.subtotal)}", f"tax {m(obj.tax_total)}", f"total {m(obj.total)}"]
        if obj.credit_applied:
            parts.append(f"paid from the credit balance {m(obj.credit_applied)}")
        if obj.status != "draft":
            parts.append(f"amount due {m(obj.amount_due)}")
        return " · ".join(parts)

    @admin.display(description="credit notes")
    def credit_notes_shown(self, obj: Invoice) -> SafeString | str:
        notes = list(obj.credit_notes.order_by("issued_at", "id"))
        if not notes:
            return "-"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}" class="credit-note-link">{}</a> {} · {} · <a href="{}">PDF</a>',
            (
                (
                    reverse("admin:invoicing_creditnote_change", args=[note.pk]),
                    note.number,
                    money(note.total, note.currency),
                    short(note.reason, 60),
                    credit_note_pdf_url(note.pk),
                )
                for note in notes
            ),
        )

    @admin.display(description="billed before its period's end")
    def interim_shown(self, obj: Invoice) -> SafeString | str:
        """Why usage was billed here before its period's end (a threshold reached, a charge
        paid in advance): invoicing/admin_interim.py."""
        return interim_summary(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="PDF")
    def pdf_link(self, obj: Invoice) -> str:
        if obj.status == "draft":
            return "(after finalization)"
        return format_html(
            '<a href="{}" id="invoice-pdf">Download PDF</a> <small>sha256 {}</small>',
            invoice_pdf_url(obj),
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


def invoice_pdf_url(invoice: Invoice) -> str:
    """The API's PDF of the invoice: it authenticates a staff member's admin session as well as
    an API key, and serves the stored file (409 while a worker renders it)."""
    return reverse("invoice-pdf", args=[invoice.pk])


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
    fields = readonly_fields = ("invoice_line", "description", "amount_shown", "tax_shown")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CreditNoteLine]:
        return super().get_queryset(request).select_related("credit_note", "invoice_line")

    @admin.display(description="amount")
    def amount_shown(self, obj: CreditNoteLine) -> str:
        return money(obj.amount, obj.credit_note.currency)

    @admin.display(description="tax")
    def tax_shown(self, obj: CreditNoteLine) -> str:
        return money(obj.tax_amount, obj.credit_note.currency)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an issued document: read-only here, and in the database


def _invoice_link(invoice: Invoice | None) -> SafeString | str:
    if invoice is None:
        return "-"
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:invoicing_invoice_change", args=[invoice.pk]), invoice
    )


@admin.register(CreditNote)
class CreditNoteAdmin(HistoryAdminMixin, admin.ModelAdmin[CreditNote]):
    list_display = (
        "number", "invoice_link", "total_shown", "tax_shown", "to_balance_shown", "reason_short",
        "issued", "issued_by", "pdf",
    )  # fmt: skip
    search_fields = ("number", "invoice__number", "reason")
    list_filter = ("currency",)
    list_select_related = ("invoice",)
    inlines = (CreditNoteLineInline,)
    change_form_template = "admin/invoicing/creditnote/change_form.html"
    fields = readonly_fields = (
        "invoice_link", "number", "currency", "total_shown", "tax_shown", "to_balance_shown",
        "reason", "subscription", "explanation_shown", "issued", "issued_by", "pdf",
    )  # fmt: skip

    @admin.display(description="explanation")
    def explanation_shown(self, obj: CreditNote) -> str:
        """A credit note issued by a rule (a cancellation's credit): its formula and period."""
        found = obj.explanation or {}
        if not found:
            return "—"
        part = found.get("part") or {}
        covers = f" ({part.get('start', '')} to {part.get('end', '')})" if part else ""
        return f"{found.get('rule', '')}: {found.get('formula', '')}{covers}"

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # the customer page links to its customer's credit notes
        return lookup == "invoice__customer__id__exact" or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description="invoice", ordering="invoice__number")
    def invoice_link(self, obj: CreditNote) -> SafeString | str:
        return _invoice_link(obj.invoice)

    @admin.display(description="total", ordering="total")
    def total_shown(self, obj: CreditNote) -> str:
        return money(obj.total, obj.currency)

    @admin.display(description="of which tax")
    def tax_shown(self, obj: CreditNote) -> str:
        return money(obj.tax_total, obj.currency)

    @admin.display(description="to the credit balance")
    def to_balance_shown(self, obj: CreditNote) -> str:
        return money(obj.to_balance, obj.currency)

    @admin.display(description="reason")
    def reason_short(self, obj: CreditNote) -> str:
        return short(obj.reason, 50)

    @admin.display(description="issued", ordering="issued_at")
    def issued(self, obj: CreditNote) -> str:
        return instant(obj.issued_at)

    @admin.display(description="PDF")
    def pdf(self, obj: CreditNote) -> SafeString | str:
        return format_html(
            '<a href="{}" class="credit-note-pdf">PDF</a>', credit_note_pdf_url(obj.pk)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued from its invoice's page (Issue credit note), or the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an issued document: read-only here, and in the database

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Correction)
class CorrectionAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """Re-ratings of billed periods after late events; proposed ones wait for approval."""

    list_display = (
        "invoice", "what", "period_short", "invoiced_shown", "recomputed_shown",
        "difference_shown", "status", "document",
    )  # fmt: skip
    list_filter = ("status", "kind", "metric_code")
    list_select_related = ("invoice", "credit_note", "supplementary_invoice")
    actions = ("apply_selected",)
    fields = readonly_fields = (
        "invoice",
        "subscription",
        "kind",
        "metric_code",
        "period",
        "quantity_shown",
        "invoiced_shown",
        "recomputed_shown",
        "difference_shown",
        "status",
        "credit_note",
        "supplementary_invoice",
        "explanation",
        "created",
        "applied",
        "applied_by",
    )

    @admin.display(description="period", ordering="period_start")
    def period(self, obj: Correction) -> str:
        return f"{instant(obj.period_start)} to {instant(obj.period_end)}"

    @admin.display(description="period", ordering="period_start")
    def period_short(self, obj: Correction) -> str:
        return period_days(obj.period_start, obj.period_end)

    @admin.display(description="metric", ordering="metric_code")
    def what(self, obj: Correction) -> str:
        return obj.metric_code or obj.get_kind_display()

    @admin.display(description="document")
    def document(self, obj: Correction) -> SafeString | str:
        if obj.credit_note is not None:
            url = reverse("admin:invoicing_creditnote_change", args=[obj.credit_note.pk])
            return format_html('<a href="{}">{}</a>', url, obj.credit_note)
        return _invoice_link(obj.supplementary_invoice)

    @admin.display(description="quantity")
    def quantity_shown(self, obj: Correction) -> str:
        return "-" if obj.quantity is None else plain(obj.quantity)

    @admin.display(description="invoiced", ordering="invoiced")
    def invoiced_shown(self, obj: Correction) -> str:
        return money(obj.invoiced, obj.invoice.currency)

    @admin.display(description="recomputed", ordering="recomputed")
    def recomputed_shown(self, obj: Correction) -> str:
        return money(obj.recomputed, obj.invoice.currency)

    @admin.display(description="difference", ordering="difference")
    def difference_shown(self, obj: Correction) -> str:
        return money(obj.difference, obj.invoice.currency)

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: Correction) -> str:
        return instant(obj.created_at)

    @admin.display(description="applied", ordering="applied_at")
    def applied(self, obj: Correction) -> str:
        return instant(obj.applied_at)

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
                    as_of=customer_id_as_of(correction.invoice.customer_id, timezone.now()),
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


# the customer page's invoicing overview (billing's CustomerAdmin, extended; see the module), and
# the company's name, logo and colours (one page: Invoicing > Branding)
from invoicing import (  # noqa: E402
    admin_branding,  # noqa: F401
    admin_customer,  # noqa: F401
    admin_imports,  # noqa: F401
    admin_interim,  # noqa: F401
)
