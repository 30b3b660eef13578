"""Changes to organisations, people and roles. Each checks permission and writes an audit record."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from kopa.accounts import totp
from kopa.accounts.models import Membership, Organisation, RecoveryCode, TwoFactorDevice, User
from kopa.accounts.permissions import can_manage_organisation, is_project_admin, require
from kopa.core.audit import audit_log
from kopa.core.mail import send_templated_mail

ORGANISATION_FIELDS = (
    "name",
    "original_language",
    "kind",
    "country",
    "region",
    "address",
    "email",
    "phone",
    "website",
    "description",
)


class EditConflict(Exception):
    """Someone else saved the record after this editor opened it."""


def _forget_roles(user: Any) -> None:
    if hasattr(user, "_kopa_roles"):
        del user._kopa_roles


def organisation_create(*, actor: User, slug: str, **fields: Any) -> Organisation:
    require(is_project_admin(actor))
    unknown = set(fields) - set(ORGANISATION_FIELDS) - {"is_demo"}
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(slug=slug, **fields)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        audit_log(action="accounts.organisation.created", actor=actor, target=organisation)
    return organisation


def organisation_update(
    *, actor: User, organisation: Organisation, expected_version: int, **fields: Any
) -> Organisation:
    """Save the editor's fields unless someone saved a newer version meanwhile (EditConflict)."""
    require(can_manage_organisation(actor, organisation))
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    changed = sorted(fields)
    with transaction.atomic():
        updated = Organisation.objects.filter(pk=organisation.pk, version=expected_version).update(
            version=F("version") + 1, **{name: getattr(organisation, name) for name in fields}
        )
        if not updated:
            raise EditConflict
        audit_log(
            action="accounts.organisation.updated",
            actor=actor,
            target=organisation,
            data={"fields": changed, "version": expected_version + 1},
        )
    organisation.refresh_from_db()
    return organisation


def _invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with override(user.preferred_language):
        return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def membership_add(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    preferred_language: str,
    base_url: str,
) -> Membership:
    """Add a person to an organisation; someone new gets an account and a set-password link."""
    require(can_manage_organisation(actor, organisation))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                email, full_name=full_name, preferred_language=preferred_language
            )
            audit_log(action="accounts.user.invited", actor=actor, target=user)
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise ValidationError({"email": _("This person is already in the organisation.")})
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        audit_log(
            action="accounts.membership.added",
            actor=actor,
            target=membership,
            data={"organisation": organisation.slug, "role": role},
        )
        transaction.on_commit(
            lambda: send_templated_mail(
                template="accounts/mail/membership_added",
                to=user.email,
                language=user.preferred_language,
                context={
                    "user": user,
                    "organisation": organisation,
                    "role": membership.get_role_display,
                    "set_password_url": base_url + _invitation_link(user) if created else None,
                    "login_url": base_url + reverse("accounts:login"),
                },
            )
        )
    _forget_roles(user)
    return membership


def _ensure_a_coordinator_remains(membership: Membership, new_role: str | None) -> None:
    if membership.role != Membership.Role.COORDINATOR or new_role == Membership.Role.COORDINATOR:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(organisation=membership.organisation, role=Membership.Role.COORDINATOR)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(_("An organisation needs at least one coordinator."))


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require(can_manage_organisation(actor, membership.organisation))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    with transaction.atomic():
        _ensure_a_coordinator_remains(membership, role)
        old_role = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log(
            action="accounts.membership.role_changed",
            actor=actor,
            target=membership,
            data={"from": old_role, "to": role},
        )
    _forget_roles(membership.user)
    _forget_roles(actor)
    return membership


def membership_remove(*, actor: User, membership: Membership) -> None:
    require(can_manage_organisation(actor, membership.organisation))
    with transaction.atomic():
        _ensure_a_coordinator_remains(membership, None)
        audit_log(
            action="accounts.membership.removed",
            actor=actor,
            target=membership.organisation,
            data={"user": membership.user_id, "role": membership.role},
        )
        membership.delete()
    _forget_roles(membership.user)
    _forget_roles(actor)


def user_update_profile(
    *, actor: User, user: User, full_name: str, preferred_language: str
) -> User:
    if actor.pk != user.pk and not is_project_admin(actor):
        raise PermissionDenied
    user.full_name = full_name
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=["full_name", "preferred_language"])
        audit_log(
            action="accounts.user.profile_updated",
            actor=actor,
            target=user,
            data={"fields": ["full_name", "preferred_language"]},
        )
    return user


def user_logout_everywhere(*, actor: User, user: User) -> None:
    """End every session of the person, on every device (the current one too)."""
    if actor.pk != user.pk and not is_project_admin(actor):
        raise PermissionDenied
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        audit_log(action="accounts.user.sessions_ended", actor=actor, target=user)
    user.refresh_from_db(fields=["session_epoch"])


# --- Two-step login (TOTP) ----------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
# 10 characters of a 32-letter alphabet without look-alikes: 50 bits, typed from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class TwoFactorError(Exception):
    """A code or password did not match; `message` is for the person, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _hash_recovery_code(code: str, salt: str) -> str:
    return salt + "$" + hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _normalise_recovery_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes; returns the new ones, shown once and never stored."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_recovery_code(code, secrets.token_hex(8)))
        for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _use_recovery_code(user: User, code: str) -> bool:
    wanted = _normalise_recovery_code(code)
    for recovery in RecoveryCode.objects.select_for_update().filter(user=user, used_at=None):
        salt = recovery.code_hash.split("$", 1)[0]
        if hmac.compare_digest(recovery.code_hash, _hash_recovery_code(wanted, salt)):
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            return True
    return False


def _use_code(device: TwoFactorDevice, code: str) -> str | None:
    """'totp' or 'recovery' when the code is good (and now spent), else None. Locks the device."""
    device = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
    step = totp.matching_step(device.secret, code, after_step=device.last_used_step)
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return "totp"
    if _use_recovery_code(device.user, code):
        return "recovery"
    return None


def two_factor_enable(*, actor: User, secret: str, code: str) -> list[str]:
    """Turn on the two-step login with the secret the person's app scanned, once a code from
    the app proves it; returns the recovery codes to show once."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if TwoFactorDevice.objects.filter(user=user).exists():
            raise TwoFactorError(_("Two-step login is already on."))
        step = totp.matching_step(secret, code)
        if step is None:
            raise TwoFactorError(
                _("That code does not match. Check the phone's clock and type the newest code.")
            )
        TwoFactorDevice.objects.create(user=user, secret=secret, last_used_step=step)
        codes = _new_recovery_codes(user)
        audit_log(action="accounts.two_factor.enabled", actor=actor, target=user)
    return codes


def two_factor_verify(*, user: User, code: str) -> None:
    """The login's second step: a code from the app or an unused recovery code."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.filter(user=user).select_related("user").first()
        used = _use_code(device, code) if device is not None else None
        if used is None:
            raise TwoFactorError(_("That code does not match. Type the newest code from the app."))
        if used == "recovery":
            audit_log(
                action="accounts.two_factor.recovery_code_used",
                actor=user,
                target=user,
                data={"left": RecoveryCode.objects.filter(user=user, used_at=None).count()},
            )


def _check_password_and_code(user: User, password: str, code: str) -> None:
    device = TwoFactorDevice.objects.filter(user=user).select_related("user").first()
    if device is None:
        raise TwoFactorError(_("Two-step login is not on."))
    if not user.check_password(password) or _use_code(device, code) is None:
        raise TwoFactorError(_("The password or the code is incorrect. Check both."))


def two_factor_disable(*, actor: User, password: str, code: str) -> None:
    """Turn the two-step login off; needs the password and a current (or recovery) code."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        _check_password_and_code(user, password, code)
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit_log(action="accounts.two_factor.disabled", actor=actor, target=user)


def recovery_codes_renew(*, actor: User, password: str, code: str) -> list[str]:
    """New recovery codes (the old ones stop working); needs the password and a code."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        _check_password_and_code(user, password, code)
        codes = _new_recovery_codes(user)
        audit_log(action="accounts.two_factor.recovery_codes_renewed", actor=actor, target=user)
    return codes


def two_factor_reset(*, actor: User, user: User) -> bool:
    """A project admin turns off someone's two-step login (lost phone and recovery codes), after
    checking who they are outside the platform. Ends their sessions too. True if it was on."""
    require(is_project_admin(actor))
    with transaction.atomic():
        deleted, _kinds = TwoFactorDevice.objects.filter(user=user).delete()
        if not deleted:
            return False
        RecoveryCode.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        audit_log(action="accounts.two_factor.reset", actor=actor, target=user)
    return True
