"""Rate limits for what anyone can submit: registrations, suggestions, messages, answers.

A fixed window per (scope, key) counted in the cache. With the default per-process cache the
limit holds per worker; production sets KOPA_CACHE_URL to Redis so it holds for the whole site.
The key is chosen by the caller: the client address for anonymous forms, the account otherwise.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    """Who is asking, for counting: the account if logged in, else the client address.

    REMOTE_ADDR is what the proxy in front of gunicorn connects from unless the deployment sets
    it from X-Forwarded-For (docs/security.md); a hash, so no address is stored in the cache.
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    address = request.META.get("REMOTE_ADDR", "")
    return "addr:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def allow(*, scope: str, key: str, limit: int, period: int) -> bool:
    """Count one attempt; False once more than `limit` attempts were made in this `period`
    (seconds) window. Atomic on Redis and on the local-memory cache."""
    window = int(time.time() // period)
    counter = f"ratelimit:{scope}:{key}:{window}"
    if cache.add(counter, 1, timeout=period + 1):
        return True
    try:
        return cache.incr(counter) <= limit
    except ValueError:
        # The counter expired between add() and incr(): this attempt starts a new window.
        cache.add(counter, 1, timeout=period + 1)
        return True
