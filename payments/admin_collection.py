"""Admin: retry policies (global and per plan, through the retry services) and "retry now" on
an invoice (a confirmation page; the POST calls `payment_retry_now`).

"Retry now" lives on the retry policy admin's URLs: `admin:payments_retry_now` with the
invoice's id, linked from the payment and invoice pages. It asks for the permission to add
payments (staff who may only view cannot retry) and returns to the invoice's admin page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from billing.selectors import customer_as_of
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from invoicing.admin_display import money
from invoicing.models import Invoice
from payments.models import Payment, PaymentKind, RetryPolicy
from payments.services import retries
from payments.services.collection import collection_methods_resolve

RETRY_PERMISSION = "payments.add_payment"


class RetryPolicyForm(forms.ModelForm[RetryPolicy]):
    days = forms.CharField(
        required=False,
        help_text="Days after the invoice's FIRST failed automatic attempt (not between "
        "attempts), comma-separated and ascending, e.g. 3, 5, 7; empty: no retries.",
    )

    class Meta:
        model = RetryPolicy
        fields = ("plan", "days")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["days"] = ", ".join(map(str, self.instance.days))

    def clean_days(self) -> list[int]:
        text = self.cleaned_data.get("days") or ""
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValidationError("Whole numbers of days, separated by commas.") from None


@admin.register(RetryPolicy)
class RetryPolicyAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = RetryPolicyForm
    list_display = ("__str__", "plan", "days", "updated_at")
    list_select_related = ("plan",)
    autocomplete_fields = ("plan",)
    actions = ("remove_selected",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("plan", "updated_at") if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("plan", "days", "updated_at") if obj is not None else ("plan", "days")

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        plan = form.cleaned_data.get("plan")
        return retries.retry_policy_set(
            plan_id=plan.pk if plan else None, days=form.cleaned_data["days"],
            actor=actor_of(request), as_of=timezone.now(), reason="set in the admin",
        )  # fmt: skip

    def service_update(
        self, request: HttpRequest, obj: RetryPolicy, form: Any, formsets: list[Any]
    ) -> Any:
        return retries.retry_policy_set(
            plan_id=obj.plan_id, days=form.cleaned_data["days"], actor=actor_of(request),
            as_of=timezone.now(), reason="edited in the admin",
        )  # fmt: skip

    def service_error(
        self, form: forms.BaseForm, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        """`days[2]` is the third day typed in the one `days` box."""
        if isinstance(exc, ApplicationError) and (exc.field or "").startswith("days["):
            form.add_error("days", exc.message)
            return
        add_service_error(form, exc)

    @admin.action(description="Remove the selected plans' own policies (they follow the global)")
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[RetryPolicy]) -> None:
        self.each(
            request,
            queryset.select_related("plan"),
            lambda p: retries.retry_policy_remove(
                plan_id=p.plan_id, actor=actor_of(request), as_of=timezone.now(),
                reason="removed in the admin",
            ),
            "retry policy(ies) removed.",
        )  # fmt: skip

    # ------------------------------------------------------------------------- retry now

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "retry-now/<int:invoice_id>/",
                self.admin_site.admin_view(self.retry_now_view),
                name="payments_retry_now",
            )
        ]
        return own + super().get_urls()

    def retry_now_view(self, request: HttpRequest, invoice_id: int) -> HttpResponse:
        """GET: what will happen; POST: `payment_retry_now`, then back to the invoice."""
        if not request.user.has_perm(RETRY_PERMISSION):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=invoice_id)
        back = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
        form = forms.Form(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                payment = retries.payment_retry_now(
                    invoice_id=invoice.pk,
                    actor=actor_of(request),
                    as_of=customer_as_of(invoice.customer, timezone.now()),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                self.message_user(request, f"{invoice}: no retry ({exc.message})", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{invoice}: attempt {payment.attempt} (payment #{payment.pk}) of "
                    f"{money(payment.amount, payment.currency)} made; the gateway is asked now.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back)
        return TemplateResponse(
            request,
            "admin/invoicing/invoice/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "opts": Invoice._meta,
                "original": invoice,
                "shown": {
                    "total": money(invoice.total, invoice.currency),
                    "amount_due": money(invoice.amount_due, invoice.currency),
                },
                "title": f"Retry the payment of {invoice} now",
                "happens": self._happens(invoice),
                "form": form,
                "button": "Retry now",
            },
        )

    @staticmethod
    def _happens(invoice: Invoice) -> list[str]:
        latest = (
            Payment.objects.filter(invoice=invoice, kind=PaymentKind.AUTOMATIC)
            .order_by("-attempt")
            .first()
        )
        resolution = collection_methods_resolve([invoice])[invoice.pk]
        method = resolution.method if resolution.skip is None else None
        attempt = (latest.attempt or 0) + 1 if latest else 1
        said = [
            f"Attempt {attempt} charges the amount due, "
            f"{money(invoice.amount_due, invoice.currency)}, to "
            + (f"{method}." if method else f"no method: none is usable ({resolution.skip}).")
        ]
        if latest is not None:
            said.append(
                f"The last attempt ({latest.attempt}) is {latest.state}"
                + (f": {latest.failure_code}." if latest.failure_code else ".")
            )
            if latest.retry_at:
                said.append(f"Its scheduled retry ({latest.retry_at:%Y-%m-%d %H:%M}) is dropped.")
        said.append(
            "If it fails, the retry schedule goes on (days counted from the first failure)."
        )
        return said
