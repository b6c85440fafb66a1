"""Bulk actions in the admin's lists (`backoffice.bulk` does the work): on invoices *Finalize
drafts*, *Void invoices* (with a reason), *Retry payments*, *Send payment reminders*; on customers
*Apply unapplied cash*.

Picking one in a list shows a confirmation page: what will happen, to which objects, which are
skipped and why, and the inputs it needs. Its form posts to the list's own `bulk/<action>/` view
with the selection signed (never more fields than Django accepts, whatever "select all" chose)
with a nonce: confirming claims it once (`bulk_claim`: its job), so a double submit or the back
button runs nothing again but leads to the first run's summary. Up to BULK_SYNC_MAX objects are
done in the request, above as chunk tasks; either way the POST redirects to the job's summary page
(`bulk/job/<id>/`: its progress while it runs, then per object done, skipped or failed with the
reason, and the totals). It is shown to its actor and to staff with `core.view_job`.

Each action asks for the permission of what it writes (`BulkAction.permissions`): without it the
list does not offer the action, and a forged POST is refused (403). The actions are added to the
registered admins of Invoice and Customer, whatever their classes: each is registered again as a
subclass of its class with `BulkActionsMixin`. The invoice list's own *Finalize selected drafts*
and *Void selected invoices* (no confirmation, a fixed reason) are replaced by these."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from backoffice.bulk import (
    ACTIONS,
    DONE,
    FAILED,
    SKIPPED,
    BulkAction,
    Row,
    actions_for,
    bulk_claim,
    bulk_enqueue,
    bulk_execute,
    plan_preview,
)
from billing.models import Customer
from core.audit import Actor
from core.models import Job, JobStatus
from invoicing.models import Invoice

SALT = "backoffice.bulk"
TOKEN_MAX_AGE = 3600  # seconds a confirmation page stays valid
PREVIEW_ROWS = 500  # rows listed on a confirmation page (all are counted)
SUPERSEDED: dict[type[Model], tuple[str, ...]] = {Invoice: ("finalize_selected", "void_selected")}


class ConfirmForm(forms.Form):
    selection = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Recorded with each change, in the audit history and the journal events.",
    )

    def __init__(self, *args: Any, action: BulkAction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        if action.needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if self.action.needs_reason and not reason:
            raise forms.ValidationError("A reason is required.", code="required")
        return reason


def _admin_action(action: BulkAction) -> Any:
    """The list's action: the confirmation page of `action` for the selected objects."""

    def confirm(
        model_admin: BulkActionsMixin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse:
        ids = list(queryset.values_list("pk", flat=True))
        token = signing.dumps(
            {
                "a": action.name,
                "ids": ids,
                "u": request.user.pk,
                "back": request.get_full_path(),
                "n": uuid.uuid4().hex,  # the confirmation, claimed once
            },
            salt=SALT,
            compress=True,
        )
        form = ConfirmForm(initial={"selection": token}, action=action)
        return model_admin.confirmation_page(request, action, ids, form)

    confirm.__name__ = f"bulk_{action.name}"
    confirm.allowed_permissions = (f"bulk_{action.name}",)  # type: ignore[attr-defined]
    confirm.short_description = f"{action.title}…"  # type: ignore[attr-defined]
    return confirm


class BulkActionsMixin:
    """The bulk actions of the admin's model (see the module's note), mixed before its class."""

    model: type[Model]
    admin_site: admin.AdminSite

    # -------------------------------------------------------------------------- permissions

    def _may(self, request: HttpRequest, name: str) -> bool:
        return ACTIONS[name].allowed(request.user)

    def has_bulk_finalize_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "finalize")

    def has_bulk_void_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "void")

    def has_bulk_retry_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "retry")

    def has_bulk_remind_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "remind")

    def has_bulk_apply_cash_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "apply_cash")

    def _action(self, request: HttpRequest, name: str) -> BulkAction:
        """The action `name` of this admin's model, or 404; 403 without its permission."""
        action = ACTIONS.get(name)
        if action is None or action.model is not self.model:
            raise Http404(f"No bulk action {name!r} here.")
        model_admin: Any = self
        if not (
            model_admin.has_view_or_change_permission(request) and action.allowed(request.user)
        ):
            raise PermissionDenied
        return action

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A POST naming one of these actions by a user it is not offered to: 403 (Django would
        only say "No action selected", or show the list)."""
        if request.method == "POST":
            for name in request.POST.getlist("action"):
                if name.startswith("bulk_") and name[5:] in ACTIONS:
                    self._action(request, name[5:])
        return super().changelist_view(request, extra_context)  # type: ignore[misc,no-any-return]

    # --------------------------------------------------------------------------------- urls

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        view = self.admin_site.admin_view
        name = f"{opts.app_label}_{opts.model_name}"
        own = [
            path("bulk/job/<int:job_id>/", view(self.bulk_job_view), name=f"{name}_bulk_job"),
            path("bulk/<slug:action>/", view(self.bulk_view), name=f"{name}_bulk"),
        ]
        return own + super().get_urls()  # type: ignore[misc,no-any-return]

    def _url(self, what: str, *args: Any) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{what}", args=args)

    # -------------------------------------------------------------------------------- pages

    def _context(self, request: HttpRequest, action: BulkAction, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "action": action,
            "changelist_url": self._url("changelist"),
            **extra,
        }

    def _rows(self, rows: list[Any]) -> list[dict[str, Any]]:
        """Rows (Planned or Row) with a link to their object's page."""
        out = []
        for row in rows:
            try:
                url = self._url("change", row.pk)
            except NoReverseMatch:
                url = ""
            out.append({"row": row, "url": url})
        return out

    def confirmation_page(
        self,
        request: HttpRequest,
        action: BulkAction,
        ids: list[int],
        form: ConfirmForm,
        back: str = "",
    ) -> TemplateResponse:
        planned, to_do, skipped = plan_preview(action, ids, timezone.now(), shown=PREVIEW_ROWS)
        sync_max: int = settings.BULK_SYNC_MAX
        context = self._context(
            request,
            action,
            title=f"{action.title}: confirm",
            form=form,
            selected=len(ids),
            to_do=to_do,
            skipped=skipped,
            rows=self._rows(planned),
            more=max(0, to_do + skipped - len(planned)),
            as_job=len(ids) > sync_max,
            sync_max=sync_max,
            submit_url=self._url("bulk", action.name),
            back_url=back or request.get_full_path(),
        )
        return TemplateResponse(request, "backoffice/bulk_confirm.html", context)

    def bulk_view(self, request: HttpRequest, action: str) -> HttpResponse:
        """The confirmation's POST: the selection checked, then the work done (summary) or
        queued as a job (its page)."""
        bulk = self._action(request, action)
        if request.method != "POST":
            return HttpResponseRedirect(self._url("changelist"))
        form = ConfirmForm(request.POST, action=bulk)
        selection = self._selection(request, bulk)
        if selection is None:
            return HttpResponseBadRequest(
                "selection: the confirmation page expired or was altered; select the objects "
                "again.",
                content_type="text/plain",
            )
        ids, back, nonce = selection
        model_admin: Any = self
        # what this admin lets the user see of them, still there
        ids = list(
            model_admin.get_queryset(request).filter(pk__in=ids).values_list("pk", flat=True)
        )
        if not form.is_valid():
            return self.confirmation_page(request, bulk, ids, form, back)
        params = {"reason": form.cleaned_data["reason"]} if bulk.needs_reason else {}
        actor = Actor.for_user(request.user)
        job, claimed = bulk_claim(
            action_name=bulk.name, nonce=nonce, ids=ids, actor=actor, params=params,
            as_of=timezone.now(),
        )  # fmt: skip
        if not claimed:
            messages.warning(
                request,
                f"This confirmation was submitted already (job #{job.pk}): nothing was done "
                "again. Its result is below.",
            )
        elif len(ids) > settings.BULK_SYNC_MAX:
            bulk_enqueue(
                job=job, action_name=bulk.name, ids=ids, actor=actor, params=params,
                queue=settings.BULK_QUEUE,
            )  # fmt: skip
        else:
            bulk_execute(
                action_name=bulk.name, ids=ids, actor=actor, now=timezone.now(), params=params,
                job_id=job.pk,
            )  # fmt: skip
        url = self._url("bulk_job", job.pk)
        return HttpResponseRedirect(f"{url}?{urlencode({'back': back})}" if back else url)

    def _selection(
        self, request: HttpRequest, action: BulkAction
    ) -> tuple[list[int], str, str] | None:
        try:
            data = signing.loads(
                request.POST.get("selection", ""), salt=SALT, max_age=TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            return None
        if data.get("a") != action.name or data.get("u") != request.user.pk or not data.get("n"):
            return None
        return (
            [int(pk) for pk in data.get("ids", [])],
            self._bulk_back(request, data.get("back")),
            str(data["n"]),
        )

    def _bulk_back(self, request: HttpRequest, given: Any) -> str:
        """`given` when it is a path of this site, else ""."""
        back = str(given or "")
        if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}
        ):
            return ""
        return back

    def _summary_page(
        self,
        request: HttpRequest,
        action: BulkAction,
        job: Job,
        rows: list[Row],
        counts: dict[str, int],
        total: int,
        back: str = "",
    ) -> TemplateResponse:
        job_url = ""
        if request.user.has_perm("core.view_job"):
            with contextlib.suppress(NoReverseMatch):
                job_url = reverse("admin:core_job_change", args=[job.pk])
        context = self._context(
            request,
            action,
            title=f"{action.title}: result",
            job=job,
            job_url=job_url,
            counts=list(counts.items()),
            total=total,
            rows=self._rows(rows),
            more=max(0, total - len(rows)) if rows else 0,
            back_url=back or self._url("changelist"),
        )
        return TemplateResponse(request, "backoffice/bulk_summary.html", context)

    def bulk_job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """A bulk job's page: its progress while it runs, then its summary. Read by the job's
        actor, or by staff with `core.view_job`."""
        model_admin: Any = self
        user: Any = request.user
        if not model_admin.has_view_or_change_permission(request):
            raise PermissionDenied
        jobs = Job.objects.filter(pk=job_id, kind__startswith="bulk_")
        if not user.has_perm("core.view_job"):  # its own jobs only (others' are not told)
            jobs = jobs.filter(params__user=str(user.pk))
            if not jobs.exists():
                raise PermissionDenied
        job = jobs.first()
        name = str((job.params or {}).get("action", "")) if job is not None else ""
        if job is None or name not in ACTIONS:
            raise Http404("No such bulk job.")
        action = ACTIONS[name]
        if action.model is not self.model:
            raise Http404("No such bulk job here.")
        result = job.result or {}
        rows = [Row(**row) for row in result.get("rows", [])]
        for part in sorted((result.get("chunks") or {}).items(), key=lambda kv: int(kv[0])):
            if not result.get("rows"):  # running: the chunks recorded so far
                rows += [Row(**row) for row in part[1]["rows"]]
        counts: dict[str, int] = dict(result.get("counts") or {})
        if counts and job.status == JobStatus.SUCCEEDED:
            counts = {status: counts.get(status, 0) for status in (DONE, SKIPPED, FAILED)}
            total = sum(counts.values())
        else:  # queued, running (or failed): the objects processed so far (done, skipped or
            # failed), the failures among them
            counts = {"processed": job.done, FAILED: job.failed}
            total = job.total or 0
        back = self._bulk_back(request, request.GET.get("back"))
        return self._summary_page(request, action, job, rows, counts, total, back)


# ------------------------------------------------------------------------------ registration


def extend(model: type[Model]) -> None:
    """Register `model`'s admin again as its class with the bulk actions mixed in."""
    current = admin.site._registry[model]
    cls = type(current)
    if issubclass(cls, BulkActionsMixin):
        return
    superseded = SUPERSEDED.get(model, ())
    kept = tuple(a for a in (cls.actions or ()) if a not in superseded)
    extended = type(
        f"{cls.__name__}WithBulkActions",
        (BulkActionsMixin, cls),
        {
            "__module__": __name__,
            "__doc__": cls.__doc__,
            "actions": kept + tuple(_admin_action(a) for a in actions_for(model)),
        },
    )
    admin.site.unregister(model)
    admin.site.register(model, extended)


for _model in (Invoice, Customer):
    extend(_model)
