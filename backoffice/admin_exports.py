"""Admin: accounting exports and the general ledger's account codes.

*Exports* lists every export with its job's progress (a bar, rows written of the total, status),
its size and a download link; the list refreshes itself while one is being written. *Add export*
asks the kind, the format, the period (from, to: days in UTC, both included) and an optional
currency, and calls `export_create` (the API's service): a worker writes the file. A bad period or
currency is an error on its field. An export's page is read-only.

*General ledger account codes* maps each of our ledger accounts to finance's chart of accounts,
once: add (`gl_code_create`), change the code or name (`gl_code_update`), and remove the selected
mappings (a list action, `gl_code_delete`). The list names the accounts still unmapped (their
lines export with an empty code)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from backoffice.models import Export, ExportFormat, GlAccountCode
from backoffice.services.exports import (
    CONTENT_TYPES,
    export_create,
    export_file,
    export_filename,
)
from backoffice.services.glcodes import gl_code_create, gl_code_delete, gl_code_update
from billing.models.ledger import LedgerAccount
from catalog.admin_display import instant
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of
from core.models import JobStatus

# ---------------------------------------------------------------------------------------- exports


class ExportForm(forms.ModelForm[Export]):
    period_start = forms.DateField(
        label="From", help_text="First day, UTC (included).", widget=forms.DateInput(
            attrs={"type": "date"}
        ),
    )  # fmt: skip
    period_end = forms.DateField(
        label="To", help_text="Last day, UTC (included).", widget=forms.DateInput(
            attrs={"type": "date"}
        ),
    )  # fmt: skip
    currency = forms.CharField(
        max_length=3, required=False, help_text="An ISO 4217 code; empty: every currency."
    )

    class Meta:
        model = Export
        fields = ("kind", "format", "period_start", "period_end", "currency")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", f"The period ends ({end}) before it starts ({start}).")
        return data


@admin.register(Export)
class ExportAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = ExportForm
    change_list_template = "backoffice/export_change_list.html"
    list_display = (
        "id", "kind", "format", "period", "currency_shown", "progress", "rows", "size_shown",
        "created_by_shown", "created", "download",
    )  # fmt: skip
    list_filter = ("kind", "format", "job__status")
    list_select_related = ("job", "created_by")
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "kind", "format", "period_start", "period_end", "currency_shown", "progress", "rows",
        "size_shown", "warnings", "totals", "created_by_shown", "created", "download",
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Export | None = None) -> Any:
        if obj is None:
            return ("kind", "format", "period_start", "period_end", "currency")
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Export | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an export is never changed: its page is read-only

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        today = timezone.now().date()
        first = today.replace(day=1)
        return {"period_start": first, "period_end": today, "format": ExportFormat.CSV}

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Export:
        data = form.cleaned_data
        return export_create(
            kind=data["kind"], format=data["format"], period_start=data["period_start"],
            period_end=data["period_end"], currency=data.get("currency") or "",
            actor=actor_of(request), as_of=timezone.now(),
        )  # fmt: skip

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        self.message_user(
            request, f"{obj} is being written: it will be ready to download below.", messages.INFO
        )
        return HttpResponseRedirect(reverse("admin:backoffice_export_changelist"))

    # ------------------------------------------------------------------------------ columns

    @admin.display(description="period")
    def period(self, obj: Export) -> str:
        return f"{obj.period_start} .. {obj.period_end}"

    @admin.display(description="currency")
    def currency_shown(self, obj: Export) -> str:
        return obj.currency or "all"

    @admin.display(description="progress")
    def progress(self, obj: Export) -> SafeString:
        job = obj.job
        total = job.total
        bar = (
            format_html('<progress value="{}" max="{}"></progress> ', job.done, total)
            if total
            else mark_safe("")
        )
        counts = f"{job.done:,}/{total:,}" if total is not None else f"{job.done:,}"
        return format_html(
            '{}<span class="export-status export-{}">{}</span> {}', bar, job.status,
            job.get_status_display(), counts,
        )  # fmt: skip

    @admin.display(description="size")
    def size_shown(self, obj: Export) -> str:
        return filesizeformat(obj.size) if obj.size is not None else "-"

    @admin.display(description="by")
    def created_by_shown(self, obj: Export) -> str:
        return obj.created_by.get_username() if obj.created_by else obj.job.actor

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: Export) -> str:
        return instant(obj.created_at)

    @admin.display(description="download")
    def download(self, obj: Export) -> SafeString | str:
        if obj.job.status == JobStatus.FAILED:
            return format_html('<span class="errornote">failed</span>')
        if not obj.file:
            return "-"
        url = reverse("admin:backoffice_export_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, export_filename(obj))

    @admin.display(description="warnings and errors")
    def warnings(self, obj: Export) -> str:
        return "\n".join(obj.job.errors) or "-"

    @admin.display(description="sums")
    def totals(self, obj: Export) -> str:
        totals: dict[str, dict[str, str]] = obj.job.result.get("totals", {})
        return (
            "; ".join(
                f"{currency}: " + ", ".join(f"{name} {value}" for name, value in sums.items())
                for currency, sums in totals.items()
            )
            or "-"
        )

    # ------------------------------------------------------------------------ list and file

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        busy = Export.objects.filter(job__status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists()
        return super().changelist_view(request, {"exports_busy": busy, **(extra_context or {})})

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:export_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="backoffice_export_download",
            )
        ]
        return own + super().get_urls()

    def download_view(self, request: HttpRequest, export_id: int) -> FileResponse:
        """The file, streamed; for staff who may view exports."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = Export.objects.filter(pk=export_id).first()
        if export is None:
            raise Http404("No such export.")
        found = export_file(export)
        if found is None:
            raise Http404("This export has no file (not written yet, failed, or removed).")
        return FileResponse(
            found.open("rb"),
            as_attachment=True,
            filename=export_filename(export),
            content_type=CONTENT_TYPES[ExportFormat(export.format)],
        )


# ---------------------------------------------------------------------------------- GL codes


class GlCodeForm(forms.ModelForm[GlAccountCode]):
    class Meta:
        model = GlAccountCode
        fields = ("account", "code", "name")


@admin.register(GlAccountCode)
class GlAccountCodeAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = GlCodeForm
    list_display = ("account", "account_label", "code", "name", "updated")
    search_fields = ("code", "name", "account")
    actions = ("remove_mappings",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("account",) if obj is not None else ()

    @admin.display(description="ledger account")
    def account_label(self, obj: GlAccountCode) -> str:
        return str(obj.get_account_display())

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj: GlAccountCode) -> str:
        return instant(obj.updated_at)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> GlAccountCode:
        data = form.cleaned_data
        return gl_code_create(
            account=data["account"], code=data["code"], name=data.get("name") or "",
            actor=actor_of(request), as_of=timezone.now(),
        )  # fmt: skip

    def service_update(
        self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]
    ) -> GlAccountCode:
        data = form.cleaned_data
        return gl_code_update(
            mapping_id=obj.pk, code=data["code"], name=data.get("name") or "",
            actor=actor_of(request), as_of=timezone.now(),
        )  # fmt: skip

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("backoffice.delete_glaccountcode"))

    @admin.action(description="Remove the selected mappings", permissions=["remove"])
    def remove_mappings(self, request: HttpRequest, queryset: QuerySet[GlAccountCode]) -> None:
        now = timezone.now()
        self.each(
            request, queryset,
            lambda m: gl_code_delete(mapping_id=m.pk, actor=actor_of(request), as_of=now),
            "mapping(s) removed",
        )  # fmt: skip

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        mapped = set(GlAccountCode.objects.values_list("account", flat=True))
        missing = [label for value, label in LedgerAccount.choices if value not in mapped]
        if missing and request.method == "GET":
            self.message_user(
                request,
                "Not mapped yet (their ledger lines export with an empty code): "
                + ", ".join(str(m) for m in missing)
                + ".",
                messages.WARNING,
            )
        response = super().changelist_view(request, extra_context)
        assert isinstance(response, HttpResponse | TemplateResponse)
        return response
