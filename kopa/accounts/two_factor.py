"""The session side of the two-step login: between the password and the code, and during setup.

After a correct password a person with an authenticator app is *not* logged in: the session
holds only who they are, a hash that changes with their password or "log out everywhere", and
when the password step happened. `finish()` logs them in once the code is right. A pending step
older than PENDING_SECONDS is forgotten.
"""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from kopa.accounts import totp
from kopa.accounts.models import User

PENDING_KEY = "kopa_two_factor_pending"
SETUP_KEY = "kopa_two_factor_setup"
PENDING_SECONDS = 5 * 60


def start(request: HttpRequest, user: User, *, next_url: str) -> None:
    # A new session key: whoever planted the old one learns nothing about the pending login.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "backend": user.backend,
        "next": next_url,
        "at": time.time(),
    }


def pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """(the person, where to go after) while a second step is pending, else None."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), pending["hash"]):
        del request.session[PENDING_KEY]
        return None
    user.backend = pending["backend"]
    return user, pending["next"]


def finish(request: HttpRequest, user: User) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=user.backend)


def setup_secret(request: HttpRequest) -> str:
    """The secret being set up, kept in the session until a code confirms it (never in a form,
    so a page cached or shared by mistake does not carry it)."""
    secret = request.session.get(SETUP_KEY)
    if not secret:
        secret = request.session[SETUP_KEY] = totp.new_secret()
    return secret


def forget_setup_secret(request: HttpRequest) -> None:
    request.session.pop(SETUP_KEY, None)


def qr_data_uri(secret: str, *, account: str) -> str:
    """The QR code an authenticator app scans, as an SVG data address (allowed by the CSP)."""
    uri = totp.provisioning_uri(secret, account=account, issuer=settings.KOPA_SITE_NAME)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="black", light="white")
