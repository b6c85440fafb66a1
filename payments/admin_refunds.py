"""Admin: refunds. Finance staff refund a payment from its page (the add form, reached with
`?payment=<id>`): the form shows the payment and what it can give back — its unapplied cash and
what credit notes on the invoices it paid put on the customer's balance — and asks the amount
(empty: the most allowed), the reason, and either an existing credit note or an invoice to credit
now (the whole invoice). It calls `refund_create`, the service behind the API; its refusals show
on their fields. A refund's page is read-only, with every call made to the gateway."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from billing.selectors import customer_id_as_of
from catalog.admin_display import instant, money, short
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from payments.models import Allocation, Payment, PaymentState, Refund
from payments.services.refunds import Refundable, refund_create, refundable_of

ADD_FIELDS = ("payment", "amount", "reason", "credit_note", "credit_invoice")


def _payment_of(form: forms.BaseForm) -> Payment | None:
    raw = form.data.get("payment") if form.is_bound else form.initial.get("payment")
    if isinstance(raw, Payment):
        return raw
    try:
        return Payment.objects.select_related("customer").filter(pk=int(str(raw))).first()
    except (TypeError, ValueError):
        return None


class RefundForm(forms.ModelForm[Refund]):
    payment = forms.ModelChoiceField(
        queryset=Payment.objects.filter(state=PaymentState.SUCCEEDED).select_related("customer"),
        help_text="the payment whose money goes back",
    )
    amount = forms.DecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        help_text="empty: the most that is refundable from the source chosen",
    )
    credit_note = forms.ModelChoiceField(
        queryset=CreditNote.objects.none(),
        required=False,
        help_text="refund what this credit note put on the customer's balance",
    )
    credit_invoice = forms.ModelChoiceField(
        queryset=Invoice.objects.none(),
        required=False,
        label="Issue a credit note for invoice",
        help_text="credit this whole invoice now and refund what it puts on the balance "
        "(for part of an invoice, issue the credit note first and choose it above)",
    )

    class Meta:
        model = Refund
        fields = ("payment", "amount", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payment = _payment_of(self)
        fields: dict[str, Any] = dict(self.fields)
        if payment is None:
            return
        paid = Allocation.objects.filter(payment=payment, unapplied_at__isnull=True)
        fields["credit_note"].queryset = CreditNote.objects.filter(
            invoice_id__in=paid.values("invoice_id"), to_balance__gt=0
        ).order_by("issued_at", "pk")
        fields["credit_invoice"].queryset = Invoice.objects.filter(
            pk__in=paid.values("invoice_id"),
            status__in=(InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID),
        ).order_by("pk")
        fields["payment"].widget = forms.HiddenInput()


def refundable_summary(payment: Payment, refundable: Refundable) -> SafeString:
    """The payment and what it can give back, by source (the add form's heading)."""
    c = payment.currency
    notes = format_html_join(
        "",
        "<li>credit note {} on {}: {} left on the balance</li>",
        (
            (n.credit_note.number, n.credit_note.invoice.number, money(n.left, c))
            for n in refundable.credit_notes
        ),
    )
    return format_html(
        "<p><strong>{}</strong> of {} ({} {}), received {}. Refunded so far: {}; it can give back "
        "at most {}.</p><ul><li>from its unapplied cash (an overpayment): {}</li>{}</ul>"
        "<p>The customer's refundable credit balance: {} (its credit balance less the promotional "
        "and prepaid credit its wallet grants hold; a refund from a credit note takes no more)."
        "</p>",
        payment, payment.customer, payment.gateway, payment.gateway_reference or "-",
        instant(payment.received_at), money(payment.refunded, c), money(refundable.payment, c),
        money(refundable.unapplied, c), notes or format_html("<li>{}</li>", "no credit note left"),
        money(refundable.balance, c),
    )  # fmt: skip


@admin.register(Refund)
class RefundAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = RefundForm
    list_display = (
        "__str__", "payment", "customer", "refunded", "source", "state", "why", "created_at",
        "settled_at",
    )  # fmt: skip
    list_filter = ("state", "source", "currency")
    search_fields = (
        "payment__customer__external_id", "payment__customer__name", "reason",
        "idempotency_key", "gateway_reference",
    )  # fmt: skip
    list_select_related = ("payment__customer",)
    date_hierarchy = "created_at"
    readonly_fields_on_change = (
        "payment", "customer", "refunded", "source", "credit_note", "state", "reason",
        "idempotency_key", "gateway_reference", "failure_code", "failure_message",
        "refund_requested_at", "settled_at", "created_by", "created_at", "updated_at",
        "gateway_calls",
    )  # fmt: skip

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return [(None, {"fields": self.readonly_fields_on_change})]
        payment = self._asked_payment(request)
        if payment is None:
            return [(None, {"fields": ADD_FIELDS})]
        summary = refundable_summary(payment, refundable_of(payment))
        return [(None, {"fields": ADD_FIELDS, "description": summary})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields_on_change

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        if obj is not None:  # the change page shows the refund: no form fields of its own
            kw["fields"] = ()
        return super().get_form(request, obj, change=change, **kw)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a refund is never edited: its page is read-only

    @staticmethod
    def _asked_payment(request: HttpRequest) -> Payment | None:
        raw = request.POST.get("payment") or request.GET.get("payment")
        if raw is None or not str(raw).isdigit():
            return None
        return Payment.objects.select_related("customer").filter(pk=int(raw)).first()

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Refund:
        d = form.cleaned_data
        note, invoice = d.get("credit_note"), d.get("credit_invoice")
        return refund_create(
            payment_id=d["payment"].pk, amount=d.get("amount"), reason=d.get("reason") or "",
            credit_note_id=note.pk if note else None,
            credit_invoice_id=invoice.pk if invoice else None,
            actor=actor_of(request),
            as_of=customer_id_as_of(d["payment"].customer_id, timezone.now()),
        )  # fmt: skip

    def response_add(
        self, request: HttpRequest, obj: Refund, post_url_continue: Any = None
    ) -> HttpResponse:
        """To the refund's page, saying what the gateway answered."""
        said = {
            "succeeded": (messages.SUCCESS, "refunded"),
            "failed": (messages.ERROR, f"refused by the gateway ({obj.failure_code})"),
            "pending": (messages.WARNING, "sent; the gateway's answer is not known yet (the "
                        "clock asks it)"),
        }[obj.state]  # fmt: skip
        self.message_user(request, f"{obj}: {said[1]}.", said[0])
        return HttpResponseRedirect(reverse("admin:payments_refund_change", args=[obj.pk]))

    @admin.display(description="customer")
    def customer(self, obj: Refund) -> str:
        return str(obj.payment.customer)

    @admin.display(description="amount", ordering="amount")
    def refunded(self, obj: Refund) -> str:
        return money(obj.amount, obj.currency)

    @admin.display(description="reason")
    def why(self, obj: Refund) -> str:
        return short(obj.reason)

    @admin.display(description="gateway calls")
    def gateway_calls(self, obj: Refund) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (instant(c.at), c.gateway, c.action, c.outcome, c.reference or "-",
                 " ".join(filter(None, (c.reason, c.message))) or "-")
                for c in obj.calls.order_by("at", "pk")
            ),
        )  # fmt: skip
        if not rows:
            return format_html("<p>{}</p>", "No call made yet.")
        return format_html(
            "<table><thead><tr><th>at</th><th>gateway</th><th>call</th><th>outcome</th>"
            "<th>reference</th><th>reason</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )
