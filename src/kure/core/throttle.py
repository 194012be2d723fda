"""Per-client rate limits in the cache: a fixed window per scope, keyed by a hash of the client's address.

The address itself is never stored. Limits are read from ``settings.KURE_RATE_LIMITS`` as
``{"ask": (20, 60), …}`` — requests per window of seconds — so operators can loosen or tighten them.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from .errors import RateLimited


def hashed(value: str) -> str:
    """A key for ``value`` (an address, an account name) that does not reveal it."""
    return hashlib.sha256(f"{settings.SECRET_KEY}\0{value}".encode()).hexdigest()[:24]


def client_key(request) -> str:
    return hashed(request.META.get("REMOTE_ADDR", "") or "unknown")


def check(request, scope: str) -> None:
    """Count one request of ``scope`` for this client; raise ``RateLimited`` once the window's limit is passed."""
    hit(scope, client_key(request), "Too many requests")


def _window(scope: str, key: str) -> tuple[int, int, int, str] | None:
    """(limit, window, seconds left in it, the counter's cache key) for ``key`` in ``scope``, or None when the
    scope has no limit."""
    limits = getattr(settings, "KURE_RATE_LIMITS", {})
    if scope not in limits:
        return None
    count, window = limits[scope]
    now = int(time.time())
    start = now - now % window
    return count, window, start + window - now, f"rate:{scope}:{key}:{start}"


def _limited(what: str, count: int, window: int, wait: int) -> RateLimited:
    return RateLimited(f"{what}: at most {count} every {window} seconds. "
                       f"Please wait {wait} seconds and try again.", retry_after=wait)


def refuse_if_used_up(scope: str, key: str, what: str) -> None:
    """Raise ``RateLimited`` when ``key`` has already had its ``scope`` limit in this window; count nothing.

    For limits that count failures only (sign-ins): the check comes before the attempt, the count after it fails.
    """
    if (limit := _window(scope, key)) is None:
        return
    count, window, wait, cache_key = limit
    if (cache.get(cache_key) or 0) >= count:
        raise _limited(what, count, window, wait)


def hit(scope: str, key: str, what: str) -> None:
    """Count one event of ``scope`` for ``key`` (a client, an account, …); past the limit raise ``RateLimited``,
    its message starting with ``what``."""
    if (limit := _window(scope, key)) is None:
        return
    count, window, wait, cache_key = limit
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        used = 1
    if used > count:
        raise _limited(what, count, window, wait)
