"""The portal's writes (one transaction each). Pages call these, or the services of the apps
below (billing, invoicing, payments) directly with the portal session's actor."""

from portal.services.access import (
    INVITATION_TTL,
    LINK_TTL,
    LOGIN_LINK_TTL,
    SESSION_TTL,
    LinkRefused,
    TooManyRequests,
    portal_link_consume,
    portal_link_end,
    portal_login_request,
    portal_session_create,
    portal_session_end,
    portal_user_disable,
    portal_user_invite,
    portal_user_invite_again,
)

__all__ = [
    "INVITATION_TTL",
    "LINK_TTL",
    "LOGIN_LINK_TTL",
    "SESSION_TTL",
    "LinkRefused",
    "TooManyRequests",
    "portal_link_consume",
    "portal_link_end",
    "portal_login_request",
    "portal_session_create",
    "portal_session_end",
    "portal_user_disable",
    "portal_user_invite",
    "portal_user_invite_again",
]
