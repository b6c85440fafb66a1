"""The buttons of the invoice page: Finalize, Void, Mark uncollectible and Issue credit note,
each a POST to an explicit admin view that calls the invoice's service. Void and write-off ask
for a reason on a page saying what will happen; the credit note form previews its tax and totals
with the issue's own code (`credit_note_preview`) before issuing. A service's refusal is shown as
a form error on the input it names, or as an error message: never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from billing.selectors import customer_id_as_of
from core.audit import Actor
from core.exceptions import ApplicationError
from invoicing.admin_display import money
from invoicing.models import CreditNoteLine, Invoice, InvoiceLine, InvoiceStatus
from invoicing.services import (
    credit_note_issue,
    credited_total,
    invoice_finalize,
    invoice_mark_uncollectible,
    invoice_void,
)
from invoicing.services.adjust import CreditNoteAmounts, credit_note_preview

# the statuses a credit note may be issued against (the service checks it: these only show the
# button)
CREDITABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Recorded with the change, in the audit history and the journal event.",
    )


class CreditNoteForm(forms.Form):
    everything = forms.BooleanField(
        required=False,
        label="Credit everything left",
        help_text="Every line's remaining amount (discounts netted), instead of amounts per line.",
    )
    reason = forms.CharField(
        max_length=255,
        required=False,  # the service requires it when issuing; a preview does without
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def __init__(self, *args: Any, lines: list[InvoiceLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            # any number of decimals: the service says when there are more than the currency's
            self.fields[self.field_of(line)] = forms.DecimalField(
                required=False,
                max_digits=18,
                label=line.description,
                widget=forms.TextInput(attrs={"size": 10, "inputmode": "decimal"}),
            )

    @staticmethod
    def field_of(line: InvoiceLine) -> str:
        return f"amount_{line.pk}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = any(data.get(self.field_of(line)) is not None for line in self.lines)
        if data.get("everything") and typed:
            raise forms.ValidationError(
                "Credit everything left, or the amounts typed on the lines: not both."
            )
        if not data.get("everything") and self.parts() == []:
            raise forms.ValidationError(
                "Enter the amount to credit on one line or more, or tick “Credit everything left”."
            )
        return data

    def parts(self) -> list[tuple[int, Decimal]] | None:
        """The (line id, amount) asked for, in the invoice's line order; None: everything."""
        data = self.cleaned_data
        if data.get("everything"):
            return None
        return [
            (line.pk, data[self.field_of(line)])
            for line in self.lines
            if data.get(self.field_of(line)) is not None
        ]

    def add_service_error(self, exc: ApplicationError) -> None:
        """The refusal on the input it is about: `lines[i].amount` is the i-th line asked for."""
        parts = self.parts() if hasattr(self, "cleaned_data") else None
        found = re.fullmatch(r"lines\[(\d+)\](?:\.amount)?", exc.field or "")
        if found and parts is not None and int(found[1]) < len(parts):
            line_id = parts[int(found[1])][0]
            self.add_error(f"amount_{line_id}", exc.message)
        elif exc.field == "reason":
            self.add_error("reason", exc.message)
        else:
            self.add_error(None, exc.message)


@dataclass
class CreditRow:
    line: InvoiceLine
    credited: Decimal
    credited_tax: Decimal
    field: forms.BoundField
    preview_amount: Decimal | None = None
    preview_tax: Decimal | None = None

    @property
    def left(self) -> Decimal:
        return self.line.amount - self.credited


class InvoiceActionsMixin:
    """The invoice page's action views (mixed into InvoiceAdmin)."""

    def get_urls(self) -> list[URLPattern]:
        model_admin: admin.ModelAdmin[Invoice] = self  # type: ignore[assignment]
        view = model_admin.admin_site.admin_view
        own = [
            path("<int:pk>/finalize/", view(self.finalize_view), name="invoicing_invoice_finalize"),
            path("<int:pk>/void/", view(self.void_view), name="invoicing_invoice_void"),
            path(
                "<int:pk>/uncollectible/",
                view(self.uncollectible_view),
                name="invoicing_invoice_uncollectible",
            ),
            path(
                "<int:pk>/credit-note/",
                view(self.credit_note_view),
                name="invoicing_invoice_credit_note",
            ),
        ]
        return own + super().get_urls()  # type: ignore[misc,no-any-return]

    # ------------------------------------------------------------------------------ helpers

    def _invoice(self, request: HttpRequest, pk: int) -> Invoice:
        model_admin: admin.ModelAdmin[Invoice] = self  # type: ignore[assignment]
        invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=pk)
        if not model_admin.has_change_permission(request, invoice):
            raise PermissionDenied
        return invoice

    @staticmethod
    def _back(pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:invoicing_invoice_change", args=[pk]))

    def _page(
        self, request: HttpRequest, invoice: Invoice, template: str, **context: Any
    ) -> TemplateResponse:
        model_admin: admin.ModelAdmin[Invoice] = self  # type: ignore[assignment]
        full = {
            **model_admin.admin_site.each_context(request),
            "opts": Invoice._meta,
            "original": invoice,
            "currency": invoice.currency,
            "shown": {
                "total": money(invoice.total, invoice.currency),
                "amount_due": money(invoice.amount_due, invoice.currency),
            },
            **context,
        }
        return TemplateResponse(request, template, full)

    # ------------------------------------------------------------------------------ finalize

    def finalize_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Number and freeze a draft now (POST from its page)."""
        invoice = self._invoice(request, pk)
        if request.method != "POST":
            return self._back(pk)
        model_admin: admin.ModelAdmin[Invoice] = self  # type: ignore[assignment]
        try:
            done = invoice_finalize(
                invoice_id=pk,
                as_of=customer_id_as_of(invoice.customer_id, timezone.now()),
                actor=Actor.for_user(request.user),
            )
        except ApplicationError as exc:
            model_admin.message_user(
                request, f"{invoice} was not finalized: {exc.message}", messages.ERROR
            )
        else:
            model_admin.message_user(
                request,
                f"Finalized as {done.number} ({done.status}): total "
                f"{money(done.total, done.currency)}, amount due "
                f"{money(done.amount_due, done.currency)}.",
                messages.SUCCESS,
            )
        return self._back(pk)

    # ------------------------------------------------------------------- void and write-off

    def void_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self._invoice(request, pk)
        c = invoice.currency
        happens = [
            f"{invoice} becomes void. It keeps its number: the series has no gap.",
            f"Its ledger posting is reversed: the receivable of {money(invoice.total, c)} and "
            "the revenue and tax it recorded.",
        ]
        if invoice.credit_applied:
            happens.append(
                f"The {money(invoice.credit_applied, c)} it took from the customer's credit "
                "balance goes back to the balance."
            )
        credited = credited_total(invoice)
        if credited:
            happens.append(
                f"Credit notes of {money(credited, c)} were issued against it: voiding is "
                "refused; credit the rest instead."
            )
        happens.append("An invoice.voided event is journaled with your reason.")
        return self._reason_action(
            request, invoice, invoice_void, title=f"Void {invoice}", happens=happens,
            button="Void the invoice", done="voided",
        )  # fmt: skip

    def uncollectible_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self._invoice(request, pk)
        happens = [
            f"Its amount due, {money(invoice.amount_due, invoice.currency)}, is written off to "
            "bad debt (the receivable goes down by as much).",
            "The invoice stays: a payment received later still marks it paid, and it may still "
            "be voided.",
            "An invoice.marked_uncollectible event is journaled with your reason.",
        ]
        return self._reason_action(
            request, invoice, invoice_mark_uncollectible, title=f"Mark {invoice} uncollectible",
            happens=happens, button="Write it off", done="marked uncollectible",
        )  # fmt: skip

    def _reason_action(
        self,
        request: HttpRequest,
        invoice: Invoice,
        service: Callable[..., Invoice],
        *,
        title: str,
        happens: list[str],
        button: str,
        done: str,
    ) -> HttpResponse:
        """A confirmation page saying what will happen, asking for the reason; the POST calls
        the service, whose refusal shows on the form."""
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                service(
                    invoice_id=invoice.pk,
                    as_of=customer_id_as_of(invoice.customer_id, timezone.now()),
                    actor=Actor.for_user(request.user),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                form.add_error("reason" if exc.field == "reason" else None, exc.message)
            else:
                model_admin: admin.ModelAdmin[Invoice] = self  # type: ignore[assignment]
                model_admin.message_user(request, f"{invoice}: {done}.", messages.SUCCESS)
                return self._back(invoice.pk)
        return self._page(
            request, invoice, "admin/invoicing/invoice/confirm_action.html",
            title=title, form=form, happens=happens, button=button,
        )  # fmt: skip

    # --------------------------------------------------------------------------- credit note

    def credit_note_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The invoice's lines, what was credited of each and what is left, an amount per line
        (or everything left) and a reason. "Preview" computes the note with the issue's code
        without writing; "Issue" calls `credit_note_issue`."""
        invoice = self._invoice(request, pk)
        if not request.user.has_perm("invoicing.add_creditnote"):
            raise PermissionDenied  # issuing one adds a credit note (as the API asks)
        lines = list(invoice.lines.order_by("subscription", "period_start", "position", "id"))
        form = CreditNoteForm(request.POST or None, lines=lines)
        before = {
            row["invoice_line"]: (row["a"], row["t"])
            for row in CreditNoteLine.objects.filter(credit_note__invoice=invoice)
            .values("invoice_line")
            .annotate(a=Sum("amount"), t=Sum("tax_amount"))
        }
        preview: CreditNoteAmounts | None = None
        if request.method == "POST" and form.is_valid():
            parts = form.parts()
            try:
                preview = credit_note_preview(invoice_id=pk, lines=parts)
            except ApplicationError as exc:
                form.add_service_error(exc)
            if preview is not None and "_issue" in request.POST:
                try:
                    note = credit_note_issue(
                        invoice_id=pk,
                        as_of=customer_id_as_of(invoice.customer_id, timezone.now()),
                        actor=Actor.for_user(request.user),
                        reason=form.cleaned_data["reason"],
                        lines=parts,
                    )
                except ApplicationError as exc:
                    form.add_service_error(exc)
                else:
                    model_admin: admin.ModelAdmin[Invoice] = self  # type: ignore[assignment]
                    model_admin.message_user(
                        request,
                        f"Credit note {note.number} issued on {invoice}: total "
                        f"{money(note.total, note.currency)}, of which "
                        f"{money(note.to_balance, note.currency)} to the customer's credit "
                        "balance.",
                        messages.SUCCESS,
                    )
                    return self._back(pk)
        nothing = (Decimal(0), Decimal(0))
        rows = [
            CreditRow(line, *before.get(line.pk, nothing), form[form.field_of(line)])
            for line in lines
        ]
        if preview is not None:
            by_line = {part.line.pk: part for part in preview.lines}
            for row in rows:
                if row.line.pk in by_line:
                    row.preview_amount = by_line[row.line.pk].amount
                    row.preview_tax = by_line[row.line.pk].tax_amount
        return self._page(
            request,
            invoice,
            "admin/invoicing/invoice/credit_note_form.html",
            title=f"Issue a credit note on {invoice}",
            form=form,
            rows=rows,
            preview=preview,
        )
