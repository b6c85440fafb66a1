"""The admin's charge form and a charge's `prorated` parameter (issue 17 item 6: charges on
recurring metrics): a box for the per_unit, graduated and volume models, kept when a stored
charge is opened and saved again, refused (as a form error) on the other models and on a
metric that is not recurring."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from catalog import services
from catalog.admin_charges import ChargeForm, describe_params
from catalog.models import BillableMetric, Charge, PlanVersion
from tests.catalog.factories import feature, metric, plan, utc
from tests.catalog.test_admin import version_form
from tests.catalog.test_usage_thresholds import inline_errors
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
TIERS = {"tiers": [{"from": "0", "to": None, "unit_price": "3"}]}


@pytest.fixture
def seats() -> BillableMetric:
    return metric("seats", aggregation="sum", field_name="n", recurring=True)


def form(seats: BillableMetric, model: str, **data: str) -> ChargeForm:
    return ChargeForm(data={"metric": str(seats.pk), "pricing_model": model, "position": "0",
                            **data})  # fmt: skip


def test_the_box_sets_prorated_for_the_models_that_take_it(seats: BillableMetric) -> None:
    tiers = {"tiers-0-from": "0", "tiers-0-to": "", "tiers-0-unit_price": "3"}
    for model, inputs in (("per_unit", {"unit_price": "3"}), ("graduated", tiers),
                          ("volume", tiers)):  # fmt: skip
        checked = form(seats, model, prorated="on", **inputs)
        assert checked.is_valid(), checked.errors
        assert checked.cleaned_data["params"]["prorated"] is True
        unchecked = form(seats, model, **inputs)
        assert unchecked.is_valid(), unchecked.errors
        assert "prorated" not in unchecked.cleaned_data["params"]  # today's rule
    package = form(seats, "package", package_size="10", package_price="5", prorated="on")
    assert not package.is_valid()  # the box is hidden for this model: on the model
    assert (
        "prorated applies to the per_unit, graduated, volume"
        in (package.errors["pricing_model"][0])
    )
    advance = form(seats, "per_unit", unit_price="3", prorated="on", pay_in_advance="on")
    assert not advance.is_valid()
    assert "A prorated charge is billed at its period's end" in advance.errors["pay_in_advance"][0]


def test_a_stored_prorated_charge_is_kept_when_saved_again(
    staff_client: Any, seats: BillableMetric
) -> None:
    version = services.plan_version_create(
        plan_id=plan().pk, actor=TEST_ACTOR, as_of=utc(2024, 1, 1),
        data={"effective_from": utc(2024, 1, 1)},
        charges=[{"metric": seats, "pricing_model": "graduated", "params": {**TIERS,
                                                                           "prorated": True}}],
    )  # fmt: skip
    charge = Charge.objects.get(plan_version=version)
    assert ChargeForm(instance=charge).initial["prorated"] is True
    change = reverse("admin:catalog_planversion_change", args=[version.pk])
    html = staff_client.get(change).content.decode()
    assert re.search(r'<input type="checkbox" name="charges-0-prorated"[^>]* checked>', html)
    assert "charge-params-graduated" in html
    # the page posted back as shown (the box checked): the charge stays prorated
    posted = {
        **version_form(version.plan_id, seats.pk, feature().pk, TIERS),
        "charges-INITIAL_FORMS": "1", "charges-0-id": str(charge.pk),
        "charges-0-plan_version": str(version.pk), "charges-0-prorated": "on",
    }  # fmt: skip
    response = staff_client.post(change, posted)
    assert response.status_code == 302, response.context["errors"]
    (saved,) = PlanVersion.objects.get(pk=version.pk).charges.all()
    assert saved.params == {**TIERS, "prorated": True}
    assert "Prorated" in str(describe_params("graduated", saved.params))
    assert "prorated: yes" in str(
        describe_params("per_unit", {"unit_price": "3", "prorated": True})
    )
    # unchecked: no longer prorated (the box is the input, nothing kept behind it)
    del posted["charges-0-prorated"]
    posted["charges-0-id"] = str(saved.pk)  # the service wrote the charges again
    assert staff_client.post(change, posted).status_code == 302
    assert "prorated" not in Charge.objects.get(plan_version=version).params


def test_prorated_on_a_metric_that_is_not_recurring_is_a_form_error(staff_client: Any) -> None:
    calls = metric()  # a sum of calls: starts from zero each period
    posted = {**version_form(plan().pk, calls.pk, feature().pk, TIERS), "charges-0-prorated": "on"}
    response = staff_client.post(reverse("admin:catalog_planversion_add"), posted)
    assert response.status_code == 200
    (errors,) = inline_errors(response, "charges")
    assert (
        "prorated applies to a charge on a recurring metric: api_calls is not recurring"
        in (errors["prorated"][0])
    )
    assert not PlanVersion.objects.exists()
