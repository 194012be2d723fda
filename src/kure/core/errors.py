"""One error tree: services raise these, and one place turns them into responses (see middleware)."""


class KureError(Exception):
    """A domain error with a message fit to show the person who caused it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(KureError):
    status = 400
    code = "invalid"


class NotFound(KureError):
    status = 404
    code = "not_found"


class PermissionDenied(KureError):
    status = 403
    code = "forbidden"


class EditConflict(KureError):
    """The revision an edit started from is no longer the newest one."""

    status = 409
    code = "edit_conflict"


class ReviewRequired(PermissionDenied):
    """Authors cannot publish their own work; an editor has to approve it."""

    code = "review_required"


class InvalidTransition(KureError):
    status = 409
    code = "invalid_transition"


class RateLimited(KureError):
    """Too many requests from one client in a short time; the message says when to try again."""

    status = 429
    code = "rate_limited"
