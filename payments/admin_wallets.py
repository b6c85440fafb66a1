"""Admin: wallets. Finance staff grant credit (optionally expiring) and sell top-ups through the
services; grants are read-only once made (their history shows every change); a customer's
automatic top-up is set through its service. The customer page's wallet section is built from
`customer_wallet` below."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from billing.models import Customer
from billing.selectors import customer_as_of, customer_id_as_of
from catalog.admin_display import money
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from invoicing.admin_customer import CustomerSection, customer_section_register
from payments.models import CreditGrant, WalletSettings
from payments.services import wallets as services
from payments.wallet_reads import wallet_of


class GrantForm(forms.ModelForm[CreditGrant]):
    class Meta:
        model = CreditGrant
        fields = ("customer", "amount", "reason", "expires_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "reason" in self.fields:  # the add form (a grant is read-only once made)
            self.fields["reason"].required = True


class TopUpForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.filter(archived_at__isnull=True).order_by("external_id")
    )
    amount = forms.DecimalField(
        max_digits=20, decimal_places=4, help_text="credit to buy, in the customer's currency"
    )


@admin.register(CreditGrant)
class CreditGrantAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = GrantForm
    list_display = (
        "id", "customer", "source", "granted", "left", "expires_at", "expired_at",
        "top_up_invoice", "granted_at",
    )  # fmt: skip
    list_filter = ("source", "currency")
    search_fields = ("customer__external_id", "customer__name", "reason")
    list_select_related = ("customer", "top_up_invoice")
    autocomplete_fields = ("customer",)
    date_hierarchy = "granted_at"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("customer", "amount", "reason", "expires_at")
        return (
            "customer", "source", "currency", "amount", "remaining", "amount_expired",
            "expires_at", "expired_at", "top_up_invoice", "reason", "created_by", "granted_at",
        )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="amount", ordering="amount")
    def granted(self, obj: CreditGrant) -> str:
        return money(obj.amount, obj.currency)

    @admin.display(description="remaining", ordering="remaining")
    def left(self, obj: CreditGrant) -> str:
        return money(obj.remaining, obj.currency)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        d = form.cleaned_data
        grant = services.wallet_grant(
            customer_id=d["customer"].pk, amount=d["amount"], reason=d.get("reason") or "",
            expires_at=d.get("expires_at"), actor=actor_of(request),
            as_of=customer_as_of(d["customer"], timezone.now()),
        )  # fmt: skip
        messages.success(
            request, f"Balance of {grant.customer} is now "
            f"{money(grant.customer.balance, grant.currency)}.",
        )  # fmt: skip
        return grant

    # a top-up: its own page (it makes an invoice, not a grant)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "top-up/",
                self.admin_site.admin_view(self.top_up_view),
                name="payments_creditgrant_top_up",
            )
        ]
        return own + super().get_urls()

    def top_up_view(self, request: HttpRequest) -> HttpResponse:
        """Sell prepaid credit: the form, then `wallet_top_up`; on to the invoice it made."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TopUpForm(request.POST or None, initial={"customer": request.GET.get("customer")})
        if request.method == "POST" and form.is_valid():
            try:
                invoice = services.wallet_top_up(
                    customer_id=form.cleaned_data["customer"].pk,
                    amount=form.cleaned_data["amount"], actor=actor_of(request),
                    as_of=customer_as_of(form.cleaned_data["customer"], timezone.now()),
                )  # fmt: skip
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                self.message_user(
                    request, f"Top-up invoice {invoice.number} issued: its credit is granted "
                    "when it is paid.", messages.SUCCESS,
                )  # fmt: skip
                return HttpResponseRedirect(
                    reverse("admin:invoicing_invoice_change", args=[invoice.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Sell prepaid credit (top-up)",
            "form": form,
        }
        return TemplateResponse(request, "admin/billing/subscription/action_form.html", context)


class WalletSettingsForm(forms.ModelForm[WalletSettings]):
    class Meta:
        model = WalletSettings
        fields = ("customer", "auto_top_up", "threshold", "top_up_amount")

    def validate_unique(self) -> None:
        """A customer's row may exist already (its first grant made it): the service sets it."""


@admin.register(WalletSettings)
class WalletSettingsAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = WalletSettingsForm
    list_display = ("customer", "auto_top_up", "threshold", "top_up_amount", "updated_at")
    list_filter = ("auto_top_up",)
    search_fields = ("customer__external_id", "customer__name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else ("customer",)

    def _set(self, request: HttpRequest, customer_id: int, form: Any) -> WalletSettings:
        d = form.cleaned_data
        return services.wallet_settings_set(
            customer_id=customer_id, auto_top_up=d["auto_top_up"], threshold=d.get("threshold"),
            top_up_amount=d.get("top_up_amount"), actor=actor_of(request),
            as_of=customer_id_as_of(customer_id, timezone.now()),
        )  # fmt: skip

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return self._set(request, form.cleaned_data["customer"].pk, form)

    def service_update(
        self, request: HttpRequest, obj: WalletSettings, form: Any, formsets: list[Any]
    ) -> Any:
        return self._set(request, obj.customer_id, form)


# ---------------------------------------------------------------------------------------------
# the customer page's wallet section


def customer_wallet(customer: Customer, as_of: datetime) -> dict[str, Any]:
    """The customer's wallet for its admin page (`wallet_of`, the API's summary): balance, what
    live grants hold and their next expiry, automatic top-up, unpaid top-ups, the latest
    grants; links to grant credit, sell a top-up, change the settings and read the balance
    history."""
    w = wallet_of(customer, grants=WALLET_GRANTS_SHOWN)
    c = w["currency"]
    settings_row = w["settings"]
    auto = w["auto_top_up"]
    return {
        "balance": money(w["balance"], c),
        "in_grants": money(w["in_grants"], c),
        "next_expiry": w["next_expiry"],
        "auto_top_up": auto,
        "threshold": money(w["threshold"], c) if auto and w["threshold"] is not None else "",
        "top_up_amount": (
            money(w["top_up_amount"], c) if auto and w["top_up_amount"] is not None else ""
        ),
        "unpaid_top_ups": [
            {
                "number": i.number,
                "url": reverse("admin:invoicing_invoice_change", args=[i.pk]),
                "amount_due": money(i.amount_due, c),
            }
            for i in w["unpaid_top_ups"]
        ],
        "grants": [
            {
                "url": reverse("admin:payments_creditgrant_change", args=[g.pk]),
                "source": g.get_source_display(),
                "amount": money(g.amount, c),
                "remaining": money(g.remaining, c),
                "expires_at": g.expires_at,
                "expired": g.expired_at is not None,
            }
            for g in w["grants"]
        ],
        "grant_url": reverse("admin:payments_creditgrant_add") + f"?customer={customer.pk}",
        "top_up_url": reverse("admin:payments_creditgrant_top_up") + f"?customer={customer.pk}",
        "settings_url": (
            reverse("admin:payments_walletsettings_change", args=[settings_row.pk])
            if settings_row
            else reverse("admin:payments_walletsettings_add") + f"?customer={customer.pk}"
        ),
        "history_url": reverse("admin:billing_customerbalancetransaction_changelist")
        + f"?customer__id__exact={customer.pk}",
    }


WALLET_GRANTS_SHOWN = 5

customer_section_register(
    CustomerSection(
        key="payments.wallet",
        template="admin/payments/customer_wallet.html",
        read=customer_wallet,
        order=20,
    )
)
