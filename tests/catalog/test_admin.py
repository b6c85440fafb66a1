from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from catalog.models import Charge, PlanVersion
from tests.catalog.factories import feature, metric, plan, published_version, utc

pytestmark = pytest.mark.django_db
TIERS = {
    "tiers": [
        {"from": "0", "to": "1000", "unit_price": "0.10"},
        {"from": "1000", "to": None, "unit_price": "0.08"},
    ]
}


def tier_cells(params: Any, prefix: str = "charges-0-tiers") -> dict[str, str]:
    """A charge's tiers as the cells of the admin's tiers table."""
    return {
        f"{prefix}-{i}-{key}": "" if tier.get(key) is None else str(tier[key])
        for i, tier in enumerate(params["tiers"])
        for key in ("from", "to", "unit_price", "flat_fee")
    }


def version_form(plan_id: int, metric_id: int, feature_id: int, params: Any) -> dict[str, Any]:
    return {
        "plan": plan_id,
        "effective_from_0": "2024-01-01",
        "effective_from_1": "00:00:00",
        "effective_until_0": "",
        "effective_until_1": "",
        "fixed_fee": "49",
        "fee_timing": "arrears",
        "trial_days": "14",
        "note": "launch prices",
        "charges-TOTAL_FORMS": "1",
        "charges-INITIAL_FORMS": "0",
        "charges-MIN_NUM_FORMS": "0",
        "charges-MAX_NUM_FORMS": "1000",
        "charges-0-metric": metric_id,
        "charges-0-pricing_model": "graduated",
        **tier_cells(params),
        "charges-0-display_name": "API calls",
        "charges-0-minimum_amount": "",
        "charges-0-position": "0",
        "features-TOTAL_FORMS": "1",
        "features-INITIAL_FORMS": "0",
        "features-MIN_NUM_FORMS": "0",
        "features-MAX_NUM_FORMS": "1000",
        "features-0-feature": feature_id,
        "features-0-enabled": "on",
        "features-0-limit": "5",
        "one_time_fees-TOTAL_FORMS": "0",
        "one_time_fees-INITIAL_FORMS": "0",
        "one_time_fees-MIN_NUM_FORMS": "0",
        "one_time_fees-MAX_NUM_FORMS": "1000",
    }


def test_build_a_price_book_on_one_screen_publish_copy_and_preview(staff_client: Any) -> None:
    pro, calls, seats = plan(), metric(), feature()
    response = staff_client.post(
        reverse("admin:catalog_planversion_add"), version_form(pro.pk, calls.pk, seats.pk, TIERS)
    )
    assert response.status_code == 302, response.context["errors"]
    version = PlanVersion.objects.get()
    assert (version.number, version.status, version.trial_days) == (1, "draft", 14)
    charge = Charge.objects.get()
    assert charge.params["tiers"][1]["unit_price"] == "0.08"  # kept as text, never a float
    assert version.features.get().limit == 5

    publish = reverse("admin:catalog_planversion_publish", args=[version.pk])
    confirm = staff_client.get(publish)  # publishing asks first, saying what it will do
    assert confirm.status_code == 200
    assert "takes effect on" in confirm.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"
    assert staff_client.post(publish, {"confirm": "yes"}).status_code == 302
    version.refresh_from_db()
    assert version.status == "published"
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[version.pk]))
    assert page.status_code == 200
    assert "read-only" in page.content.decode()
    assert 'name="fixed_fee"' not in page.content.decode()  # no editable inputs any more

    preview = staff_client.post(
        reverse("admin:catalog_planversion_preview", args=[version.pk]),
        {"charge": charge.pk, "quantity": "1234"},
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "118.72" in html
    assert "1000 x 0.1 + 234 x 0.08 = 118.72" in html
    assert "pro@v1" in html

    copy = staff_client.post(reverse("admin:catalog_planversion_copy", args=[version.pk]))
    assert copy.status_code == 302
    draft = PlanVersion.objects.get(number=2)
    assert (draft.status, draft.copied_from_id, draft.charges.count()) == ("draft", version.pk, 1)

    timeline = staff_client.get(reverse("admin:catalog_plan_change", args=[pro.pk]))
    assert "price timeline" in timeline.content.decode().lower()
    history = staff_client.get(reverse("admin:catalog_planversion_history", args=[version.pk]))
    assert "finance" in history.content.decode()


def test_malformed_tiers_are_a_form_error(staff_client: Any) -> None:
    pro, calls, seats = plan(), metric(), feature()
    gap = {
        "tiers": [
            {"from": "0", "to": "10", "unit_price": "1"},
            {"from": "20", "to": None, "unit_price": "1"},
        ]
    }
    response = staff_client.post(
        reverse("admin:catalog_planversion_add"), version_form(pro.pk, calls.pk, seats.pk, gap)
    )
    assert response.status_code == 200
    assert "Gap between tiers" in response.content.decode()
    assert not PlanVersion.objects.exists()


def test_overlapping_publish_shows_an_error_and_changes_nothing(staff_client: Any) -> None:
    pro, calls = plan(), metric()
    charges = [{"metric": calls, "pricing_model": "per_unit", "params": {"unit_price": "1"}}]
    published_version(pro, utc(2024, 2, 1), charges)
    from django.utils import timezone

    from catalog import services
    from tests.conftest import TEST_ACTOR

    early = services.plan_version_create(
        plan_id=pro.pk,
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1)},
        charges=charges,
    )
    publish = reverse("admin:catalog_planversion_publish", args=[early.pk])
    assert "Refused: it overlaps pro@v1" in staff_client.get(publish).content.decode()
    response = staff_client.post(publish, {"confirm": "yes"}, follow=True)
    assert "overlaps pro@v1" in response.content.decode()
    early.refresh_from_db()
    assert early.status == "draft"


def test_catalog_admin_pages_render_and_add_through_services(staff_client: Any) -> None:
    for name in (
        "product",
        "plan",
        "planversion",
        "billablemetric",
        "feature",
        "coupon",
        "addon",
        "taxrate",
    ):
        assert staff_client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200
        assert staff_client.get(reverse(f"admin:catalog_{name}_add")).status_code == 200
    response = staff_client.post(
        reverse("admin:catalog_taxrate_add"),
        {
            "code": "fr-vat",
            "name": "TVA",
            "percentage": "20",
            "inclusive": "on",
            "country": "FR",
            "region": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    bad = staff_client.post(
        reverse("admin:catalog_plan_add"),
        {
            "code": "x",
            "name": "X",
            "currency": "ABC",
            "interval_unit": "month",
            "interval_count": "1",
        },
    )
    assert bad.status_code == 200
    assert "currency" in bad.context["adminform"].form.errors
