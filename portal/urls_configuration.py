"""The company's colours as a stylesheet (the CSP allows no inline style elements we write),
and its logo."""

from django.urls import path

from portal.views import branding

urlpatterns = [
    path("brand.css", branding.brand_css, name="brand_css"),
    path("brand/logo/<str:digest>/", branding.brand_logo, name="brand_logo"),
]
