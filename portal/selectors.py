"""The portal's reads."""

from __future__ import annotations

from billing.models import Customer
from catalog.models import Plan
from portal.models import (
    PortalConfiguration,
    PortalConfigurationPlan,
    PortalCustomerConfiguration,
    PortalSession,
)


def configuration_for(session: PortalSession) -> PortalConfiguration | None:
    """The session's configuration: the one its link named, else the customer's, else the
    default one (None when there is none: nothing beyond reading is allowed)."""
    if session.configuration_id is not None:
        return session.configuration
    row = (
        PortalCustomerConfiguration.objects.select_related("configuration")
        .filter(customer_id=session.customer_id)
        .first()
    )
    if row is not None:
        return row.configuration
    return PortalConfiguration.objects.filter(is_default=True).first()


def plans_offered(configuration: PortalConfiguration | None, customer: Customer) -> list[Plan]:
    """The plans the customer may switch to, in the configuration's order: none when plan
    changes are not allowed (or there is no configuration); only plans in the customer's currency
    and not archived (a plan listed in another currency is offered to that currency's customers
    only)."""
    if configuration is None or not configuration.allow_plan_change:
        return []
    return [
        row.plan
        for row in PortalConfigurationPlan.objects.filter(
            configuration=configuration,
            plan__currency=customer.currency,
            plan__archived_at__isnull=True,
        )
        .select_related("plan")
        .order_by("position", "id")
    ]
