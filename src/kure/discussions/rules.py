"""The discussion rules that settings can change, the domain errors they raise, and the per-account rate limit.

Defaults live here, so the site's settings need name only what an operator changes:
``KURE_DISCUSSION_EDIT_MINUTES`` (15), ``KURE_DISCUSSION_MAX_POST_CHARS`` (10,000),
``KURE_DISCUSSION_NEW_ACCOUNT_DAYS`` (7), ``KURE_DISCUSSION_NEW_ACCOUNT_POSTS`` (3) and
``KURE_DISCUSSION_NEW_ACCOUNT_LINKS`` (1). Rate limits are scopes of ``KURE_RATE_LIMITS``.
"""


from django.conf import settings
from django.utils.translation import gettext

from ..core import throttle
from ..core.errors import KureError, RateLimited

MAX_TITLE_CHARS = 200
ADDRESS_SCOPE = "discussion_post"
ACCOUNT_SCOPE = "discussion_post_account"
_DEFAULTS = {"EDIT_MINUTES": 15, "MAX_POST_CHARS": 10_000, "NEW_ACCOUNT_DAYS": 7, "NEW_ACCOUNT_POSTS": 3,
             "NEW_ACCOUNT_LINKS": 1}


def setting(name: str) -> int:
    return int(getattr(settings, f"KURE_DISCUSSION_{name}", _DEFAULTS[name]))


class ThreadLocked(KureError):
    """An editor closed the thread: it can be read, not answered."""

    status = 409
    code = "locked"


def error(kind: type[KureError], template: str, **params: object) -> KureError:
    """A domain error whose English message is ``template`` filled in; ``message_for`` translates it."""
    exc = kind(template.format(**params), **params)
    exc.template = template  # type: ignore[attr-defined]
    return exc


def message_for(exc: KureError) -> str:
    """The error's message in the active language, numbers filled in after translating."""
    if isinstance(exc, RateLimited) and "retry_after" in exc.details:
        return gettext("Too many posts in a short time. Please wait {seconds} seconds and send it again: "
                       "your text is kept below.").format(seconds=exc.details["retry_after"])
    template = getattr(exc, "template", None)
    if template:
        return gettext(template).format(**exc.details)
    return gettext(exc.message)


def check_rate(request, user) -> None:
    """Count one new post for the client's address and for the account; raise ``RateLimited`` past either limit."""
    throttle.check(request, ADDRESS_SCOPE)
    if user.is_authenticated:
        throttle.hit(ACCOUNT_SCOPE, f"account:{user.pk}", "Too many posts from this account")
