from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.views import healthz
from core.api.errors import api_not_found

admin.site.site_header = "Billing back office"
admin.site.site_title = "Billing"
admin.site.index_title = "Finance"

api_v1 = [
    path("", include("billing.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("invoicing.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the docs: API_DOCS_PUBLIC, or staff and keys only. No inline script (the CSP): Swagger UI's
    # start-up script is served apart. No ReDoc: its page fetches a logo from Redocly's CDN.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
