"""The portal's reads."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q

from billing.models import Customer, Subscription
from catalog.models import Charge, Plan, PlanVersion, VersionStatus
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


# ------------------------------------------------------------- plan part: the plans to switch to


def plan_change_choices(
    *, configuration: PortalConfiguration | None, subscription: Subscription, as_of: datetime
) -> list[PlanVersion]:
    """The plans a subscription's customer may switch to at `as_of`, in the configuration's
    order, each as its published price book in force then (`version.plan` is the plan, its
    charges and their metrics prefetched): the configuration's plans (`plans_offered`: plan
    changes allowed, the customer's currency, not archived) billed on the subscription's
    interval (another interval is refused by the change: cancel and subscribe instead), except
    the subscription's own plan. Three queries whatever the number of plans."""
    plans = [
        plan
        for plan in plans_offered(configuration, subscription.customer)
        if plan.pk != subscription.plan_id
        and (plan.interval_unit, plan.interval_count)
        == (subscription.plan.interval_unit, subscription.plan.interval_count)
    ]
    if not plans:
        return []
    in_force: dict[int, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(
            plan__in=plans, status=VersionStatus.PUBLISHED, effective_from__lte=as_of
        )
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=as_of))
        .order_by("plan_id", "-effective_from")
        .prefetch_related(
            Prefetch(
                "charges",
                queryset=Charge.objects.select_related("metric").order_by("position", "id"),
            )
        )
    ):
        in_force.setdefault(version.plan_id, version)
    chosen = []
    for plan in plans:
        found = in_force.get(plan.pk)
        if found is not None:
            found.plan = plan  # the configuration's row already loaded it
            chosen.append(found)
    return chosen
