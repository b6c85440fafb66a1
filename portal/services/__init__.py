"""The portal's writes (one transaction each). Pages call these, or the services of the apps
below (billing, invoicing, payments) directly with the portal session's actor."""

from portal.services.access import (
    LINK_TTL,
    SESSION_TTL,
    portal_link_consume,
    portal_session_create,
    portal_session_end,
)

__all__ = [
    "LINK_TTL",
    "SESSION_TTL",
    "portal_link_consume",
    "portal_session_create",
    "portal_session_end",
]
