from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kopa.accounts import services
from kopa.accounts.models import Membership, Organisation, User
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry

pytestmark = pytest.mark.django_db

BASE_URL = "https://kopa.example.org"


def organisation_fields(organisation: Organisation, **changes):
    fields = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
    fields.update(changes)
    return fields


def test_a_coordinator_updates_the_organisation_and_it_is_audited():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    services.organisation_update(
        actor=coordinator,
        organisation=organisation,
        expected_version=organisation.version,
        **organisation_fields(organisation, region="Valmiera", name={"lv": "Jauns nosaukums"}),
    )
    organisation.refresh_from_db()
    assert organisation.region == "Valmiera"
    assert organisation.name.translations == {"lv": "Jauns nosaukums"}
    assert organisation.version == 2
    entry = AuditEntry.objects.get(action="accounts.organisation.updated")
    assert entry.actor == coordinator
    assert entry.target_id == str(organisation.pk)


def test_an_editor_may_not_update_the_organisation():
    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=editor,
            organisation=organisation,
            expected_version=1,
            **organisation_fields(organisation, region="X"),
        )
    organisation.refresh_from_db()
    assert organisation.region == ""
    assert not AuditEntry.objects.exists()


def test_the_second_of_two_editors_saving_one_record_is_refused_not_merged():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    first = Organisation.objects.get(pk=organisation.pk)
    second = Organisation.objects.get(pk=organisation.pk)
    services.organisation_update(
        actor=coordinator,
        organisation=first,
        expected_version=1,
        **organisation_fields(first, region="First"),
    )
    with pytest.raises(services.EditConflict):
        services.organisation_update(
            actor=coordinator,
            organisation=second,
            expected_version=1,
            **organisation_fields(second, region="Second"),
        )
    organisation.refresh_from_db()
    assert organisation.region == "First"
    assert AuditEntry.objects.filter(action="accounts.organisation.updated").count() == 1


def test_invalid_fields_change_nothing():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    with pytest.raises(ValidationError):
        services.organisation_update(
            actor=coordinator,
            organisation=organisation,
            expected_version=1,
            **organisation_fields(organisation, country="XX"),
        )
    organisation.refresh_from_db()
    assert organisation.country == "LV"
    assert organisation.version == 1


def test_adding_a_new_person_creates_an_account_and_mails_a_set_password_link(
    django_capture_on_commit_callbacks,
):
    organisation = make_organisation(name={"lv": "Valmieras bibliotēka"}, original_language="lv")
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_add(
            actor=coordinator,
            organisation=organisation,
            email="New.Person@Example.org",
            full_name="Jauna Persona",
            role=Membership.Role.EDITOR,
            preferred_language="lv",
            base_url=BASE_URL,
        )
    user = membership.user
    assert user.email == "new.person@example.org"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Valmieras bibliotēka" in message.subject
    assert f"{BASE_URL}/lv/accounts/password-reset/" in message.body
    assert message.extra_headers["Content-Language"] == "lv"
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "accounts.user.invited",
        "accounts.membership.added",
    }


def test_no_mail_leaves_when_adding_fails(django_capture_on_commit_callbacks):
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.membership_add(
            actor=coordinator,
            organisation=organisation,
            email=coordinator.email,
            full_name="Again",
            role="member",
            preferred_language="en",
            base_url=BASE_URL,
        )
    assert mail.outbox == []


def test_a_coordinator_of_another_organisation_cannot_add_people():
    organisation = make_organisation()
    outsider = make_member(make_organisation(), Membership.Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=outsider,
            organisation=organisation,
            email="x@example.org",
            full_name="X",
            role="member",
            preferred_language="en",
            base_url=BASE_URL,
        )
    assert not User.objects.filter(email="x@example.org").exists()


def test_the_last_coordinator_cannot_be_demoted_or_removed():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    membership = coordinator.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_change_role(actor=coordinator, membership=membership, role="member")
    with pytest.raises(ValidationError):
        services.membership_remove(actor=coordinator, membership=membership)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.COORDINATOR


def test_a_coordinator_changes_a_role_and_removes_a_person():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    member = make_member(organisation, Membership.Role.MEMBER)
    membership = member.memberships.get()
    services.membership_change_role(actor=coordinator, membership=membership, role="editor")
    assert Membership.objects.get(pk=membership.pk).role == "editor"
    services.membership_remove(actor=coordinator, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="accounts.membership.removed").exists()


def test_people_update_their_own_profile_only():
    user = make_user()
    other = make_user()
    services.user_update_profile(
        actor=user, user=user, full_name="New Name", preferred_language="uk"
    )
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("New Name", "uk")
    with pytest.raises(PermissionDenied):
        services.user_update_profile(
            actor=user, user=other, full_name="Hijack", preferred_language="en"
        )
