from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kopa.accounts.models import Membership
from kopa.accounts.permissions import can_edit_content, can_manage_organisation, is_circle_member
from kopa.accounts.tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

ROLES = [
    # (who, can manage the organisation, can edit its content, is a circle member)
    ("anonymous", False, False, False),
    ("no-role", False, False, False),
    ("member", False, False, True),
    ("editor", False, True, True),
    ("coordinator", True, True, True),
    ("coordinator-elsewhere", False, False, True),
    ("project-admin", True, True, True),
    ("inactive-coordinator", False, False, False),
]


def person(who: str, organisation):
    if who == "anonymous":
        return AnonymousUser()
    if who == "no-role":
        return make_user()
    if who == "project-admin":
        return make_user(is_project_admin=True)
    if who == "coordinator-elsewhere":
        return make_member(make_organisation(), Membership.Role.COORDINATOR)
    if who == "inactive-coordinator":
        return make_member(organisation, Membership.Role.COORDINATOR, is_active=False)
    return make_member(organisation, who)


@pytest.mark.parametrize(("who", "manage", "edit", "circle"), ROLES)
def test_each_role_gets_exactly_its_rights(who, manage, edit, circle):
    organisation = make_organisation()
    user = person(who, organisation)
    assert can_manage_organisation(user, organisation) is manage
    assert can_edit_content(user, organisation) is edit
    assert is_circle_member(user) is circle


def test_only_project_admins_reach_the_django_admin():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    admin = make_user(is_project_admin=True)
    assert not coordinator.is_staff
    assert not coordinator.has_perm("accounts.change_organisation")
    assert admin.is_staff
    assert admin.has_perm("accounts.change_organisation")
