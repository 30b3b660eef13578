"""Private links for people without an account: their registration, and the check-in QR code.

A link carries the registration's random public id, signed with the secret key under a salt per
purpose, so the check-in code printed on a badge cannot be used to cancel, and a guessed or
altered link is refused.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils.translation import override

from kopa.programme.models import Registration

PRIVATE_SALT = "kopa.programme.registration"
CHECKIN_SALT = "kopa.programme.checkin"


def _sign(registration: Registration, salt: str) -> str:
    return signing.Signer(salt=salt).sign(registration.public_id.hex)


def _unsign(value: str, salt: str) -> Registration | None:
    if not value or len(value) > 120:
        return None
    try:
        public_id = signing.Signer(salt=salt).unsign(value)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("activity", "activity__kind", "consent_notice")
        .filter(public_id=public_id)
        .first()
    )


def private_token(registration: Registration) -> str:
    return _sign(registration, PRIVATE_SALT)


def registration_from_private_token(token: str) -> Registration | None:
    return _unsign(token, PRIVATE_SALT)


def checkin_token(registration: Registration) -> str:
    return _sign(registration, CHECKIN_SALT)


def registration_from_checkin_token(token: str) -> Registration | None:
    return _unsign(token, CHECKIN_SALT)


def private_path(registration: Registration, language: str | None = None) -> str:
    with override(language or registration.language):
        return reverse("programme:registration", kwargs={"token": private_token(registration)})
