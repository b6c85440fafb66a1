from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from billing.models import Customer
from billing.services import customer_create
from tests.conftest import TEST_ACTOR


class CustomerFactory(factory.Factory):
    """Builds customers through the service, so journal and history rows exist as in real life."""

    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"cust-{n:05d}")
    name = factory.Faker("company")
    email = factory.Sequence(lambda n: f"billing{n}@example.com")
    currency = "USD"
    timezone = "UTC"
    locale = "en"
    country = "US"

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        return customer_create(actor=TEST_ACTOR, as_of=timezone.now(), data=kwargs)
