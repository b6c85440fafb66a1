"""Admin: cash application for finance staff.

- Payments: the list (customer, kind, state, amount and its parts, the gateway's reference,
  when received, the invoice and attempt an automatic payment collects), filtered and searched.
- *Record a payment* (the add page): pick the customer, then one form with the amount in the
  customer's currency, when the money came (in the customer's time zone), the bank reference, a
  memo, and the customer's open invoices with what each still owes and an amount input each (or
  "apply oldest due first"); what is not applied stays unapplied cash. One call of
  `payment_record`; a refusal shows on the input it is about, and nothing is written.
- A payment's page: its fields, read-only, and its timeline (gateway calls, allocations and the
  ones taken back, refunds, moves to the credit balance) in time order, with the buttons Apply,
  Unapply (per live allocation, with a reason), Move to balance, Refund and Retry now (the last
  two are pages of the refunds and collection admins: shown when they exist). Staff who may only
  view see no button, and their POSTs are refused.
- The customer page's part: its unapplied cash (total, the payments holding it) and its latest
  payments, with *Record a payment* for that customer.
- The AR aging report (`payments.reports.ar_aging`), linked from the admin index.

Every write is one service call (`payments.services.cash`); nothing here saves a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet, Sum, Window
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from billing.admin_subscriptions import InZoneForm, WallClockField
from billing.models import Customer, JournalEvent
from billing.selectors import customer_as_of, customer_read_as_of
from catalog.admin_display import instant, instant_both, money, short
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of
from core.admin_widgets import SafeAutocompleteSelect
from core.exceptions import ApplicationError, ValidationFailed
from invoicing.admin_customer import CustomerSection, customer_section_register
from invoicing.models import Invoice
from payments import reports
from payments.models import (
    AgingReport,
    Allocation,
    GatewayCall,
    Payment,
    PaymentKind,
    PaymentState,
    Refund,
)
from payments.services.cash import (
    AllocationRequest,
    open_invoices,
    payment_apply,
    payment_move_to_balance,
    payment_record,
    payment_unapply,
)

SHOWN = 10  # payments listed on the customer page
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def url_or_empty(name: str, *args: Any) -> str:
    """A page of another admin, when it is there (the refunds and collection admins)."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""


# ---------------------------------------------------------------------------------------------
# forms


class CustomerPickForm(forms.Form):
    """Step 1 of recording: the customer, searched as you type; without JavaScript, its
    external id typed."""

    customer = forms.ModelChoiceField(
        Customer.objects.all(),
        required=False,
        widget=SafeAutocompleteSelect(Payment._meta.get_field("customer"), admin.site),
        help_text="Type to search by external id, name or e-mail.",
    )
    external_id = forms.CharField(
        required=False, max_length=255, label="or its external id", help_text="Exactly."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("customer") is None:
            found = Customer.objects.filter(external_id=data.get("external_id") or "").first()
            if found is None:
                raise forms.ValidationError("Pick a customer, or type its external id.")
            data["customer"] = found
        return data


# Every money input holds what the numeric(20, 4) columns hold (a larger number is a form error
# on its field, never a DataError); the service says when there are more decimals than the
# currency's, and refuses amounts beyond any invoice (cash._check_amount).
MONEY_DIGITS, MONEY_PLACES = 20, 4


def amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        widget=forms.TextInput(attrs={"size": 10, "inputmode": "decimal", "class": "amount"}),
    )


class AllocationsForm(InZoneForm):
    """An amount input per open invoice (`alloc_<invoice id>`), or "apply oldest due first".
    A service's refusal of `allocations[i]...` lands on the i-th invoice given an amount."""

    apply_oldest_first = forms.BooleanField(
        required=False,
        label="Apply oldest due first",
        help_text="Pays the open invoices in the order they fall due, until the money is used "
        "(leave the amounts empty).",
    )

    def __init__(self, *args: Any, invoices: list[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoices = invoices
        for invoice in invoices:
            self.fields[self.field_of(invoice)] = amount_field()

    @staticmethod
    def field_of(invoice: Invoice) -> str:
        return f"alloc_{invoice.pk}"

    def requests(self) -> list[AllocationRequest]:
        """The amounts typed (empty or zero: nothing), in the listed order."""
        data = self.cleaned_data
        return [
            AllocationRequest(invoice_id=invoice.pk, amount=data[self.field_of(invoice)])
            for invoice in self.invoices
            if data.get(self.field_of(invoice))
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("apply_oldest_first") and any(
            data.get(self.field_of(i)) for i in self.invoices
        ):
            self.add_error(
                "apply_oldest_first",
                "Apply oldest due first, or the amounts typed on the invoices: not both.",
            )
        return data

    def add_service_error(self, exc: ApplicationError) -> None:
        found = re.fullmatch(r"allocations\[(\d+)\](?:\.\w+)?", exc.field or "")
        asked = self.requests() if hasattr(self, "cleaned_data") else []
        if found and int(found[1]) < len(asked):
            invoice_id = asked[int(found[1])].invoice_id
            self.add_error(f"alloc_{invoice_id}", exc.message)
        elif exc.field and exc.field in self.fields:
            self.add_error(exc.field, exc.message)
        else:
            self.add_error(None, exc.message)


class RecordForm(AllocationsForm):
    """Step 2 of recording a payment (see the module's note)."""

    zoned = ("received_at",)
    amount = forms.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        widget=forms.TextInput(attrs={"size": 12, "inputmode": "decimal"}),
        help_text="The money received, in the customer's currency.",
    )
    currency = forms.CharField(max_length=3, widget=forms.HiddenInput)
    received_at = WallClockField(label="Received at", widget=admin_widgets.AdminSplitDateTime)
    reference = forms.CharField(
        max_length=255, required=False, help_text="The bank transfer's or cheque's reference."
    )
    memo = forms.CharField(max_length=255, required=False)

    field_order = ("amount", "currency", "received_at", "reference", "memo")


class ApplyForm(AllocationsForm):
    """Apply what a payment still holds to the customer's open invoices."""


class UnapplyForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Recorded with the change, in the audit history and the journal event.",
    )


class MoveForm(forms.Form):
    amount = forms.DecimalField(
        required=False,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        widget=forms.TextInput(attrs={"size": 12, "inputmode": "decimal"}),
        help_text="Empty: all the unapplied cash.",
    )
    reason = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"size": 60}))


# ---------------------------------------------------------------------------------------------
# the timeline


@dataclass(frozen=True)
class Moment:
    at: datetime
    kind: str
    text: str
    who: str = ""
    link: str = ""
    link_text: str = ""
    allocation_id: int | None = None  # a live allocation: the Unapply button


def timeline(payment: Payment) -> list[Moment]:
    """What happened to a payment, in time order: received or asked, every gateway call,
    allocations (and when they were taken back), refunds, moves to the credit balance."""
    c = payment.currency
    moments = [
        Moment(
            payment.created_at,
            "created",
            f"{payment.get_kind_display()}: {money(payment.amount, c)} via {payment.gateway}"
            + (f", received {instant(payment.received_at)}" if payment.received_at else ""),
            payment.created_by,
        )
    ]
    for call in GatewayCall.objects.filter(payment=payment).order_by("at", "id"):
        detail = " ".join(x for x in (call.reason, call.message) if x)
        moments.append(
            Moment(
                call.at,
                f"gateway {call.action}",
                f"{call.action} → {call.outcome}"
                + (f" ({call.reference})" if call.reference else "")
                + (f": {detail}" if detail else ""),
            )
        )
    for allocation in Allocation.objects.filter(payment=payment).select_related("invoice"):
        link = reverse("admin:invoicing_invoice_change", args=[allocation.invoice_id])
        moments.append(
            Moment(
                allocation.created_at,
                "applied",
                f"{money(allocation.amount, c)} applied to",
                allocation.created_by,
                link,
                str(allocation.invoice),
                allocation.pk if allocation.unapplied_at is None else None,
            )
        )
        if allocation.unapplied_at is not None:
            moments.append(
                Moment(
                    allocation.unapplied_at,
                    "unapplied",
                    f"{money(allocation.amount, c)} taken back ({allocation.unapply_reason}) from",
                    allocation.unapplied_by,
                    link,
                    str(allocation.invoice),
                )
            )
    for refund in Refund.objects.filter(payment=payment):
        moments.append(
            Moment(
                refund.created_at,
                "refund",
                f"refund #{refund.pk} of {money(refund.amount, refund.currency)}: "
                f"{refund.state} ({refund.get_source_display()}) — {refund.reason}",
                refund.created_by,
            )
        )
    moved = JournalEvent.objects.filter(
        type="payment.moved_to_balance", subject_type="payment", subject_id=str(payment.pk)
    )
    for event in moved:
        moments.append(
            Moment(
                event.occurred_at,
                "to balance",
                f"{money(Decimal(event.payload['amount']), c)} moved to the credit balance — "
                f"{event.payload.get('reason', '')}",
                str((event.actor or {}).get("label", "")),
            )
        )
    return sorted(moments, key=lambda m: m.at)


# ---------------------------------------------------------------------------------------------
# the admin


@admin.register(Payment)
class PaymentAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "__str__", "customer_link", "kind", "state", "amount_shown", "applied_shown",
        "unapplied_shown", "refunded_shown", "gateway_reference", "received", "collects",
    )  # fmt: skip
    list_filter = ("state", "kind", "gateway", "currency")
    search_fields = ("customer__external_id", "customer__name", "gateway_reference")
    list_select_related = ("customer", "invoice")
    date_hierarchy = "created_at"
    change_form_template = "admin/payments/payment/change_form.html"
    fields = readonly_fields = (
        "customer_link", "kind", "state", "amount_shown", "applied_shown", "unapplied_shown",
        "to_balance_shown", "refunded_shown", "method", "gateway", "gateway_reference",
        "collects", "received_full", "failure", "memo", "created_by", "created_full",
        "updated_full",
    )  # fmt: skip

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # the customer page links to its customer's payments
        return lookup == "customer__id__exact" or super().lookup_allowed(lookup, value, request)

    # ----------------------------------------------------------------------- list columns

    @admin.display(description="customer", ordering="customer__external_id")
    def customer_link(self, obj: Payment) -> SafeString:
        url = reverse("admin:billing_customer_change", args=[obj.customer_id])
        # the name shortened, never the external id (a long name used to cut it off)
        customer = obj.customer
        return format_html(
            '<a href="{}">{} ({})</a>', url, short(customer.name, 28), customer.external_id
        )

    @admin.display(description="amount", ordering="amount")
    def amount_shown(self, obj: Payment) -> str:
        return money(obj.amount, obj.currency)

    @admin.display(description="applied", ordering="applied")
    def applied_shown(self, obj: Payment) -> str:
        return money(obj.applied, obj.currency)

    @admin.display(description="unapplied", ordering="unapplied")
    def unapplied_shown(self, obj: Payment) -> str:
        return money(obj.unapplied, obj.currency)

    @admin.display(description="moved to the balance")
    def to_balance_shown(self, obj: Payment) -> str:
        return money(obj.to_balance, obj.currency)

    @admin.display(description="refunded", ordering="refunded")
    def refunded_shown(self, obj: Payment) -> str:
        return money(obj.refunded, obj.currency)

    @admin.display(description="received at", ordering="received_at")
    def received(self, obj: Payment) -> str:
        return instant(obj.received_at, obj.customer.timezone or "UTC")

    @admin.display(description="received at")
    def received_full(self, obj: Payment) -> str:
        return instant_both(obj.received_at, obj.customer.timezone or "UTC")

    @admin.display(description="created at")
    def created_full(self, obj: Payment) -> str:
        return instant(obj.created_at)

    @admin.display(description="updated at")
    def updated_full(self, obj: Payment) -> str:
        return instant(obj.updated_at)

    @admin.display(description="failure")
    def failure(self, obj: Payment) -> str:
        return " ".join(x for x in (obj.failure_code, obj.failure_message) if x) or "-"

    @admin.display(description="invoice / attempt")
    def collects(self, obj: Payment) -> SafeString | str:
        if obj.invoice_id is None:
            return "-"
        url = reverse("admin:invoicing_invoice_change", args=[obj.invoice_id])
        return format_html('<a href="{}">{}</a> / attempt {}', url, obj.invoice, obj.attempt)

    # ----------------------------------------------------------------------------- pages

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("ar-aging/", view(self.aging_view), name="payments_ar_aging"),
            path("<int:pk>/apply/", view(self.apply_view), name="payments_payment_apply"),
            path(
                "<int:pk>/unapply/<int:allocation_id>/",
                view(self.unapply_view),
                name="payments_payment_unapply",
            ),
            path(
                "<int:pk>/move-to-balance/",
                view(self.move_view),
                name="payments_payment_move",
            ),
        ]
        return own + super().get_urls()

    def _payment(self, request: HttpRequest, pk: int) -> Payment:
        payment = get_object_or_404(Payment.objects.select_related("customer"), pk=pk)
        self.require(request, "change", payment)
        return payment

    @staticmethod
    def _back(pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:payments_payment_change", args=[pk]))

    def _page(self, request: HttpRequest, template: str, **context: Any) -> TemplateResponse:
        full = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, f"admin/payments/payment/{template}", full)

    # ------------------------------------------------------------------ record a payment

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Record a payment: step 1 picks the customer (`?customer=<id>` skips it), step 2 is
        the payment with its allocations."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        source = request.POST if request.method == "POST" else request.GET
        picked = source.get("customer") or source.get("external_id")
        pick = CustomerPickForm(source if picked else None)
        if not pick.is_valid():
            return self._page(
                request, "record_customer.html", title="Record a payment", form=pick,
                media=self.media + pick.media,
            )  # fmt: skip
        customer: Customer = pick.cleaned_data["customer"]
        zone = customer.timezone or "UTC"
        invoices = open_invoices(customer.pk)
        form = RecordForm(
            request.POST if request.method == "POST" else None,
            invoices=invoices,
            zone=zone,
            initial={
                "currency": customer.currency,
                # now, as a wall-clock time of the customer's zone (where it is typed)
                "received_at": customer_read_as_of(customer, timezone.now())
                .astimezone(ZoneInfo(zone))
                .replace(tzinfo=None),
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            asked = form.requests()
            try:
                payment = payment_record(
                    customer_id=customer.pk,
                    amount=data["amount"],
                    currency=data["currency"],
                    received_at=data["received_at"],
                    reference=data["reference"],
                    memo=data["memo"],
                    allocations=asked or None,
                    apply_oldest_first=data["apply_oldest_first"],
                    actor=actor_of(request),
                    as_of=customer_as_of(customer, timezone.now()),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                self.log_addition(request, payment, [{"added": {}}])
                self.message_user(
                    request,
                    f"Payment #{payment.pk} recorded: {money(payment.amount, payment.currency)}"
                    f", applied {money(payment.applied, payment.currency)}, unapplied "
                    f"{money(payment.unapplied, payment.currency)}.",
                    messages.SUCCESS,
                )
                return self._back(payment.pk)
        return self._page(
            request, "record.html", title=f"Record a payment from {customer}",
            form=form, customer=customer, zone=zone, rows=_invoice_rows(form, invoices, zone),
            media=self.media + form.media,
        )  # fmt: skip

    # --------------------------------------------------------------- the payment's page

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Payment | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context["timeline"] = timeline(obj)
            context["buttons"] = _buttons(obj) if self.has_change_permission(request, obj) else {}
        return super().render_change_form(request, context, add, change, form_url, obj)

    def apply_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = self._payment(request, pk)
        zone = payment.customer.timezone or "UTC"
        invoices = [i for i in open_invoices(payment.customer_id) if i.currency == payment.currency]
        form = ApplyForm(
            request.POST if request.method == "POST" else None, invoices=invoices, zone=zone
        )
        if request.method == "POST" and form.is_valid():
            asked = form.requests()
            try:
                if not asked and not form.cleaned_data["apply_oldest_first"]:
                    raise ValidationFailed(
                        "Type an amount on an invoice, or apply oldest due first."
                    )
                done = payment_apply(
                    payment_id=pk, actor=actor_of(request),
                    as_of=customer_as_of(payment.customer, timezone.now()),
                    allocations=asked or None,
                )  # fmt: skip
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                applied = sum((a.amount for a in done), Decimal(0))
                self.message_user(
                    request,
                    f"{money(applied, payment.currency)} applied to {len(done)} invoice(s).",
                    messages.SUCCESS,
                )
                return self._back(pk)
        return self._page(
            request, "apply.html", title=f"Apply {payment}", original=payment, form=form,
            rows=_invoice_rows(form, invoices, zone),
            unapplied=money(payment.unapplied, payment.currency),
        )  # fmt: skip

    def unapply_view(self, request: HttpRequest, pk: int, allocation_id: int) -> HttpResponse:
        payment = self._payment(request, pk)
        allocation = get_object_or_404(
            Allocation.objects.select_related("invoice"), pk=allocation_id, payment_id=pk
        )
        form = UnapplyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                payment_unapply(
                    allocation_id=allocation_id, actor=actor_of(request),
                    as_of=customer_as_of(payment.customer, timezone.now()),
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except ApplicationError as exc:
                form.add_error("reason" if exc.field == "reason" else None, exc.message)
            else:
                self.message_user(
                    request,
                    f"{money(allocation.amount, payment.currency)} taken back from "
                    f"{allocation.invoice}: it is unapplied cash again.",
                    messages.SUCCESS,
                )
                return self._back(pk)
        return self._page(
            request, "confirm.html", title=f"Unapply from {allocation.invoice}",
            original=payment, form=form, button="Unapply", happens=[
                f"The {money(allocation.amount, payment.currency)} applied to "
                f"{allocation.invoice} go back to the payment as unapplied cash.",
                f"{allocation.invoice} owes them again (it is open or partially paid again).",
                "A payment.unapplied event is journaled with your reason.",
            ],
        )  # fmt: skip

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = self._payment(request, pk)
        form = MoveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                done = payment_move_to_balance(
                    payment_id=pk, actor=actor_of(request),
                    as_of=customer_as_of(payment.customer, timezone.now()),
                    reason=form.cleaned_data["reason"], amount=form.cleaned_data["amount"],
                )  # fmt: skip
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(
                    request,
                    f"Moved to {payment.customer}'s credit balance; the payment holds "
                    f"{money(done.unapplied, done.currency)} unapplied.",
                    messages.SUCCESS,
                )
                return self._back(pk)
        return self._page(
            request, "confirm.html", title=f"Move {payment}'s unapplied cash to the balance",
            original=payment, form=form, button="Move to balance", happens=[
                f"Of its unapplied {money(payment.unapplied, payment.currency)}, the amount "
                f"goes to {payment.customer}'s credit balance, which its next invoices use.",
                "A payment.moved_to_balance event is journaled with your reason.",
            ],
        )  # fmt: skip

    # ---------------------------------------------------------------------- AR aging

    def aging_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("invoicing.view_invoice"):
            raise PermissionDenied
        today = timezone.now().date()
        as_of = today
        error = ""
        if request.GET.get("as_of"):
            try:
                as_of = date.fromisoformat(request.GET["as_of"])
            except ValueError:
                error = f"{request.GET['as_of']!r} is not a date (YYYY-MM-DD): as of today."
        try:
            top = min(max(int(request.GET.get("top", 10)), 1), 100)
        except ValueError:
            top = 10
        report = reports.ar_aging(as_of=as_of, top=top)
        return self._page(
            request, "ar_aging.html", title="AR aging", report=report, error=error,
            sections=[_aging_section(aging, report.as_of) for aging in report.currencies],
            labels=[reports.LABELS[b] for b in reports.BUCKETS], top=top,
        )  # fmt: skip


def _invoice_rows(
    form: AllocationsForm, invoices: list[Invoice], zone: str
) -> list[dict[str, Any]]:
    return [
        {
            "invoice": invoice,
            "url": reverse("admin:invoicing_invoice_change", args=[invoice.pk]),
            "issued": instant(invoice.finalized_at, zone)[:10] if invoice.finalized_at else "-",
            "due": instant(invoice.due_at, zone)[:10] if invoice.due_at else "-",
            "total": money(invoice.total, invoice.currency),
            "owes": money(invoice.amount_due, invoice.currency),
            "status": invoice.status,
            "field": form[form.field_of(invoice)],
        }
        for invoice in invoices
    ]


def _buttons(payment: Payment) -> dict[str, Any]:
    """The payment page's buttons (the services decide; these only show what may work)."""
    succeeded = payment.state == PaymentState.SUCCEEDED
    refund = ""
    if succeeded and payment.refunded < payment.amount:
        base = url_or_empty("admin:payments_refund_add")
        refund = f"{base}?payment={payment.pk}" if base else ""
    retry = ""
    if (
        payment.kind == PaymentKind.AUTOMATIC
        and payment.state == PaymentState.FAILED
        and payment.invoice_id is not None
    ):
        retry = url_or_empty("admin:payments_retry_now", payment.invoice_id)
    return {
        "apply": succeeded and payment.unapplied > 0,
        "move": succeeded and payment.unapplied > 0,
        "unapply": succeeded,
        "refund": refund,
        "retry": retry,
    }


def _aging_section(aging: reports.CurrencyAging, as_of: date) -> dict[str, Any]:
    c = aging.currency
    changelist = reverse("admin:invoicing_invoice_changelist")
    return {
        "currency": c,
        "buckets": [
            {
                "label": reports.LABELS[b],
                "amount": money(aging.buckets[b], c),
                "count": aging.counts[b],
            }
            for b in reports.BUCKETS
        ],
        "total": money(aging.total, c),
        "count": aging.invoice_count,
        "written_off": money(aging.written_off, c),
        "written_off_count": aging.written_off_count,
        "customers": [
            {
                "url": reverse("admin:billing_customer_change", args=[row.customer_id]),
                "invoices_url": f"{changelist}?customer__id__exact={row.customer_id}",
                "label": f"{row.external_id} — {short(row.name, 40)}",
                "buckets": [money(row.buckets[b], c) for b in reports.BUCKETS],
                "total": money(row.total, c),
                "written_off": money(row.written_off, c),
            }
            for row in aging.customers
        ],
        "customer_count": aging.customer_count,
        "chart": aging_chart(aging, as_of),
    }


def aging_chart(aging: reports.CurrencyAging, as_of: date) -> SafeString:
    """A bar per bucket, drawn by pygal as an inline SVG (no script: the page works without
    JavaScript, under the CSP). The bars' heights are floats, for drawing only: the figures on
    the page are the Decimals."""
    import pygal
    from django.utils.safestring import mark_safe

    c = aging.currency
    chart = pygal.Bar(
        title=f"What is owed in {c} by days past due, as of {as_of:%Y-%m-%d}",
        width=640,
        height=300,
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        explicit_size=True,
        value_formatter=lambda v: f"{v:,.2f}",
    )
    chart.x_labels = [reports.LABELS[b] for b in reports.BUCKETS]
    chart.add(c, [float(aging.buckets[b]) for b in reports.BUCKETS])
    svg: str = chart.render(is_unicode=True)
    # pygal always writes an inline <script> with its tooltip config (even with js=[]): the CSP
    # would block it and report a violation; the chart needs no script, so it is dropped
    svg = SCRIPT.sub("", svg)
    return mark_safe(svg)  # noqa: S308 (pygal escapes the labels; ours are constants)


@admin.register(AgingReport)
class AgingReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The report's entry in the admin index: it reads invoices and writes nothing, so whoever
    may view invoices sees it; its list is the report's page."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("invoicing.view_invoice"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        target = reverse("admin:payments_ar_aging")
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{target}?{query}" if query else target)


# ---------------------------------------------------------------------------------------------
# the customer page's part


def customer_cash(customer: Customer, as_of: datetime) -> dict[str, Any]:
    """The customer's unapplied cash (its total per currency and the payments holding it) and
    its latest payments: two queries."""
    zone = customer.timezone or "UTC"
    holding = list(
        Payment.objects.filter(customer=customer, state=PaymentState.SUCCEEDED, unapplied__gt=0)
        .annotate(
            held=Window(Sum("unapplied"), partition_by=[F("currency")]),
        )
        .order_by("received_at", "created_at", "id")[:SHOWN]
    )
    totals: dict[str, Decimal] = {}
    for payment in holding:
        totals[payment.currency] = payment.held
    latest: QuerySet[Payment] = Payment.objects.filter(customer=customer).order_by(
        "-created_at", "-id"
    )[:SHOWN]

    def row(payment: Payment) -> dict[str, Any]:
        c = payment.currency
        return {
            "label": f"#{payment.pk}",
            "url": reverse("admin:payments_payment_change", args=[payment.pk]),
            "kind": payment.kind,
            "state": payment.state,
            "amount": money(payment.amount, c),
            "applied": money(payment.applied, c),
            "unapplied": money(payment.unapplied, c),
            "reference": payment.gateway_reference,
            "received": instant(payment.received_at or payment.created_at, zone),
        }

    return {
        "totals": [money(total, c) for c, total in sorted(totals.items())]
        or [money(Decimal(0), customer.currency)],
        "holding": [row(p) for p in holding],
        "latest": [row(p) for p in latest],
        "record_url": reverse("admin:payments_payment_add") + f"?customer={customer.pk}",
        "all_url": reverse("admin:payments_payment_changelist")
        + f"?customer__id__exact={customer.pk}",
    }


customer_section_register(
    CustomerSection(
        key="payments.cash",
        template="admin/payments/customer_cash.html",
        read=customer_cash,
        order=10,
    )
)
