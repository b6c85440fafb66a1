import sys

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.views import healthz
from core.api.errors import api_not_found
from core.api.strict import strict_api
from core.middleware import api_error, api_error_for_exception
from portal.views import errors as portal_errors

admin.site.site_header = "Billing back office"
admin.site.site_title = "Billing"
admin.site.index_title = "Finance"

api_v1 = [
    path("", include("billing.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("invoicing.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("portal.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("backoffice.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("portal/", include("portal.urls")),
    path("gateways/", include("payments.gateway_urls")),
    # every view refuses unknown query parameters and body fields (core/api/strict.py)
    path("api/v1/", include(strict_api(api_v1))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the docs: API_DOCS_PUBLIC, or staff and keys only. No inline script (the CSP): Swagger UI's
    # start-up script is served apart. No ReDoc: its page fetches a logo from Redocly's CDN.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Under /api/: the JSON error body; under /portal/ and /gateways/: the portal's page (its
    frame, the customer's language); elsewhere (the admin): Django's."""
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    if portal_errors.is_portal_path(request):
        return portal_errors.page_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a refused form (an expired token) under /portal/ and
    /gateways/ is the portal's page; elsewhere (the admin) Django's."""
    if portal_errors.is_portal_path(request):
        return portal_errors.csrf_failure(request, reason)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_error(request, 400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)  # type: ignore[arg-type]


def handler500(request: HttpRequest) -> HttpResponse:
    """Under /api/: the JSON error body (503 with Retry-After when the database is down)."""
    if request.path.startswith("/api/"):
        return api_error_for_exception(request, sys.exc_info()[1])
    from django.views.defaults import server_error

    return server_error(request)
