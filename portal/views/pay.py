"""Pay an open invoice now, with a payment method the customer chooses.

`invoice_pay` (GET) shows the invoice's amount due and the customer's usable methods, the default
preselected; its POST calls `payments.services.retries.payment_retry_now` with the chosen method
(`method_id`) and the attempt number the form showed (`expected_attempt`): one charging path for
staff, the API and the portal, and a form sent twice makes one attempt (the second is refused as
already made, or as pending). The charge itself happens after the commit, on the worker
(collection's charge task). `invoice_pay_status` then shows that attempt: processing (the page
refreshes itself every few seconds with a meta refresh: no script) → paid, or failed with the
gateway's reason in the customer's words.

Paying now is open to every customer with something due, whatever its portal configuration
says about changing payment methods (it pays with a method it already has), and also to a
customer who pays by bank transfer (automatic collection off): it chose this charge.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csp.decorators import csp_update
from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ValidationFailed
from invoicing.models import Invoice, InvoiceStatus
from invoicing.pdf import Reader
from payments.gateways.base import GatewayError
from payments.gateways.registry import can_charge
from payments.gateways.registry import gateway as gateway_named
from payments.models import Payment, PaymentKind, PaymentMethod, PaymentMethodState, PaymentState
from payments.services.retries import RETRYABLE, payment_retry_now
from portal.access import portal_view
from portal.pages import display
from portal.pages.invoices import finalized_invoices
from portal.views.payment_methods import STRIPE_CHECKOUT, card_gateway, may_update

REFRESH_SECONDS = 3

# The gateway's reason in the customer's words (anything else: "the payment failed").
FAILURE_WORDS = {
    "card_declined": gettext_lazy("Your card was declined."),
    "insufficient_funds": gettext_lazy("Your card has insufficient funds."),
    "processing_error": gettext_lazy(
        "Your card could not be processed. Please try again later or use another card."
    ),
    "expired_card": gettext_lazy("Your card has expired."),
    "soft_decline": gettext_lazy("Your bank declined the payment for now. Please try again."),
}


def reader_for(request: HttpRequest, invoice: Invoice) -> Reader:
    """The pages' reader (the session's language switch, else the customer's locale), in the
    invoice's currency."""
    reader = display.reader_for(request.portal)  # type: ignore[attr-defined]
    return replace(reader, currency=invoice.currency)


def usable_methods(request: HttpRequest) -> list[PaymentMethod]:
    """The customer's methods that can pay now: attached, active, on an enabled gateway that
    charges (not a bank transfer on the manual gateway: it never charges)."""
    methods = PaymentMethod.objects.filter(
        customer=request.portal.customer,  # type: ignore[attr-defined]
        detached_at__isnull=True,
        state=PaymentMethodState.ACTIVE,
    ).order_by("-is_default", "-created_at", "-id")
    enabled: dict[str, bool] = {}
    out = []
    for method in methods:
        if method.gateway not in enabled:
            try:
                gateway_named(method.gateway)
                enabled[method.gateway] = can_charge(method.gateway)
            except GatewayError:  # not enabled here
                enabled[method.gateway] = False
        if enabled[method.gateway]:
            out.append(method)
    return out


def method_label(method: PaymentMethod) -> str:
    brand = (method.brand or method.get_kind_display()).title()
    label = f"{brand} ···· {method.last4}" if method.last4 else brand
    if method.exp_month and method.exp_year:
        label += " " + _("(expires %(month)02d/%(year)d)") % {
            "month": method.exp_month,
            "year": method.exp_year,
        }
    if method.is_default:
        label += " · " + _("default")
    return label


class PayForm(forms.Form):
    method = forms.TypedChoiceField(
        label=gettext_lazy("Pay with"), coerce=int, widget=forms.RadioSelect
    )
    attempt = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, methods: list[PaymentMethod], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["method"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(m.pk, method_label(m)) for m in methods]
        self.fields["method"].error_messages["invalid_choice"] = _("Choose one of your cards.")
        self.fields["method"].error_messages["required"] = _("Choose a card to pay with.")


def _latest(invoice: Invoice) -> Payment | None:
    return (
        Payment.objects.filter(invoice=invoice, kind=PaymentKind.AUTOMATIC)
        .order_by("-attempt", "-id")
        .first()
    )


def _invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    """The session's customer's issued invoice (a draft is 404, as on every portal page)."""
    customer = request.portal.customer  # type: ignore[attr-defined]
    return get_object_or_404(finalized_invoices(customer).select_related("customer"), pk=invoice_id)


def _payment_id(asked: str) -> int:
    """`?payment=`'s id; 0 (found nowhere) for anything else than ASCII digits of a bigint."""
    if asked.isascii() and asked.isdigit() and len(asked) <= 18:
        return int(asked)
    return 0


def _status_url(invoice: Invoice, payment: Payment | None = None) -> str:
    url = reverse("portal:invoice_pay_status", args=[invoice.pk])
    return f"{url}?payment={payment.pk}" if payment is not None else url


@csp_update({"form-action": [STRIPE_CHECKOUT]})  # its "add a card" form may go to Stripe
@require_http_methods(["GET", "POST"])
@portal_view
def invoice_pay(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    latest = _latest(invoice)
    if latest is not None and latest.state == PaymentState.PENDING:
        return HttpResponseRedirect(_status_url(invoice, latest))
    payable = invoice.status in RETRYABLE and invoice.amount_due > 0
    methods = usable_methods(request) if payable else []
    next_attempt = (latest.attempt or 0) + 1 if latest is not None else 1
    default = next((m.pk for m in methods if m.is_default), methods[0].pk if methods else None)
    form = PayForm(
        request.POST if request.method == "POST" else None,
        methods=methods,
        initial={"method": default, "attempt": next_attempt},
    )
    status = 200
    if request.method == "POST":
        if not payable:
            form.add_error(None, _("This invoice cannot be paid now: nothing is due."))
        elif form.is_valid():
            try:
                payment = payment_retry_now(
                    invoice_id=invoice.pk,
                    actor=request.portal.actor,  # type: ignore[attr-defined]
                    as_of=timezone.now(),
                    method_id=form.cleaned_data["method"],
                    expected_attempt=form.cleaned_data["attempt"],
                )
            except ValidationFailed as refused:
                if refused.code in ("attempt_pending", "attempt_exists"):
                    # sent twice: the first submission's attempt is the one to follow
                    return HttpResponseRedirect(_status_url(invoice))
                if refused.field == "payment_method":
                    form.add_error("method", _("This card cannot pay: choose another one."))
                else:
                    form.add_error(None, _("This invoice cannot be paid now: nothing is due."))
            else:
                return HttpResponseRedirect(_status_url(invoice, payment))
        status = 400
    reader = reader_for(request, invoice)
    context = {
        "invoice": invoice,
        "payable": payable,
        "amount_due": reader.money(invoice.amount_due),
        "due_date": reader.day(invoice.due_at),
        "overdue": bool(invoice.due_at and invoice.due_at < timezone.now()),
        "form": form,
        "methods": methods,
        "can_add": may_update(request) and card_gateway() is not None,
        "paid": invoice.status == InvoiceStatus.PAID,
    }
    return render(request, "portal/invoice_pay.html", context, status=status)


@require_GET
@portal_view
def invoice_pay_status(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The state of a payment of this invoice (the one named by `?payment=`, else the latest):
    processing (the page refreshes itself), paid, or failed and why."""
    invoice = _invoice(request, invoice_id)
    asked = request.GET.get("payment", "")
    payment: Payment | None
    if asked:
        payment = get_object_or_404(
            Payment.objects.select_related("method"),
            invoice=invoice,
            customer=request.portal.customer,  # type: ignore[attr-defined]
            pk=_payment_id(asked),
        )
    else:
        payment = _latest(invoice)
    reader = reader_for(request, invoice)
    state = payment.state if payment is not None else ""
    reason = ""
    if payment is not None and state == PaymentState.FAILED:
        reason = str(FAILURE_WORDS.get(payment.failure_code, _("The payment failed.")))
    context = {
        "invoice": invoice,
        "payment": payment,
        "state": state,
        "amount": reader.money(payment.amount) if payment is not None else "",
        "amount_due": reader.money(invoice.amount_due),
        "reason": reason,
        "paid": invoice.status == InvoiceStatus.PAID,
        "refresh": REFRESH_SECONDS if state == PaymentState.PENDING else None,
        "method": method_label(payment.method) if payment and payment.method else "",
    }
    return render(request, "portal/invoice_pay_status.html", context)
