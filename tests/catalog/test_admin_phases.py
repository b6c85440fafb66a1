"""Plan phases in the catalog admin: the phases inline on the plan version page (saved through
the catalog service, its refusals on the row's field, read-only once published) and a charge's
phase select."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Charge, PlanPhase, PlanVersion
from tests.catalog.factories import feature, metric, plan, utc
from tests.catalog.test_admin import TIERS, version_form
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
D = Decimal


def phase_rows(rows: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    form = {
        "phases-TOTAL_FORMS": str(len(rows)),
        "phases-INITIAL_FORMS": str(initial),
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        form.update({f"phases-{i}-{key}": value for key, value in row.items()})
    return form


LAUNCH = {"position": "0", "name": "Launch", "kind": "discount", "periods": "3",
          "fixed_fee": "10"}  # fmt: skip
STANDARD = {"position": "1", "name": "Standard", "kind": "evergreen", "periods": "",
            "fixed_fee": "30"}  # fmt: skip


def inline_errors(response: Any, prefix: str) -> list[dict[str, Any]]:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return [dict(form.errors) for form in inline.formset.forms]
    raise AssertionError(f"no inline {prefix}")


def test_a_version_with_phases_and_a_charge_in_one_phase_is_built_in_the_admin(
    staff_client: Any,
) -> None:
    pro, calls, seats = plan(), metric(), feature()
    form = {
        **version_form(pro.pk, calls.pk, seats.pk, TIERS),
        **phase_rows([LAUNCH, STANDARD]),
        "charges-0-phase": "1",  # only in the Standard phase
    }
    response = staff_client.post(reverse("admin:catalog_planversion_add"), form)
    assert response.status_code == 302, response.context["errors"]
    version = PlanVersion.objects.get()
    assert version.phase_count == 2
    assert [(p.position, p.name, p.kind, p.periods, p.fixed_fee) for p in version.phases.all()] == [
        (0, "Launch", "discount", 3, D("10")), (1, "Standard", "evergreen", None, D("30")),
    ]  # fmt: skip
    assert Charge.objects.get().phase == version.phases.get(position=1)

    # the draft's page: the phases' rows and the charge's phase selected among them
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[version.pk]))
    html = page.content.decode()
    assert 'name="phases-0-fixed_fee"' in html
    assert '<option value="1" selected>1: Standard (open-ended)</option>' in html

    # edited: the Launch phase shortened to 2 periods; the charge for every phase
    edit = {
        **version_form(pro.pk, calls.pk, seats.pk, TIERS),
        **phase_rows(
            [{**LAUNCH, "id": str(version.phases.get(position=0).pk), "periods": "2"},
             {**STANDARD, "id": str(version.phases.get(position=1).pk)}],
            initial=2,
        ),
        "charges-INITIAL_FORMS": "1",
        "charges-0-id": str(Charge.objects.get().pk),
        "charges-0-phase": "",
        "features-INITIAL_FORMS": "1",
        "features-0-id": str(version.features.get().pk),
    }  # fmt: skip
    edit.pop("plan")
    response = staff_client.post(
        reverse("admin:catalog_planversion_change", args=[version.pk]), edit
    )
    assert response.status_code == 302, response.context["errors"]
    assert [p.periods for p in PlanPhase.objects.filter(plan_version=version)] == [2, None]
    assert Charge.objects.get().phase is None


def test_the_services_refusals_show_on_the_phase_or_charge_row_field(staff_client: Any) -> None:
    pro, calls, seats = plan(), metric(), feature()
    base = version_form(pro.pk, calls.pk, seats.pk, TIERS)
    add = reverse("admin:catalog_planversion_add")
    # an open-ended phase that is not the last: phases[0].periods
    response = staff_client.post(add, {**base, **phase_rows([{**LAUNCH, "periods": ""}, STANDARD])})
    assert response.status_code == 200
    errors = inline_errors(response, "phases")
    assert "Only the last phase is open-ended" in str(errors[0]["periods"])
    # a fee with more decimals than USD's: phases[1].fixed_fee
    response = staff_client.post(
        add, {**base, **phase_rows([LAUNCH, {**STANDARD, "fixed_fee": "30.001"}])}
    )
    assert "more decimals than USD" in str(inline_errors(response, "phases")[1]["fixed_fee"])
    # a charge in a phase the book does not have: charges[0].phase
    response = staff_client.post(
        add, {**base, **phase_rows([LAUNCH, STANDARD]), "charges-0-phase": "2"}
    )
    assert "No phase at position 2" in str(inline_errors(response, "charges")[0]["phase"])
    assert not PlanVersion.objects.exists()


def test_a_published_versions_phases_are_shown_read_only(staff_client: Any) -> None:
    pro, calls = plan(), metric()
    version = services.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1), "fixed_fee": D("30")},
        phases=[{"name": "Launch", "kind": "discount", "periods": 3, "fixed_fee": D("10")},
                {"name": "Standard", "fixed_fee": D("30")}],
        charges=[{"metric": calls, "pricing_model": "per_unit",
                  "params": {"unit_price": "0.10"}, "phase": 1}],
    )  # fmt: skip
    services.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=timezone.now())
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[version.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="phases-0-fixed_fee"' not in html  # no editable inputs
    assert 'name="phases-TOTAL_FORMS"' not in html or 'name="phases-0-periods"' not in html
    assert "10.00 USD" in html
    assert "open-ended" in html
    assert "1: Standard (open-ended)" in html  # the charge's phase
