"""The portal's reads."""

from __future__ import annotations

from portal.models import PortalConfiguration, PortalCustomerConfiguration, PortalSession


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
