"""What accounts holds on a person: the account, memberships, two-step login, sessions
(the personal-data contract, docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.sessions.models import Session

from kopa.accounts.models import Membership, RecoveryCode, TwoFactorDevice, User
from kopa.core.personal_data import RetentionRule

# Where an erased account's address points: .invalid never reaches anyone (RFC 2606).
ERASED_DOMAIN = "erased.invalid"


def _label(model: type, field: str) -> Any:
    return model._meta.get_field(field).verbose_name


def personal_data(*, email: str, user: User | None) -> dict[str, list[dict]]:
    if user is None:
        return {}
    sections: dict[str, list[dict]] = {
        User._meta.verbose_name: [
            {
                _label(User, "email"): user.email,
                _label(User, "full_name"): user.full_name,
                _label(User, "preferred_language"): user.get_preferred_language_display(),
                _label(User, "is_active"): user.is_active,
                _label(User, "is_project_admin"): user.is_project_admin,
                _label(User, "date_joined"): user.date_joined,
                _label(User, "last_login"): user.last_login,
            }
        ]
    }
    memberships = [
        {
            _label(Membership, "organisation"): str(membership.organisation.name),
            _label(Membership, "role"): membership.get_role_display(),
        }
        for membership in user.memberships.select_related("organisation")
    ]
    if memberships:
        sections[Membership._meta.verbose_name_plural] = memberships
    # The authenticator's secret and the recovery codes' hashes are not shown: they would let
    # whoever reads the copy log in as the person. That two-step login is on is shown.
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is not None:
        sections[TwoFactorDevice._meta.verbose_name] = [
            {
                TwoFactorDevice._meta.verbose_name: device.created,
                RecoveryCode._meta.verbose_name_plural: RecoveryCode.objects.filter(
                    user=user, used_at__isnull=True
                ).count(),
            }
        ]
    return sections


def _sessions_of(user: User) -> list[str]:
    """Session keys of the person's logins. Sessions are signed blobs without an index by
    user, so each live one is decoded; a library's site has few."""
    keys = []
    for session in Session.objects.all().iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


def erase_personal_data(*, email: str, user: User | None) -> dict[str, int]:
    """Deactivate the account and scrub its name and address. The row stays, so that what other
    people's records point at (an audit entry, a photo's uploader, a check-in) keeps its
    integrity, but nothing in it says who it was."""
    if user is None:
        return {}
    sessions = _sessions_of(user)
    Session.objects.filter(session_key__in=sessions).delete()
    memberships = Membership.objects.filter(user=user).delete()[0]
    devices = TwoFactorDevice.objects.filter(user=user).delete()[0]
    codes = RecoveryCode.objects.filter(user=user).delete()[0]
    user.email = f"{uuid.uuid4().hex}@{ERASED_DOMAIN}"
    user.full_name = ""
    user.is_active = False
    user.is_project_admin = False
    user.last_login = None
    user.preferred_language = User._meta.get_field("preferred_language").default
    user.set_unusable_password()
    user.session_epoch += 1
    user.save()
    return {
        "accounts.account_anonymised": 1,
        "accounts.memberships_removed": memberships,
        "accounts.two_step_logins_removed": devices + codes,
        "accounts.sessions_ended": len(sessions),
    }


def _delete_expired_sessions(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    expired = Session.objects.filter(expire_date__lt=now - dt.timedelta(days=days))
    return expired.count() if dry_run else expired.delete()[0]


def retention_rules() -> list[RetentionRule]:
    return [
        RetentionRule(
            kind="accounts.sessions",
            description=Session._meta.verbose_name_plural,
            default_days=0,
            effect="removed",
            apply=_delete_expired_sessions,
        )
    ]
