"""Signed questionnaire links for people without an account.

A personal link (in the post-activity mail) carries the questionnaire's id and the
registration's random public id, signed with the secret key; an open link (the QR code on the
attendance sheet, for people who came without registering) carries only the questionnaire's id.
A guessed or altered link fails the signature and is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import override

from kopa.learning.models import ActivityQuestionnaire
from kopa.programme.models import Registration

SALT = "kopa.learning.questionnaire"
OPEN = "open"


@dataclass(frozen=True)
class LinkTarget:
    questionnaire: ActivityQuestionnaire
    registration: Registration | None


def token_for(questionnaire: ActivityQuestionnaire, registration: Registration | None) -> str:
    who = registration.public_id.hex if registration is not None else OPEN
    return signing.Signer(salt=SALT).sign(f"{questionnaire.pk}.{who}")


def resolve(token: str) -> LinkTarget | None:
    """What a link points at, or None when it is not one of ours (tampered, guessed, stale)."""
    if not token or len(token) > 160:
        return None
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, who = value.partition(".")
    if not pk.isdigit():
        return None
    questionnaire = (
        ActivityQuestionnaire.objects.select_related("template", "activity")
        .filter(pk=int(pk))
        .first()
    )
    if questionnaire is None:
        return None
    if who == OPEN:
        return LinkTarget(questionnaire=questionnaire, registration=None)
    try:
        public_id = uuid.UUID(hex=who)
    except ValueError:
        return None
    registration = Registration.objects.filter(
        public_id=public_id, activity_id=questionnaire.activity_id
    ).first()
    if registration is None:
        return None
    return LinkTarget(questionnaire=questionnaire, registration=registration)


def answer_url(
    questionnaire: ActivityQuestionnaire,
    registration: Registration | None = None,
    *,
    language: str | None = None,
) -> str:
    """The full address, in the registration's language (or the given one)."""
    lang = language or (registration.language if registration else settings.LANGUAGE_CODE)
    with override(lang):
        path = reverse("learning:answer", kwargs={"token": token_for(questionnaire, registration)})
    return settings.KOPA_BASE_URL + path


def open_questionnaires_for(registration: Registration) -> list[tuple[ActivityQuestionnaire, str]]:
    """(questionnaire, personal link) for every open questionnaire of the registration's activity
    that is answered after the activity; used by the programme's post-activity mail."""
    found = ActivityQuestionnaire.objects.select_related("template").filter(
        activity_id=registration.activity_id, phase=ActivityQuestionnaire.Phase.AFTER
    )
    return [(q, answer_url(q, registration)) for q in found if q.is_open()]
