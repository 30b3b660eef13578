"""The teller's private withdrawal link: the consent's random id, signed with the secret key.

No account is needed; whoever holds the link can withdraw. A guessed or altered link is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import override

from kopa.stories.models import Consent

WITHDRAW_SALT = "kopa.stories.withdraw"


def withdrawal_token(consent: Consent) -> str:
    return signing.Signer(salt=WITHDRAW_SALT).sign(consent.public_id.hex)


def consent_from_token(token: str) -> Consent | None:
    if not token or len(token) > 120:
        return None
    try:
        public_id = signing.Signer(salt=WITHDRAW_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Consent.objects.select_related("story").filter(public_id=public_id).first()


def withdrawal_url(consent: Consent, *, language: str) -> str:
    with override(language):
        path = reverse("stories:withdraw", kwargs={"token": withdrawal_token(consent)})
    return settings.KOPA_BASE_URL + path
