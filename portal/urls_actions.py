"""The pages that act: plan change, cancel and undo, payment methods, pay now."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
