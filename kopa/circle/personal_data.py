"""What the support circle holds on a person, and its erasure (the contract of kopa.privacy).

Held: the person's member profile; the messages they sent or received through the platform
(who, to whom, when, whether they shared their address — the text is never stored, see
services.message_send); the suggestions they made (their note and proposed values). The directory's
services are about organisations, not people, and are not personal data of an editor; who
changed them is in the audit log, which names ids only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from kopa.circle.models import CircleMessage, MemberProfile, Suggestion
from kopa.core.i18n import raw_translations

if TYPE_CHECKING:
    from kopa.accounts.models import User


def personal_data(*, email: str, user: User | None) -> dict[str, list[dict[str, Any]]]:
    """Everything this app holds on the person: section title -> JSON-able records."""
    if user is None:
        # Only account holders can have a profile, write messages or suggest.
        return {}
    result: dict[str, list[dict[str, Any]]] = {}
    profile = MemberProfile.objects.filter(user=user).select_related("organisation").first()
    if profile is not None:
        result["Support circle: profile"] = [
            {
                "organisation": str(profile.organisation) if profile.organisation else "",
                "role": profile.role,
                "expertise": dict(raw_translations(profile.expertise) or {}),
                "original_language": profile.original_language,
                "languages": profile.language_codes,
                "region": profile.region,
                "offers_peer_support": profile.offers_peer_support,
                "visible_to_circle": profile.visible,
                "accepts_messages": profile.accepts_messages,
                "created": profile.created.isoformat(),
                "updated": profile.updated.isoformat(),
            }
        ]
    messages = CircleMessage.objects.filter(Q(sender=user) | Q(recipient=user)).select_related(
        "sender", "recipient"
    )
    sent = [m for m in messages if m.sender_id == user.pk]
    received = [m for m in messages if m.recipient_id == user.pk]
    if sent:
        result["Support circle: messages sent"] = [
            {
                "to": m.recipient.full_name if m.recipient else "",
                "sent": m.created.isoformat(),
                "shared_your_address": m.shared_address,
                "status": m.status,
            }
            for m in sent
        ]
    if received:
        result["Support circle: messages received"] = [
            {
                "from": m.sender.full_name if m.sender else "",
                "received": m.created.isoformat(),
                "status": m.status,
            }
            for m in received
        ]
    suggestions = Suggestion.objects.filter(suggested_by=user).select_related("service")
    if suggestions:
        result["Support circle: suggestions"] = [
            {
                "kind": s.kind,
                "service": str(s.service.pk) if s.service else "",
                "note": s.note,
                "proposed": s.proposed,
                "language": s.language,
                "status": s.status,
                "reason": s.reason,
                "created": s.created.isoformat(),
            }
            for s in suggestions
        ]
    return result


def erase_personal_data(*, email: str, user: User | None) -> dict[str, int]:
    """Delete the profile; unlink the person from the messages they sent or received (the
    counts stay, the texts were never stored); anonymise their suggestions (the note and the
    proposed values go, open ones are closed so that no editor acts on a removed text).

    Runs inside the caller's transaction; writes no audit entry itself.
    """
    if user is None:
        return {}
    profiles = MemberProfile.objects.filter(user=user).delete()[0]
    sent = CircleMessage.objects.filter(sender=user).update(sender=None)
    received = CircleMessage.objects.filter(recipient=user).update(recipient=None)
    suggestions = Suggestion.objects.filter(suggested_by=user)
    closed = suggestions.filter(status=Suggestion.Status.OPEN).update(
        status=Suggestion.Status.REJECTED, reason=""
    )
    anonymised = suggestions.update(suggested_by=None, note="", proposed={})
    # Decisions an editor made stay, without naming the editor.
    undecided = Suggestion.objects.filter(decided_by=user).update(decided_by=None)
    return {
        "circle profiles deleted": profiles,
        "circle messages sent, unlinked": sent,
        "circle messages received, unlinked": received,
        "circle suggestions anonymised": anonymised,
        "circle open suggestions closed": closed,
        "circle decisions unlinked from the editor": undecided,
    }
