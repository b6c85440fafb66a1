"""The gateways' own pages (the sandbox gateway's card form)."""

from django.urls import URLPattern, URLResolver, path

from payments import sandbox_setup

urlpatterns: list[URLPattern | URLResolver] = [
    path("sandbox/setup/<str:setup_id>/", sandbox_setup.sandbox_setup, name="sandbox_setup"),
]
