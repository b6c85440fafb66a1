"""Changing plan, and cancelling at the period end (and undoing it), in the portal.

A plan change is two steps. `plan` lists the plans the customer may switch to (the
configuration's, priced in the customer's currency now: `portal.selectors.plan_change_choices`);
choosing one (and a quantity, for a subscription with several seats) shows the preview computed by
`billing.services.subscription_change_preview` — the same code as the admin's — with the upcoming
invoice as it will be with the change (`invoicing.selectors.upcoming_invoice`, run inside the
preview's rolled-back transaction). The preview page carries the request it previewed, signed and
time-stamped (`billing.change_signing`, as the admin does); `plan_confirm` applies exactly that
request with the portal's actor, and the service refuses it (nothing written) when its proration
lines would differ from the previewed ones. Every refusal is a message on the page, never a 500.

Cancellation at the period end (`cancel`, `uncancel`) calls `subscription_cancel
(at_period_end=True)` and `subscription_undo_cancel`. Both pages answer 403 with a sentence when
the customer's portal configuration does not allow them; another customer's subscription is 404."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from billing.change_signing import change_request_read, change_request_sign
from billing.enums import TERMINAL
from billing.models import Subscription
from billing.services import (
    subscription_cancel,
    subscription_change,
    subscription_change_preview,
    subscription_undo_cancel,
)
from catalog.models import PlanVersion
from core.exceptions import ApplicationError
from invoicing.selectors import upcoming_invoice
from portal.access import PortalContext, portal_view
from portal.pages import display
from portal.pages.display import reader_for
from portal.pages.overview import may_cancel, not_cancellable_words
from portal.selectors import plan_change_choices
from portal.views import plan_words

PREVIEW_SALT = "portal.plan-change-preview"
PREVIEW_MAX_AGE = 10 * 60  # seconds a preview may be confirmed after it was shown
MAX_QUANTITY = 10_000


def _portal(request: HttpRequest) -> PortalContext:
    return request.portal  # type: ignore[attr-defined,no-any-return]


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return get_object_or_404(
        Subscription.objects.select_related("customer", "plan", "plan_version__plan__product"),
        customer=_portal(request).customer,
        pk=subscription_id,
    )


def _not_allowed(request: HttpRequest, sub: Subscription, what: str) -> HttpResponse:
    return render(
        request, "portal/plan_not_allowed.html", {"subscription": sub, "what": what}, status=403
    )


def _plan_changes_allowed(request: HttpRequest) -> bool:
    configuration = _portal(request).configuration
    return configuration is not None and configuration.allow_plan_change


def _cancel_allowed(request: HttpRequest) -> bool:
    configuration = _portal(request).configuration
    return configuration is not None and configuration.allow_cancel


# ------------------------------------------------------------------------------ the plan list


class PlanForm(forms.Form):
    plan = forms.TypedChoiceField(
        label=gettext_lazy("New plan"), coerce=int, widget=forms.RadioSelect
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity (seats)"), min_value=1, max_value=MAX_QUANTITY
    )

    def __init__(self, *args: Any, choices: list[PlanVersion], quantity: int | None, **kw: Any):
        super().__init__(*args, **kw)
        field = self.fields["plan"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(v.plan_id, v.plan.name) for v in choices]
        self.fields["plan"].error_messages["invalid_choice"] = _(
            "This plan is not one you can switch to."
        )
        if quantity is None:  # one seat: the plan alone is asked for
            del self.fields["quantity"]
        else:
            self.fields["quantity"].initial = quantity


def _choices(request: HttpRequest, sub: Subscription, as_of: datetime) -> list[PlanVersion]:
    return plan_change_choices(
        configuration=_portal(request).configuration, subscription=sub, as_of=as_of
    )


def _plan_page(
    request: HttpRequest,
    sub: Subscription,
    choices: list[PlanVersion],
    form: PlanForm,
    status: int = 200,
    errors: list[str] | None = None,
) -> HttpResponse:
    reader = reader_for(_portal(request))
    current = plan_words.price_words(sub.plan_version, reader, sub.quantity)
    refused = sub.customer.plan_changes_refused
    return render(
        request,
        "portal/plan.html",
        {
            "nav": "overview",
            "reader": reader,
            "subscription": sub,
            "current_price": current,
            "plans": [
                {
                    "id": version.plan_id,
                    "name": version.plan.name,
                    "description": version.plan.description,
                    "price": plan_words.price_words(version, reader),
                    "checked": str(form["plan"].value()) == str(version.plan_id),
                }
                for version in choices
            ],
            "form": form,
            "refusal": plan_words.refusal_words(ApplicationError("", code="plan_changes_refused"))
            if refused
            else "",
            "errors": [*form.non_field_errors(), *(errors or [])],
            "ended": sub.status in TERMINAL,
            "cancel_pending": sub.cancel_at_period_end,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@portal_view
def plan(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """GET the plans the customer may switch to; POST one of them: its preview."""
    sub = _subscription(request, subscription_id)
    if not _plan_changes_allowed(request):
        return _not_allowed(request, sub, "plan")
    as_of = timezone.now()
    choices = _choices(request, sub, as_of)
    seats = sub.quantity if sub.quantity > 1 else None
    if request.method == "GET":
        return _plan_page(request, sub, choices, PlanForm(choices=choices, quantity=seats))
    form = PlanForm(request.POST, choices=choices, quantity=seats)
    if not form.is_valid():
        return _plan_page(request, sub, choices, form, status=400)
    plan_id: int = form.cleaned_data["plan"]
    quantity: int | None = form.cleaned_data.get("quantity")
    if quantity == sub.quantity:
        quantity = None
    return _preview(request, sub, choices, form, plan_id, quantity, as_of)


def _preview(
    request: HttpRequest,
    sub: Subscription,
    choices: list[PlanVersion],
    form: PlanForm,
    plan_id: int,
    quantity: int | None,
    as_of: datetime,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    if sub.customer.plan_changes_refused:
        return _plan_page(request, sub, choices, form, status=409)
    try:
        preview = subscription_change_preview(
            subscription_id=sub.pk,
            as_of=as_of,
            plan_id=plan_id,
            quantity=quantity,
            when="auto",
            upcoming=lambda customer_id, at: upcoming_invoice(customer_id=customer_id, as_of=at),
        )
    except ApplicationError as exc:
        return _plan_page(
            request,
            sub,
            choices,
            form,
            status=exc.status_code,
            errors=[plan_words.refusal_words(exc)],
        )
    reader = reader_for(_portal(request))
    version = next(v for v in choices if v.plan_id == plan_id)
    token = change_request_sign(
        {
            "subscription": sub.pk,
            "customer": sub.customer_id,
            "plan": plan_id,
            "quantity": quantity,
            "when": "now" if preview.applies_now else preview.effective_at.isoformat(),
            "lines": [[line.kind, str(line.rounded)] for line in preview.lines],
        },
        salt=PREVIEW_SALT,
    )
    lines = plan_words.preview_lines(preview.lines, sub.customer)
    upcoming: dict[str, Any] | None = preview.upcoming
    if upcoming is not None and upcoming.get("billing_date") is None:
        upcoming = None  # nothing more is to be billed
    return render(
        request,
        "portal/plan_preview.html",
        {
            "nav": "overview",
            "reader": reader,
            "subscription": sub,
            "new_plan": version.plan,
            "new_price": plan_words.price_words(version, reader, preview.quantity),
            "quantity": preview.quantity,
            "applies_now": preview.applies_now,
            "effective_at": preview.effective_at,
            "rows": plan_words.preview_rows(lines, reader),
            **plan_words.preview_totals(lines),
            "due_now": Decimal(0),
            "upcoming": upcoming,
            "upcoming_rows": plan_words.upcoming_rows(upcoming, reader) if upcoming else [],
            "previewed": token,
            "notice": notice,
        },
        status=status,
    )


@require_POST
@portal_view
def plan_confirm(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Apply exactly the previewed change (signed, at most PREVIEW_MAX_AGE old), or say why not:
    an altered or expired preview, a plan no longer offered, a preview whose amounts no longer
    hold (a new preview is shown), the service's refusals. Nothing is changed then."""
    sub = _subscription(request, subscription_id)
    if not _plan_changes_allowed(request):
        return _not_allowed(request, sub, "plan")
    as_of = timezone.now()
    choices = _choices(request, sub, as_of)
    seats = sub.quantity if sub.quantity > 1 else None
    form = PlanForm(choices=choices, quantity=seats)
    try:
        asked = change_request_read(
            request.POST.get("previewed", ""), salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE
        )
    except ApplicationError as exc:
        return _plan_page(
            request, sub, choices, form, status=400, errors=[plan_words.refusal_words(exc)]
        )
    if asked.get("subscription") != sub.pk or asked.get("customer") != sub.customer_id:
        raise Http404("This preview belongs to another subscription.")
    plan_id = asked.get("plan")
    quantity = asked.get("quantity")
    if plan_id == sub.plan_id and quantity in (None, sub.quantity):  # confirmed twice
        return _plan_page(
            request, sub, choices, form, status=409,
            errors=[plan_words.refusal_words(ApplicationError("", code="no_change"))],
        )  # fmt: skip
    if plan_id not in {v.plan_id for v in choices}:
        return _plan_page(
            request,
            sub,
            choices,
            form,
            status=400,
            errors=[_("This plan is not one you can switch to.")],
        )
    when: str | datetime = (
        "now" if asked.get("when") == "now" else datetime.fromisoformat(str(asked.get("when")))
    )
    try:
        subscription_change(
            subscription_id=sub.pk,
            actor=_portal(request).actor,
            as_of=as_of,
            plan_id=plan_id,
            quantity=quantity,
            when=when,
            previewed_lines=[(kind, amount) for kind, amount in asked.get("lines") or []],
            reason="Changed by the customer in the portal",
        )
    except ApplicationError as exc:
        if exc.code == "preview_stale":
            return _preview(
                request, sub, choices, form, plan_id, quantity, as_of,
                notice=plan_words.refusal_words(exc), status=409,
            )  # fmt: skip
        return _plan_page(
            request,
            sub,
            choices,
            form,
            status=exc.status_code,
            errors=[plan_words.refusal_words(exc)],
        )
    plan_name = next(v.plan.name for v in choices if v.plan_id == plan_id)
    if when == "now":
        messages.success(request, _("Your plan is now %(plan)s.") % {"plan": plan_name})
    else:
        reader = reader_for(_portal(request))
        messages.success(
            request,
            _("Your plan changes to %(plan)s on %(day)s.")
            % {"plan": plan_name, "day": reader.day(when)},  # type: ignore[arg-type]
        )
    return HttpResponseRedirect(reverse("portal:overview"))


# ------------------------------------------------------------------------- cancel and undo

REASONS = [
    ("too_expensive", gettext_lazy("It is too expensive")),
    ("missing_features", gettext_lazy("It lacks features I need")),
    ("switching", gettext_lazy("I am switching to another service")),
    ("not_using", gettext_lazy("I do not use it enough")),
    ("other", gettext_lazy("Another reason")),
]


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you cancelling? (optional)"),
        choices=[("", gettext_lazy("I prefer not to say")), *REASONS],
        required=False,
    )
    details = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def last_day(sub: Subscription, request: HttpRequest) -> str:
    """The last day of the current period (it ends at the next period's first midnight), in
    the customer's zone and locale, in words ("30. April 2026")."""
    reader = reader_for(_portal(request))
    day = display.last_day(sub.current_period_end, reader.zone)
    return str(format_date(day, format="long", locale=reader.locale))


def _cancel_page(
    request: HttpRequest, sub: Subscription, form: CancelForm, status: int = 200, error: str = ""
) -> HttpResponse:
    reader = reader_for(_portal(request))
    return render(
        request,
        "portal/cancel.html",
        {
            "nav": "overview",
            "reader": reader,
            "subscription": sub,
            "form": form,
            "last_day": last_day(sub, request),
            "period_end": reader.day(sub.current_period_end),
            "ended": sub.status in TERMINAL,
            "pending": sub.cancel_at_period_end,
            "not_offered": ""
            if sub.status in TERMINAL or sub.cancel_at_period_end or may_cancel(sub)
            else not_cancellable_words(sub),
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@portal_view
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """GET: what cancelling means (the day it ends) and the form; POST: cancel at the end of
    the period, with the customer's reason (one of REASONS and free text) kept as the
    service's `reason` (history and journal)."""
    sub = _subscription(request, subscription_id)
    if not _cancel_allowed(request):
        return _not_allowed(request, sub, "cancel")
    if request.method == "GET":
        return _cancel_page(request, sub, CancelForm())
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _cancel_page(request, sub, form, status=400)
    if not may_cancel(sub):
        # the overview offers no cancel button then: the sentence says why
        return _cancel_page(request, sub, form, status=409, error=not_cancellable_words(sub))
    code = form.cleaned_data["reason"]
    details = form.cleaned_data["details"].strip()
    reason = "Canceled by the customer in the portal"
    if code:
        reason += f"; reason: {code}"
    if details:
        reason += f"; the customer wrote: {details}"
    try:
        subscription_cancel(
            subscription_id=sub.pk,
            actor=_portal(request).actor,
            as_of=timezone.now(),
            # at period end, unless the plan's cancellation policy says when (or refuses)
            at_period_end=None if sub.plan.cancellation_policy else True,
            reason=reason,
        )
    except (ApplicationError, ValidationError) as exc:
        error = (
            plan_words.refusal_words(exc)
            if isinstance(exc, ApplicationError)
            else _("This could not be done. Please contact us if it keeps happening.")
        )
        return _cancel_page(request, sub, form, status=409, error=error)
    messages.success(
        request,
        _("Your subscription is canceled. It stays active until %(day)s.")
        % {"day": last_day(sub, request)},
    )
    return HttpResponseRedirect(reverse("portal:cancel", args=[sub.pk]))


@require_POST
@portal_view
def uncancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Undo a pending cancellation at the period end: the subscription renews as before."""
    sub = _subscription(request, subscription_id)
    if not _cancel_allowed(request):
        return _not_allowed(request, sub, "cancel")
    if not sub.cancel_at_period_end or sub.status in TERMINAL:
        return _cancel_page(
            request, sub, CancelForm(), status=409, error=_("There is no cancellation to undo.")
        )
    try:
        subscription_undo_cancel(
            subscription_id=sub.pk,
            actor=_portal(request).actor,
            as_of=timezone.now(),
            reason="Cancellation undone by the customer in the portal",
        )
    except ApplicationError as exc:
        return _cancel_page(
            request, sub, CancelForm(), status=409, error=plan_words.refusal_words(exc)
        )
    messages.success(request, _("Your cancellation is undone. Your subscription continues."))
    return HttpResponseRedirect(reverse("portal:cancel", args=[sub.pk]))
