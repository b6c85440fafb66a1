"""Imports in the admin (Invoicing > Import runs): the runs (read only, with their subscriptions,
invoices and error) and the import page: paste or upload a history, validate it (a dry run that
writes nothing and shows what would be created and billed), then import it. Both through
invoicing/services/imports.py; a refusal shows on the form with the path of the field. Gated
by `invoicing.add_importrun`."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from core.admin import HistoryAdminMixin
from core.admin_services import actor_of
from core.exceptions import ApplicationError
from invoicing.models import ImportRun
from invoicing.services.imports import (
    import_option,
    import_run,
    import_validate,
    policy_overrides,
)

MAX_BYTES = 2_000_000


class ImportForm(forms.Form):
    document = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100, "spellcheck": "false"}),
        help_text="The history as JSON: key, customer, subscriptions (with their events).",
    )
    file = forms.FileField(required=False, help_text="Or a .json file (instead of the text).")
    notify = forms.BooleanField(
        required=False,
        initial=False,
        label="E-mail the customer",
        help_text="About what the replay produces (invoices finalized, receipts, credit notes). "
        "Unticked: no customer e-mail for them; webhooks are sent, marked imported. The "
        "document's `notify`, when it has one, must say the same.",
    )
    settle = forms.ChoiceField(
        choices=[
            ("paid_outside", "Paid in the previous system (a manual payment at finalization)"),
            ("open", "Left open (collection and dunning act on them)"),
        ],
        initial="paid_outside",
        required=False,  # left out (a scripted post): the document's, or paid_outside
        label="Replayed invoices",
        help_text="The document's `settle`, when it has one, must say the same.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        text = data.get("document") or ""
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(f"The file is larger than {MAX_BYTES} bytes.")
            text = upload.read().decode("utf-8", errors="replace")
        if not text.strip():
            raise forms.ValidationError("Paste the history or upload its file.")
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not JSON: {exc}.") from None
        if isinstance(parsed, dict):  # the form's options go into the document
            for name in ("notify", "settle"):
                if data.get(name) in (None, ""):
                    continue  # the field's own error shows, or left out: the document's
                if name in parsed and parsed[name] != data[name]:
                    raise forms.ValidationError(
                        f"The document's {name} is {json.dumps(parsed[name])}, the form's "
                        f"{json.dumps(data[name])}: make them agree."
                    )
                parsed[name] = data[name]
        data["parsed"] = parsed
        return data


def _error(form: forms.Form, exc: ApplicationError) -> None:
    where = f"{exc.field}: " if exc.field else ""
    form.add_error(None, f"{where}{exc} ({exc.code})")


@admin.register(ImportRun)
class ImportRunAdmin(HistoryAdminMixin, admin.ModelAdmin[ImportRun]):
    list_display = ("key", "status", "customer", "done_of", "created_at", "actor")
    list_filter = ("status",)
    search_fields = ("key", "customer__external_id")
    fields = ("key", "status", "customer", "subscription_links", "invoice_links", "steps", "done",
              "billed_until", "job", "options", "error", "error_field", "error_code", "actor",
              "created_at", "finished_at", "document")  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRun]:
        return super().get_queryset(request).select_related("customer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the import page, not the add form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="steps done")
    def done_of(self, run: ImportRun) -> str:
        return f"{run.done}/{run.steps}"

    @admin.display(description="options")
    def options(self, run: ImportRun) -> str:
        overrides = policy_overrides(run)
        text = (f"notify: {str(import_option(run, 'notify')).lower()}; "
                f"settle: {import_option(run, 'settle')}")  # fmt: skip
        if overrides:
            text += "; policies overridden: " + ", ".join(
                f"{o['path']} ({o['policy']})" for o in overrides
            )
        return text

    @admin.display(description="subscriptions")
    def subscription_links(self, run: ImportRun) -> SafeString:
        return format_html_join(
            ", ", '<a href="{}">#{}</a>',
            ((reverse("admin:billing_subscription_change", args=[s.pk]), s.pk)
             for s in run.subscriptions.order_by("pk")),
        )  # fmt: skip

    @admin.display(description="invoices")
    def invoice_links(self, run: ImportRun) -> SafeString:
        return format_html_join(
            ", ", '<a href="{}">{}</a> ({} {})',
            ((reverse("admin:invoicing_invoice_change", args=[i.pk]), i.number or f"#{i.pk}",
              i.total, i.currency)
             for i in run.invoices.order_by("billing_date", "pk")),
        )  # fmt: skip

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {**(extra_context or {}),
                 "can_import": request.user.has_perm("invoicing.add_importrun")}  # fmt: skip
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="invoicing_importrun_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("invoicing.add_importrun"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            document = form.cleaned_data["parsed"]
            try:
                if "_run" in request.POST:
                    run = import_run(document=document, actor=actor_of(request),
                                     as_of=timezone.now())  # fmt: skip
                    queued = " (replayed in the background)" if run.status == "running" else ""
                    messages.success(request, f"Import {run.key}: {run.status}{queued}.")
                    return HttpResponseRedirect(
                        reverse("admin:invoicing_importrun_change", args=[run.pk])
                    )
                preview = import_validate(document=document, as_of=timezone.now()).preview()
            except ApplicationError as exc:
                _error(form, exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a customer's history",
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/invoicing/importrun/import.html", context)
