"""Review of issue 10: staff who may only *view* cannot act — every custom admin page and list
action that writes asks for the change (or add) permission, as the add and change pages do."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from billing.models import Subscription
from billing.services import subscription_create
from catalog import services as catalog
from catalog.models import PlanVersion
from tests.billing.subs import customer, priced_plan, utc
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


def test_a_viewer_cannot_publish_copy_or_change_a_subscription(viewer: Any) -> None:
    basic = priced_plan("basic", "30")
    draft = catalog.plan_version_create(
        plan_id=basic.pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2030, 1, 1)},
    )  # fmt: skip
    publish = reverse("admin:catalog_planversion_publish", args=[draft.pk])
    assert viewer.post(publish, {"confirm": "yes"}).status_code == 403
    copy = reverse("admin:catalog_planversion_copy", args=[draft.pk])
    assert viewer.post(copy).status_code == 403
    assert PlanVersion.objects.get(pk=draft.pk).status == "draft"
    assert PlanVersion.objects.count() == 2

    sub = subscription_create(
        customer_id=customer().pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=timezone.now()
    )
    for name, data in (
        ("billing_subscription_cancel", {"mode": "now", "reason": "x"}),
        ("billing_subscription_end", {"ends_at_0": "2031-01-01", "ends_at_1": "00:00:00"}),
        ("billing_subscription_change_plan", {"plan": basic.pk, "quantity": "2", "when": "now"}),
    ):
        assert viewer.post(reverse(f"admin:{name}", args=[sub.pk]), data).status_code == 403
    do = reverse("admin:billing_subscription_do", args=[sub.pk, "pause"])
    assert viewer.post(do).status_code == 403
    assert Subscription.objects.get().status == "active"


def test_a_viewer_is_offered_no_action_that_writes(rf: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    request = rf.get("/admin/")
    request.user = user
    offered = {
        f"{model.__name__}.{name}"
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    }
    assert offered == set()
