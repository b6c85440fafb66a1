"""Bad input on the dashboard's admin pages is an error naming it, never a 500: an unknown
query parameter (the index's form, the drill-downs) and dunning states that look like numbers
but are not ids."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
import time_machine

from tests.backoffice.test_dashboard import AS_OF

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/admin/dashboard/mrr/?currency=USD&month=2026-03&kind=new&extra=1", "extra"),
        ("/admin/dashboard/dunning/?currency=USD&state=1&extra=1", "extra"),
        ("/admin/dashboard/renewals/?currency=USD&foo=1", "foo"),
    ],
)
def test_an_unknown_drill_down_parameter_is_an_error_naming_it(
    staff_client: Any, url: str, name: str
) -> None:
    with time_machine.travel(AS_OF, tick=False):
        page = text(staff_client.get(url))
    error = re.search(r'id="dash-error">([^<]*)<', page)
    assert error is not None, page
    assert f"{name}: unknown parameter" in unescape(error.group(1))


@pytest.mark.parametrize("state", ["²", "٣", "9" * 19, "-1", "", " 1"])
def test_a_bad_dunning_state_is_an_error_not_a_500(staff_client: Any, state: str) -> None:
    """ "²".isdigit() is True but int() refuses it; 19 digits overflow PostgreSQL's bigint."""
    with time_machine.travel(AS_OF, tick=False):
        response = staff_client.get(
            "/admin/dashboard/dunning/", {"currency": "USD", "state": state}
        )
    error = re.search(r'id="dash-error">([^<]*)<', text(response))
    assert error is not None
    assert unescape(error.group(1)).startswith("state: ")


def test_an_unknown_parameter_of_the_index_is_a_form_error_naming_it(staff_client: Any) -> None:
    with time_machine.travel(AS_OF, tick=False):
        page = text(staff_client.get("/admin/?foo=1&currency=USD"))
        plain = text(staff_client.get("/admin/"))
        chosen = text(staff_client.get("/admin/?currency=USD&from=2026-01&to=2026-06"))
    assert 'id="dashboard-errors"' in page
    assert "<li>foo: unknown parameter" in unescape(page)
    assert 'href="/admin/billing/customer/"' in page  # the app list still shows
    assert 'id="dashboard-errors"' not in plain
    assert 'id="dashboard-errors"' not in chosen
