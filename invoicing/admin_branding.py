"""Branding in the admin: one page (Invoicing > Branding) where finance staff set the company's
name, logo and colours shown in the customer portal and on the next invoices' PDFs. Written
through `branding_update`: a refusal (a low contrast, an SVG or too large a logo) shows on its
field, with everything typed kept."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from invoicing.branding import (
    COLOR_FIELDS,
    LOGO_MAX_BYTES,
    LOGO_MAX_SIDE,
    LOGO_MIN_SIDE,
    MIN_CONTRAST,
    contrast_ratio,
)
from invoicing.models import BRAND_DEFAULTS, Branding, BrandLogo
from invoicing.services.branding import branding_update

COLOR = forms.TextInput(attrs={"type": "color"})


class BrandingForm(forms.ModelForm[Branding]):
    logo_file = forms.FileField(
        required=False,
        label="New logo",
        help_text=f"PNG or JPEG, at most {LOGO_MAX_BYTES // 1024} KB, {LOGO_MIN_SIDE} to "
        f"{LOGO_MAX_SIDE} pixels a side (SVG is refused: it can carry scripts).",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    class Meta:
        model = Branding
        fields = ("display_name", *COLOR_FIELDS)
        widgets = dict.fromkeys(COLOR_FIELDS, COLOR)
        labels = {
            "display_name": "Company name shown",
            "primary_color": "Primary colour",
            "primary_text_color": "Text on the primary colour",
            "accent_color": "Accent colour",
        }
        help_texts = {
            "primary_text_color": f"Must contrast with the primary colour at least "
            f"{MIN_CONTRAST}:1 (WCAG AA).",
        }


@admin.register(Branding)
class BrandingAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = BrandingForm
    fieldsets = (
        (None, {"fields": ("display_name",)}),
        ("Logo", {"fields": ("logo_shown", "logo_file", "remove_logo")}),
        (
            "Colours",
            {"fields": ("primary_color", "primary_text_color", "contrast", "accent_color")},
        ),
    )
    readonly_fields = ("logo_shown", "contrast")

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """The one row (its defaults while staff have not saved it yet)."""
        if object_id != "1":
            return None
        return Branding.objects.select_related("logo").filter(pk=1).first() or Branding(
            pk=1, updated_at=timezone.now(), **BRAND_DEFAULTS
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # not a redirect to a page that refuses
        return HttpResponseRedirect(reverse("admin:invoicing_branding_change", args=[1]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Logo now")
    def logo_shown(self, obj: Branding) -> str:
        logo: BrandLogo | None = obj.logo if obj.logo_id else None
        if logo is None:
            return "(none)"
        data = base64.b64encode(bytes(logo.data)).decode("ascii")
        return format_html(
            '<img src="data:{};base64,{}" alt="logo" style="max-height:64px;max-width:240px">'
            "<br><small>{}, {}×{} px, {} KB, SHA-256 {}</small>",  # noqa: RUF001
            logo.content_type, data, logo.content_type, logo.width, logo.height,
            max(1, logo.size // 1024), logo.sha256[:16],
        )  # fmt: skip

    @admin.display(description="Contrast now")
    def contrast(self, obj: Branding) -> str:
        ratio = contrast_ratio(obj.primary_color, obj.primary_text_color)
        return format_html(
            '<span style="background:{};color:{};padding:2px 8px">Sample text</span> {}:1',
            obj.primary_color, obj.primary_text_color, f"{ratio:.2f}",
        )  # fmt: skip

    def service_update(
        self, request: HttpRequest, obj: Branding, form: Any, formsets: list[Any]
    ) -> Any:
        data: dict[str, Any] = {key: form.cleaned_data[key] for key in BrandingForm.Meta.fields}
        upload = form.cleaned_data.get("logo_file")
        if upload:
            data["logo"] = upload.read(LOGO_MAX_BYTES + 1)
        elif form.cleaned_data.get("remove_logo"):
            data["logo"] = None
        return branding_update(
            data=data, as_of=timezone.now(), actor=actor_of(request),
            reason="changed in the admin",
        )  # fmt: skip

    def service_error(
        self, form: Any, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        if isinstance(exc, ApplicationError) and exc.field == "logo":
            form.add_error("logo_file", exc.message)
            return
        add_service_error(form, exc)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        self.message_user(request, "The branding was saved; the next documents take it.")
        return HttpResponseRedirect(reverse("admin:invoicing_branding_change", args=[1]))
