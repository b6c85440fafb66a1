"""The billing details page: the form (when the configuration allows changes) and the history
of the billing details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.services import customer_update
from core.exceptions import ApplicationError
from portal.access import portal_view
from portal.pages.details import BILLING_FIELDS, BillingDetailsForm, details_history, initial_of
from portal.pages.display import reader_for


@require_http_methods(["GET", "POST"])
@portal_view
def details(request: HttpRequest) -> HttpResponse:
    portal = request.portal  # type: ignore[attr-defined]
    customer = portal.customer
    reader = reader_for(portal)
    allowed = bool(portal.configuration and portal.configuration.allow_billing_details_update)
    status = 200
    if request.method == "POST":
        form = BillingDetailsForm(request.POST, reader=reader, disabled=not allowed)
        if not allowed:
            status = 403
            form = BillingDetailsForm(initial=initial_of(customer), reader=reader, disabled=True)
        elif form.is_valid():
            try:
                customer_update(
                    customer_id=customer.pk,
                    changes={name: form.cleaned_data[name] for name in BILLING_FIELDS},
                    as_of=timezone.now(),
                    actor=portal.actor,
                    reason="billing details changed in the portal",
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Your billing details were saved."))
                return HttpResponseRedirect(reverse("portal:details"))
        if status == 200:
            status = 400
            form.describe_errors()
    else:
        form = BillingDetailsForm(initial=initial_of(customer), reader=reader, disabled=not allowed)
    return render(
        request,
        "portal/details.html",
        {
            "form": form,
            "allowed": allowed,
            "history": details_history(customer, reader),
            "reader": reader,
            "nav": "details",
        },
        status=status,
    )
