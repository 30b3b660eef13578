"""The stories domain's part of a person's data rights (the issue 7 contract, docs/privacy).

A teller is found by the email they gave for the withdrawal link. Erasure withdraws every
consent of their stories through the same service as the private link (so each story leaves
every public place at once, and the withdrawal is audited like any other, without personal data
in the entry), deletes the signed consent forms, and anonymises the teller and the consents'
names. The stories stay, withdrawn and unpublished, with nobody named, for the counts.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from kopa.stories.models import Consent, Teller
from kopa.stories.services import consent_withdraw


def _tellers(email: str) -> list[Teller]:
    email = (email or "").strip().lower()
    if not email:
        return []
    return list(Teller.objects.filter(email__iexact=email).prefetch_related("stories__consents"))


def personal_data(*, email: str, user: Any | None) -> dict[str, list[dict]]:
    """Everything this app holds on the person: section title -> JSON-able records."""
    tellers = _tellers(email)
    stories, consents = [], []
    for teller in tellers:
        for story in teller.stories.all():
            stories.append(
                {
                    "title": story.__dict__["title"],
                    "told_in": story.original_language,
                    "status": story.status,
                    "visibility": story.visibility,
                    "address": story.get_absolute_url(),
                }
            )
            for consent in story.consents.all():
                consents.append(
                    {
                        "story": story.__dict__["title"],
                        "given_by": consent.given_by,
                        "name": consent.given_by_name,
                        "date": consent.given_on.isoformat(),
                        "method": consent.method,
                        "scopes": consent.scopes(),
                        "privacy_notice_version": consent.notice.version,
                        "withdrawn": consent.withdrawn_at.isoformat()
                        if consent.withdrawn_at
                        else None,
                    }
                )
    return {
        "Story tellers": [
            {
                "naming": teller.naming,
                "name": teller.name,
                "pseudonym": teller.pseudonym,
                "email": teller.email,
                "organisation": teller.organisation.slug,
                "recorded": teller.created.isoformat(),
            }
            for teller in tellers
        ],
        "Stories told": stories,
        "Consents to publish stories": consents,
    }


def erase_personal_data(*, email: str, user: Any | None) -> dict[str, int]:
    """Withdraw the teller's consents, delete the signed forms, anonymise the teller."""
    done = {"consents withdrawn": 0, "consent forms deleted": 0, "tellers anonymised": 0}
    for teller in _tellers(email):
        for story in teller.stories.all():
            active = story.consents.filter(withdrawn_at__isnull=True).first()
            if active is not None:
                done["consents withdrawn"] += story.consents.filter(
                    withdrawn_at__isnull=True
                ).count()
                consent_withdraw(consent=active)
            forms = list(
                Consent.objects.filter(story=story)
                .exclude(form_file="")
                .values_list("form_file", flat=True)
            )
            Consent.objects.filter(story=story).update(
                given_by_name="", form_file="", form_content_type=""
            )
            done["consent forms deleted"] += len(forms)
            transaction.on_commit(lambda names=forms: _delete(names))
        teller.naming = Teller.Naming.ANONYMOUS
        teller.name = teller.pseudonym = teller.email = ""
        teller.save(update_fields=["naming", "name", "pseudonym", "email"])
        done["tellers anonymised"] += 1
    return done


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
