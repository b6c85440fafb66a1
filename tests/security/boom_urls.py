"""The project's URLs plus two API views that fail, for the error-shape tests."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as project_urls

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
log = logging.getLogger("tests.boom")


def boom(request: HttpRequest) -> HttpResponse:
    log.warning("about to fail")
    raise RuntimeError("boom: a bug")


class DrfBoom(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get(self, request: Request) -> HttpResponse:
        log.warning("about to fail in DRF")
        raise RuntimeError("boom: a bug in a DRF view")


urlpatterns = [
    path("api/v1/boom/", boom),
    path("api/v1/drf-boom/", DrfBoom.as_view()),
    path("elsewhere/boom/", boom),
    *project_urls,
]
