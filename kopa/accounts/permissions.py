"""Who may do what. Services call these and raise PermissionDenied; views and templates ask too.

Roles: a project admin may do everything; within one organisation a coordinator manages the
organisation, its people and its activities; an editor edits its content; a member belongs to
the support circle and reads what circle members may read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from kopa.accounts.models import Membership, Organisation

ROLE_RANK = {
    Membership.Role.MEMBER: 1,
    Membership.Role.EDITOR: 2,
    Membership.Role.COORDINATOR: 3,
}


def is_project_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_project_admin
    )


def role_in(user: Any, organisation: Organisation) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cache = getattr(user, "_kopa_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._kopa_roles = cache
    return cache.get(organisation.pk)


def has_role(user: Any, organisation: Organisation, minimum: str) -> bool:
    if is_project_admin(user):
        return True
    role = role_in(user, organisation)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Membership.Role.COORDINATOR)


def can_edit_content(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Membership.Role.EDITOR)


def is_circle_member(user: Any) -> bool:
    """Anyone who belongs to at least one organisation of the circle (or is a project admin)."""
    if is_project_admin(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(user=user).exists()


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
