"""Issue 11, item 11: schemathesis over every operation of the OpenAPI schema, through WSGI against
the Django app with an API key: no 5xx, and every response conforms to the schema (status code,
content type, body). Bounded: a few examples per operation, derandomized (the same inputs on
every run), so it adds seconds, not minutes, to `make test`. SCHEMATHESIS_EXAMPLES=50 runs more.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from billing import services
from billing.models import ApiKey
from catalog.models import Plan
from tests.billing.subs import customer, priced_plan
from tests.conftest import TEST_ACTOR

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Findings that belong to another item of issue 11: (method, path) -> why.
XFAIL: dict[tuple[str, str], str] = {}


def _raw_schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))  # type: ignore[no-any-return]


schema = schemathesis.openapi.from_dict(_raw_schema())
schema.app = get_wsgi_application()
schema.config.phases.coverage.enabled = False  # its exhaustive edge cases: minutes, not seconds
schema.config.seed = 11


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """The WSGI app runs in the test's transaction, as Django's test client does: the
    connection is not closed at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def key(db: None, api_key: tuple[ApiKey, str], settings: Any, in_test_transaction: None) -> str:
    """A key, and a little of everything so that some generated ids hit real rows."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI host
    acme = customer(external_id="acme")
    customer(external_id="no-mail", email="")  # an e-mail is optional
    priced_plan("pro", "10.00")
    services.customer_balance_adjust(
        customer_id=acme.pk, amount=Decimal("5.00"), reason="seed", kind="grant",
        actor=TEST_ACTOR, as_of=timezone.now(),
    )  # fmt: skip
    assert Plan.objects.filter(code="pro").exists()
    return api_key[1]


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, key: str) -> None:
    why = XFAIL.get((case.method.upper(), case.path))
    if why:
        pytest.xfail(why)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
