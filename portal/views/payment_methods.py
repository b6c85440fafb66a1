"""Payment methods in the portal: the list, "Add a card" through the gateway's hosted form (the
sandbox's, or Stripe Checkout in setup mode when Stripe is configured), make one the default,
remove one (after a confirmation page).

Adding. `payment_method_add` (POST) starts a setup on the card gateway (`setup_start`) and
remembers it in the Django session: the setup id with the portal session that started it. The
gateway's form sends the customer back to `payment_method_return?setup=<id>`, which accepts only
a setup this same portal session started and has not used yet (a return URL replayed by another
browser or another customer, or twice, is refused), asks the gateway what became of it
(`setup_result`) and stores the token with `payments.services.methods.payment_method_add` (the
token only: the card number never reaches this project's database), with the gateway's
customer the setup attached it to (Stripe: the `cus_...` Checkout was given, our customer's
known one or a new one; charges send it). The sandbox's form gets `?lang=<the session's
language>`. The writes need `allow_payment_method_update` in the customer's portal
configuration.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from payments.gateways.base import GatewayError, SetupState
from payments.gateways.registry import gateway as gateway_named
from payments.models import PaymentMethod, PaymentMethodState
from payments.selectors import gateway_customer_of
from payments.services.methods import (
    payment_method_add as method_add,
)
from payments.services.methods import (
    payment_method_detach,
    payment_method_set_default,
)
from portal.access import portal_view

SETUPS_KEY = "portal_pay_setups"  # {setup id: {"gateway": name, "portal_session": id}}
MAX_PENDING_SETUPS = 5
# Stripe Checkout's page: the add form's POST is redirected there; browsers check the page's
# CSP form-action against the redirect too
STRIPE_CHECKOUT = "https://checkout.stripe.com"


def card_gateway() -> str | None:
    """The gateway that saves cards here: Stripe when it is configured (STRIPE_API_KEY and in
    PAYMENT_GATEWAYS), else the sandbox when it is enabled, else none."""
    if "stripe" in settings.PAYMENT_GATEWAYS and settings.STRIPE_API_KEY:
        return "stripe"
    if "sandbox" in settings.PAYMENT_GATEWAYS:
        return "sandbox"
    return None


def may_update(request: HttpRequest) -> bool:
    configuration = request.portal.configuration  # type: ignore[attr-defined]
    return bool(configuration is not None and configuration.allow_payment_method_update)


def is_expired(method: PaymentMethod, today: date) -> bool:
    if method.state == PaymentMethodState.EXPIRED:
        return True
    if method.exp_month is None or method.exp_year is None:
        return False
    return (method.exp_year, method.exp_month) < (today.year, today.month)


def customer_methods(request: HttpRequest) -> list[PaymentMethod]:
    """The customer's attached methods, the default first."""
    return list(
        PaymentMethod.objects.filter(
            customer=request.portal.customer,  # type: ignore[attr-defined]
            detached_at__isnull=True,
        ).order_by("-is_default", "-created_at", "-id")
    )


def _list_url() -> str:
    return reverse("portal:payment_methods")


def _refuse_unless_allowed(request: HttpRequest) -> HttpResponse | None:
    if may_update(request):
        return None
    messages.error(request, _("Payment methods cannot be changed here. Please contact us."))
    return HttpResponseRedirect(_list_url())


def _method_or_404(request: HttpRequest, method_id: int) -> PaymentMethod:
    return get_object_or_404(
        PaymentMethod,
        customer=request.portal.customer,  # type: ignore[attr-defined]
        detached_at__isnull=True,
        pk=method_id,
    )


@csp_update({"form-action": [STRIPE_CHECKOUT]})  # the add form's redirect (Chromium checks it)
@require_GET
@portal_view
def payment_methods(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [{"method": m, "expired": is_expired(m, today)} for m in customer_methods(request)]
    context: dict[str, Any] = {
        "rows": rows,
        "may_update": may_update(request),
        "can_add": may_update(request) and card_gateway() is not None,
        "canceled": request.GET.get("canceled") == "1",
    }
    return render(request, "portal/payment_methods.html", context)


@require_POST
@portal_view
def payment_method_add(request: HttpRequest) -> HttpResponse:
    refused = _refuse_unless_allowed(request)
    if refused is not None:
        return refused
    name = card_gateway()
    if name is None:
        messages.error(request, _("Cards cannot be added here at the moment."))
        return HttpResponseRedirect(_list_url())
    customer = request.portal.customer  # type: ignore[attr-defined]
    next_url = request.POST.get("next", "")
    return_url = request.build_absolute_uri(reverse("portal:payment_method_return"))
    cancel_url = request.build_absolute_uri(_list_url() + "?canceled=1")
    try:
        started = gateway_named(name).setup_start(
            customer_ref=str(customer.external_id),
            customer_id=customer.pk,
            gateway_customer=gateway_customer_of(customer_id=customer.pk, gateway=name),
            return_url=return_url,
            cancel_url=cancel_url,
            idempotency_key=f"portal-setup-{uuid.uuid4().hex}",
            currency=customer.currency,
        )
    except GatewayError:
        messages.error(request, _("The card form could not be opened. Please try again later."))
        return HttpResponseRedirect(_list_url())
    pending: dict[str, dict[str, Any]] = dict(request.session.get(SETUPS_KEY) or {})
    while len(pending) >= MAX_PENDING_SETUPS:
        pending.pop(next(iter(pending)))
    pending[started.id] = {
        "gateway": name,
        "portal_session": request.portal.session.pk,  # type: ignore[attr-defined]
        "next": next_url if _is_portal_path(next_url) else "",
    }
    request.session[SETUPS_KEY] = pending
    url = started.url
    if name == "sandbox":  # our own form: in this session's language (it has no portal session)
        language = request.portal.language  # type: ignore[attr-defined]
        url = f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': language})}"
    return HttpResponseRedirect(url, status=303)


def _is_portal_path(url: str) -> bool:
    return url.startswith("/portal/") and "//" not in url and "\\" not in url


@require_GET
@portal_view
def payment_method_return(request: HttpRequest) -> HttpResponse:
    setup_id = request.GET.get("setup", "")
    pending: dict[str, dict[str, Any]] = dict(request.session.get(SETUPS_KEY) or {})
    entry = pending.get(setup_id)
    session_id = request.portal.session.pk  # type: ignore[attr-defined]
    if not setup_id or entry is None or entry.get("portal_session") != session_id:
        messages.error(
            request,
            _("This card setup was not started in this session, or was used already."),
        )
        return HttpResponseRedirect(_list_url())
    back = entry.get("next") or _list_url()
    try:
        result = gateway_named(entry["gateway"]).setup_result(setup_id=setup_id)
    except GatewayError:
        messages.error(request, _("We could not check the card. Please try again later."))
        return HttpResponseRedirect(_list_url())
    if result.state == SetupState.OPEN:
        messages.warning(request, _("The card form was not finished: no card was added."))
        return HttpResponseRedirect(_list_url())
    pending.pop(setup_id)  # used once, whatever it became
    request.session[SETUPS_KEY] = pending
    if result.state != SetupState.COMPLETE:
        messages.error(request, _("The card could not be saved: no card was added."))
        return HttpResponseRedirect(_list_url())
    if not may_update(request):
        return _refuse_unless_allowed(request) or HttpResponseRedirect(_list_url())
    data = {
        "gateway": entry["gateway"],
        "token": result.token,
        "kind": result.kind,
        "brand": result.brand,
        "last4": result.last4,
        "exp_month": result.exp_month,
        "exp_year": result.exp_year,
        "holder_name": result.holder_name,
    }
    try:
        method = method_add(
            customer_id=request.portal.customer.pk,  # type: ignore[attr-defined]
            actor=request.portal.actor,  # type: ignore[attr-defined]
            as_of=timezone.now(),
            data=data,
            reason="added in the customer portal",
            gateway_customer=result.gateway_customer,
        )
    except ApplicationError:
        messages.error(request, _("The card could not be saved: no card was added."))
        return HttpResponseRedirect(_list_url())
    messages.success(
        request,
        _("Card ending in %(last4)s added.") % {"last4": method.last4 or "····"},
    )
    return HttpResponseRedirect(back)


@require_POST
@portal_view
def payment_method_default(request: HttpRequest, method_id: int) -> HttpResponse:
    method = _method_or_404(request, method_id)
    refused = _refuse_unless_allowed(request)
    if refused is not None:
        return refused
    try:
        payment_method_set_default(
            payment_method_id=method.pk,
            actor=request.portal.actor,  # type: ignore[attr-defined]
            as_of=timezone.now(),
            reason="default chosen in the customer portal",
        )
    except ApplicationError:
        messages.error(request, _("Only a valid card can be the default."))
        return HttpResponseRedirect(_list_url())
    messages.success(
        request,
        _("The card ending in %(last4)s is now your default.") % {"last4": method.last4},
    )
    return HttpResponseRedirect(_list_url())


@require_http_methods(["GET", "POST"])
@portal_view
def payment_method_remove(request: HttpRequest, method_id: int) -> HttpResponse:
    """GET: the confirmation page; POST: remove (detach) the method."""
    method = _method_or_404(request, method_id)
    refused = _refuse_unless_allowed(request)
    if refused is not None:
        return refused
    if request.method == "GET":
        return render(request, "portal/payment_method_remove.html", {"method": method})
    try:
        payment_method_detach(
            payment_method_id=method.pk,
            actor=request.portal.actor,  # type: ignore[attr-defined]
            as_of=timezone.now(),
            reason="removed in the customer portal",
        )
    except ApplicationError as error:  # detached meanwhile
        raise Http404("No such payment method.") from error
    messages.success(
        request, _("The card ending in %(last4)s was removed.") % {"last4": method.last4}
    )
    return HttpResponseRedirect(_list_url())
