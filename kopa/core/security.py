"""What every response carries and how long a login lasts (docs/security.md).

Django's SecurityMiddleware sends X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy and, behind HTTPS, Strict-Transport-Security; XFrameOptionsMiddleware
sends X-Frame-Options and django-csp the Content-Security-Policy. This module adds the headers
Django does not know and ends sessions that are idle too long or simply too old.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

# Nothing on the site uses these browser features; a script that slipped in cannot either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
SECURITY_HEADERS = {
    "Permissions-Policy": PERMISSIONS_POLICY,
    # Other sites may not embed our pages' resources (media of non-public records, exports).
    "Cross-Origin-Resource-Policy": "same-origin",
    # Old Flash/PDF plug-ins read this; nothing on the site is a cross-domain policy.
    "X-Permitted-Cross-Domain-Policies": "none",
}

AUTHENTICATED_AT = "kopa_authenticated_at"
SEEN_AT = "kopa_seen_at"
# Write the "last seen" time at most this often, so a busy coordinator's clicks do not each
# write the session row.
SEEN_RESOLUTION_SECONDS = 60


class ClientAddressMiddleware:
    """Behind KOPA_PROXY_HOPS trusted proxies, the client's address is the one the outermost of
    them saw: that many entries from the right of X-Forwarded-For. Rate limits count per
    address (kopa.core.ratelimit.client_key); without this, every visitor behind the proxy
    would share the proxy's address and one busy library could lock everyone out.

    Entries further left are whatever the client claimed and are never used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hops = settings.KOPA_PROXY_HOPS
        if hops:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= hops:
                request.META["REMOTE_ADDR"] = forwarded[-hops]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        # XFrameOptionsMiddleware misses responses made after it, like the language redirect.
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class SessionAgeMiddleware:
    """Logs out a session idle for KOPA_SESSION_IDLE_SECONDS, or older than
    KOPA_SESSION_MAX_SECONDS since the password was typed, whatever happened in between.

    Goes after SessionMiddleware and before AuthenticationMiddleware, so the request that finds
    the session expired is already anonymous.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get(SESSION_KEY) is not None:
            now = time.time()
            authenticated_at = session.get(AUTHENTICATED_AT)
            seen_at = session.get(SEEN_AT, authenticated_at)
            if (
                authenticated_at is None
                or now - authenticated_at > settings.KOPA_SESSION_MAX_SECONDS
                or now - seen_at > settings.KOPA_SESSION_IDLE_SECONDS
            ):
                session.flush()
            elif now - seen_at > SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


def mark_session_authenticated(request: HttpRequest) -> None:
    """Called when a person logs in (a user_logged_in receiver in kopa.accounts.apps)."""
    now = time.time()
    request.session[AUTHENTICATED_AT] = now
    request.session[SEEN_AT] = now
