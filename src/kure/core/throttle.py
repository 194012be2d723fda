"""Per-client rate limits in the cache: a fixed window per scope, keyed by a hash of the client's address.

The address itself is never stored. Limits are read from ``settings.KURE_RATE_LIMITS`` as
``{"ask": (20, 60), …}`` — requests per window of seconds — so operators can loosen or tighten them.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from .errors import RateLimited


def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(f"{settings.SECRET_KEY}\0{address}".encode()).hexdigest()[:24]


def check(request, scope: str) -> None:
    """Count one request of ``scope`` for this client; raise ``RateLimited`` once the window's limit is passed."""
    hit(scope, client_key(request), "Too many requests")


def hit(scope: str, key: str, what: str) -> None:
    """Count one event of ``scope`` for ``key`` (a client, an account, …); past the limit raise ``RateLimited``,
    its message starting with ``what``."""
    limits = getattr(settings, "KURE_RATE_LIMITS", {})
    if scope not in limits:
        return
    count, window = limits[scope]
    now = int(time.time())
    start = now - now % window
    cache_key = f"rate:{scope}:{key}:{start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        used = 1
    if used > count:
        wait = start + window - now
        raise RateLimited(f"{what}: at most {count} every {window} seconds. "
                          f"Please wait {wait} seconds and try again.", retry_after=wait)
