"""One error family for the domain. The API turns it into the common error body in one place."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused an action. `field` names the input at fault, when there is one."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class ValidationFailed(ApplicationError):
    """Input that cannot be accepted (HTTP 400)."""


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class Conflict(ApplicationError):
    """The request clashes with the current state (HTTP 409)."""

    status_code = 409
    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
