"""Short-lived caching of public pages for anonymous visitors.

People in crisis read the public pages on slow mobile data and busy library PCs; the same
programme list and activity page are asked for many times a minute. For visitors who are not
logged in (no session, no pending message) a page is kept for a few seconds per URL and language;
logged-in people always get a fresh page. Pages with a form that needs a CSRF token are never
wrapped (registration lives on its own page for this reason).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_page

PUBLIC_PAGE_SECONDS = 30


def cache_public_page(seconds: int = PUBLIC_PAGE_SECONDS) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        cached_view = cache_page(seconds, key_prefix="public")(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            personal = (
                settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES
            )
            if personal or request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            return cached_view(request, *args, **kwargs)

        return wrapper

    return decorator
