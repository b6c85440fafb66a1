"""Coupons limited to metrics or charges, and months coupons: the catalog service's rules, the
API (codes for metrics as for plans, ids for charges; a bad one is a 400 naming the field), the
admin form, and the journal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import JournalEvent
from billing.services import coupon_redeem
from catalog import services
from catalog.models import Charge, Coupon
from core.exceptions import Conflict, ValidationFailed
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric, plan, published_version, utc
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
V1 = "/api/v1/"
D = Decimal


def per_unit(m: Any, price: str = "0.01") -> dict[str, Any]:
    return {"metric": m, "pricing_model": "per_unit", "params": {"unit_price": price}}


def two_plans() -> dict[str, Any]:
    calls, storage = metric("api_calls"), metric("storage_gb", field_name="gb")
    pro, basic = plan("pro"), plan("basic")
    pro_v1 = published_version(pro, utc(2026, 1, 1), [per_unit(calls), per_unit(storage)])
    basic_v1 = published_version(basic, utc(2026, 1, 1), [per_unit(calls)])
    return {
        "calls": calls,
        "storage": storage,
        "pro": pro,
        "basic": basic,
        "pro_calls": pro_v1.charges.get(metric=calls),
        "pro_storage": pro_v1.charges.get(metric=storage),
        "basic_calls": basic_v1.charges.get(),
    }


def create(data: dict[str, Any], **limits: Any) -> Coupon:
    return services.coupon_create(
        actor=TEST_ACTOR, as_of=timezone.now(), data={"name": "C", **data}, **limits
    )


# ------------------------------------------------------------------------------------ service


def test_limits_and_months_are_validated_by_the_service() -> None:
    w = two_plans()
    twenty = {"kind": "percent", "percent_off": D(20), "duration": "forever"}
    limited = create({**twenty, "code": "calls"}, metric_ids=[w["calls"].pk])
    assert [m.code for m in limited.metrics.all()] == ["api_calls"]
    fixed = create(
        {"code": "ten", "kind": "fixed", "amount_off": D(10), "currency": "USD",
         "duration": "once"},
        plan_ids=[w["pro"].pk], charge_ids=[w["pro_storage"].pk],
    )  # fmt: skip
    assert list(fixed.charges.all()) == [w["pro_storage"]]

    def refused(data: dict[str, Any], **limits: Any) -> str:
        with pytest.raises(ValidationFailed) as error:
            create({**twenty, "code": "x", **data}, **limits)
        assert not Coupon.objects.filter(code="x").exists()
        return str(error.value.field)

    # a charge of a plan the coupon does not cover
    assert refused({}, plan_ids=[w["pro"].pk], charge_ids=[w["basic_calls"].pk]) == "charges"
    assert refused({}, charge_ids=[999_999]) == "charges"
    assert refused({}, metric_ids=[999_999]) == "metrics"
    # a fixed amount in EUR on a USD plan's charge never applies
    euro = {"kind": "fixed", "amount_off": D(5), "currency": "EUR", "percent_off": None}
    assert refused(euro, charge_ids=[w["pro_calls"].pk]) == "charges"
    months = {"duration": "months"}
    assert refused(months) == "duration_months"
    assert refused({**months, "duration_months": 0}) == "duration_months"
    assert refused({**months, "duration_months": 121}) == "duration_months"
    assert refused({"duration_months": 3}) == "duration_months"  # forever
    assert refused({**months, "duration_months": 3, "duration_periods": 3}) == "duration_periods"
    three = create({**twenty, "code": "three", **months, "duration_months": 3})
    assert three.duration_months == 3


def test_what_may_change_once_redeemed_and_the_journal() -> None:
    w = two_plans()
    coupon = create(
        {"code": "calls", "kind": "percent", "percent_off": D(20), "duration": "months",
         "duration_months": 3},
        metric_ids=[w["calls"].pk],
    )  # fmt: skip
    created = JournalEvent.objects.get(type="coupon.created")
    assert created.payload["metrics"] == ["api_calls"]
    assert created.payload["charges"] == []
    assert created.payload["coupon"]["duration_months"] == 3

    def update(**kwargs: Any) -> Coupon:
        return services.coupon_update(
            coupon_id=coupon.pk, actor=TEST_ACTOR, as_of=timezone.now(), changes={}, **kwargs
        )

    with pytest.raises(Conflict) as frozen:
        services.coupon_update(
            coupon_id=coupon.pk, actor=TEST_ACTOR, as_of=timezone.now(),
            changes={"duration_months": 6},
        )  # fmt: skip
    assert frozen.value.field == "duration_months"
    # not redeemed yet: the limits may change any way
    update(metric_ids=[w["storage"].pk])
    update(metric_ids=[w["calls"].pk])
    customer: Any = CustomerFactory()
    coupon_redeem(
        customer_id=customer.pk, coupon_code="calls", actor=TEST_ACTOR,
        as_of=timezone.now(),
    )  # fmt: skip
    # redeemed: they may widen (a metric or a charge added, or all taken off), never narrow
    update(metric_ids=[w["calls"].pk], charge_ids=[w["pro_storage"].pk])
    with pytest.raises(Conflict) as narrowed:
        update(metric_ids=[])
    assert (narrowed.value.field, narrowed.value.code) == ("metrics", "immutable")
    with pytest.raises(ValidationFailed) as other_plan:
        update(plan_ids=[w["basic"].pk])  # its charge is of pro
    assert other_plan.value.field == "charges"
    update(metric_ids=[], charge_ids=[])  # no limit at all: wider still
    last = JournalEvent.objects.filter(type="coupon.updated").order_by("id").last()
    assert last is not None
    assert last.payload["changes"] == {
        "metrics": [[w["calls"].pk], []],
        "charges": [[w["pro_storage"].pk], []],
    }
    with pytest.raises(Conflict) as unlimited:  # from no limit to a limit narrows
        update(metric_ids=[w["calls"].pk])
    assert unlimited.value.field == "metrics"


def test_a_drafts_charge_that_limits_a_coupon_is_not_replaced_or_discarded_silently() -> None:
    calls = metric("api_calls")
    pro = plan("pro")
    draft = services.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2026, 1, 1)}, charges=[per_unit(calls)],
    )  # fmt: skip
    create(
        {"code": "calls", "kind": "percent", "percent_off": D(20), "duration": "forever"},
        plan_ids=[pro.pk], charge_ids=[draft.charges.get().pk],
    )  # fmt: skip
    with pytest.raises(Conflict) as replaced:
        services.plan_version_update(
            version_id=draft.pk, actor=TEST_ACTOR, as_of=timezone.now(), data={},
            charges=[per_unit(calls, "0.02")],
        )  # fmt: skip
    assert replaced.value.field == "charges"
    with pytest.raises(Conflict):
        services.plan_version_discard(version_id=draft.pk, actor=TEST_ACTOR, as_of=timezone.now())
    assert Coupon.objects.get(code="calls").charges.count() == 1


# ---------------------------------------------------------------------------------------- API


def post(api: APIClient, body: dict[str, Any]) -> Any:
    return api.post(V1 + "coupons/", body, format="json")


def test_the_api_takes_metric_codes_and_charge_ids(api: APIClient) -> None:
    w = two_plans()
    body = {"code": "calls", "name": "Calls", "kind": "percent", "percent_off": "20",
            "duration": "months", "duration_months": 3, "plans": ["pro"],
            "metrics": ["api_calls"], "charges": [w["pro_storage"].pk]}  # fmt: skip
    created = post(api, body)
    assert created.status_code == 201, created.json()
    out = created.json()
    assert (out["metrics"], out["charges"], out["duration_months"]) == (
        ["api_calls"], [w["pro_storage"].pk], 3,
    )  # fmt: skip
    listed = api.get(V1 + "coupons/").json()["results"]
    assert listed[0]["metrics"] == ["api_calls"]
    patched = api.patch(
        f"{V1}coupons/{out['id']}/", {"metrics": ["api_calls", "storage_gb"]}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert sorted(patched.json()["metrics"]) == ["api_calls", "storage_gb"]
    assert patched.json()["charges"] == [w["pro_storage"].pk]  # not given: unchanged
    other = api.patch(
        f"{V1}coupons/{out['id']}/", {"charges": [w["basic_calls"].pk]}, format="json"
    )
    assert other.status_code == 400
    assert other.json()["errors"][0]["field"] == "charges"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"metrics": ["nope"]}, "metrics"),
        ({"plans": ["pro"], "charges": ["basic_calls"]}, "charges"),  # a charge of basic
        ({"charges": [999_999]}, "charges"),
        ({"duration": "months", "duration_periods": 3}, "duration_periods"),
        ({"duration": "months", "duration_months": 0}, "duration_months"),
        ({"duration": "months"}, "duration_months"),
        ({"duration": "once", "duration_months": 2}, "duration_months"),
        ({"duration": "months", "duration_months": 1000}, "duration_months"),
    ],
)
def test_bad_limits_and_months_are_400s_naming_the_field(
    api: APIClient, extra: dict[str, Any], field: str
) -> None:
    w = two_plans()
    if extra.get("charges") == ["basic_calls"]:
        extra = {**extra, "charges": [w["basic_calls"].pk]}
    body = {"code": "c", "name": "C", "kind": "percent", "percent_off": "20",
            "duration": "forever", **extra}  # fmt: skip
    response = post(api, body)
    assert response.status_code == 400, response.json()
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Coupon.objects.exists()


def test_the_schema_documents_the_limits(api: APIClient) -> None:
    schema = api.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    components = schema.json()["components"]["schemas"]
    for name in ("CouponInRequest", "CouponOut", "PatchedCouponUpdateInRequest"):
        props = components[name]["properties"]
        assert {"metrics", "charges", "duration_months"} <= set(props), name


# -------------------------------------------------------------------------------------- admin


def coupon_form(**extra: Any) -> dict[str, Any]:
    return {
        "code": "calls", "name": "Calls", "kind": "percent", "percent_off": "20",
        "amount_off": "", "currency": "", "duration": "forever", "duration_periods": "",
        "duration_months": "", "max_redemptions": "", "redeem_by_0": "", "redeem_by_1": "",
        **extra,
    }  # fmt: skip


def test_the_admin_limits_a_coupon_and_shows_the_services_refusals(staff_client: Any) -> None:
    w = two_plans()
    add = reverse("admin:catalog_coupon_add")
    page = staff_client.get(add).content.decode()
    assert 'name="metrics"' in page
    assert 'name="charges"' in page
    assert "pro@v1: " in page  # a charge is shown with its price book
    other = staff_client.post(add, coupon_form(plans=[w["pro"].pk], charges=[w["basic_calls"].pk]))
    assert other.status_code == 200
    assert "which the coupon does not cover" in other.content.decode()
    months = staff_client.post(add, coupon_form(duration="months", duration_months="0"))
    assert months.status_code == 200
    assert months.context["adminform"].form.errors == {
        "duration_months": ["A months coupon needs duration_months (1 to 120)."]
    }
    assert not Coupon.objects.exists()
    done = staff_client.post(
        add, coupon_form(duration="months", duration_months="3", metrics=[w["calls"].pk])
    )
    assert done.status_code == 302, done.context["errors"]
    coupon = Coupon.objects.get()
    assert (coupon.duration_months, [m.code for m in coupon.metrics.all()]) == (3, ["api_calls"])
    listing = staff_client.get(reverse("admin:catalog_coupon_changelist")).content.decode()
    assert "api_calls" in listing
    change = reverse("admin:catalog_coupon_change", args=[coupon.pk])
    edited = staff_client.post(
        change,
        {"name": "Calls", "max_redemptions": "", "redeem_by_0": "", "redeem_by_1": "",
         "metrics": [w["calls"].pk], "charges": [w["pro_storage"].pk]},
    )  # fmt: skip
    assert edited.status_code == 302, edited.context["errors"]
    assert list(Coupon.objects.get().charges.all()) == [w["pro_storage"]]
    assert Charge.objects.filter(coupons=coupon).count() == 1
