from typing import Any

from rest_framework.request import Request

from core.audit import Actor


def request_actor(request: Request) -> Actor:
    """Who is calling: the API key (which knows how to name itself) or the staff user."""
    audit_actor = getattr(request.auth, "audit_actor", None)
    if callable(audit_actor):
        actor: Any = audit_actor()
        return actor  # type: ignore[no-any-return]
    return Actor.for_user(request.user)
