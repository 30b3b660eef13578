"""Changes to organisations, people and roles. Each checks permission and writes an audit record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from kopa.accounts.models import Membership, Organisation, User
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
