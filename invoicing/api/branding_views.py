"""The company's brand over the API: `GET /api/v1/branding/` and `PATCH` (the fields given).
The logo travels as base64 in the JSON body (the API reads JSON only): `"logo": "<base64>"`
(a `data:image/png;base64,` prefix is accepted) sets it, `"logo": null` removes it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.actors import request_actor
from core.api.schema import error_responses
from invoicing.branding import LOGO_MAX_BYTES, MIN_CONTRAST, contrast_ratio, decoded_logo
from invoicing.models import Branding, BrandLogo
from invoicing.selectors import branding_current
from invoicing.services.branding import branding_update

TAGS = ["branding"]
COLOR_HELP = "#rrggbb"


class BrandingIn(serializers.Serializer[Any]):
    display_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, trim_whitespace=True,
        help_text="The company name shown in the portal and on documents; empty: the "
        "company's name (COMPANY_NAME).",
    )  # fmt: skip
    primary_color = serializers.CharField(max_length=7, required=False, help_text=COLOR_HELP)
    primary_text_color = serializers.CharField(
        max_length=7, required=False,
        help_text=f"{COLOR_HELP}; contrast with primary_color at least {MIN_CONTRAST}:1",
    )  # fmt: skip
    accent_color = serializers.CharField(max_length=7, required=False, help_text=COLOR_HELP)
    logo = serializers.CharField(
        required=False, allow_null=True, trim_whitespace=False,
        help_text=f"base64 of a PNG or JPEG file (at most {LOGO_MAX_BYTES // 1024} KB, 16 to "
        "2000 pixels a side; SVG is refused); null removes the logo.",
    )  # fmt: skip


class LogoOut(serializers.ModelSerializer[BrandLogo]):
    class Meta:
        model = BrandLogo
        fields = ("sha256", "content_type", "size", "width", "height")


class BrandingOut(serializers.Serializer[Any]):
    display_name = serializers.CharField()
    uses_company_name = serializers.BooleanField()
    logo = LogoOut(allow_null=True)
    primary_color = serializers.CharField()
    primary_text_color = serializers.CharField()
    accent_color = serializers.CharField()
    contrast_ratio = serializers.CharField(help_text='text on primary, e.g. "8.59" (to 1)')
    updated_at = serializers.DateTimeField(allow_null=True)


def branding_out() -> dict[str, Any]:
    brand = branding_current()
    stored = Branding.objects.filter(pk=1).values_list("display_name", "updated_at").first()
    logo = BrandLogo.objects.filter(pk=brand.logo_id).first() if brand.logo_id else None
    ratio = contrast_ratio(brand.primary_color, brand.primary_text_color)
    return BrandingOut(
        {
            "display_name": brand.display_name,
            "uses_company_name": not (stored and stored[0]),
            "logo": logo,
            "primary_color": brand.primary_color,
            "primary_text_color": brand.primary_text_color,
            "accent_color": brand.accent_color,
            "contrast_ratio": f"{ratio:.2f}",
            "updated_at": stored[1] if stored else None,
        }
    ).data


class BrandingView(generics.GenericAPIView[Any]):
    serializer_class = BrandingOut
    permission_model = Branding
    pagination_class = None

    @extend_schema(
        operation_id="branding_retrieve",
        responses={200: BrandingOut, **error_responses(401)},
        tags=TAGS,
        description="The company's name, logo and colours shown in the customer portal and on "
        "invoice and credit-note PDFs.",
    )
    def get(self, request: Request) -> Response:
        return Response(branding_out())

    @extend_schema(
        operation_id="branding_partial_update",
        request=BrandingIn,
        responses={200: BrandingOut, **error_responses(400, 401)},
        tags=TAGS,
        description="Change the fields given. Refused (400, naming the field): a colour not "
        "#rrggbb (`invalid_color`), text on primary below 4.5:1 (`low_contrast` on "
        "`primary_text_color`, naming the ratio), a logo that is not base64, not a PNG or JPEG "
        "(`unsupported_image`; SVG is refused), larger than 256 KB (`too_large`) or outside "
        "16-2000 pixels a side (`bad_dimensions`). Finalized documents keep the brand they "
        "were issued with; the next ones take this one.",
    )
    def patch(self, request: Request) -> Response:
        data = BrandingIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "logo" in values and values["logo"] is not None:
            values["logo"] = decoded_logo(values["logo"])
        branding_update(data=values, as_of=timezone.now(), actor=request_actor(request))
        return Response(branding_out())
