from __future__ import annotations

import re

import pytest
from django.core import mail

from kopa.accounts.models import Membership, Organisation, User
from kopa.accounts.tests.factories import PASSWORD, make_member, make_organisation, make_user
from kopa.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client):
    user = make_user()
    wrong_password = client.post(
        "/en/accounts/login/", {"username": user.email, "password": "wrong"}
    )
    unknown_email = client.post(
        "/en/accounts/login/", {"username": "nobody@example.org", "password": "wrong"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "The email address or the password is incorrect."
    assert message in wrong_password.text
    assert message in unknown_email.text


def test_login_errors_are_in_the_pages_language(client):
    response = client.post("/uk/accounts/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    assert 'aria-invalid="true"' in response.text


def test_login_takes_the_email_in_any_case(client):
    user = make_user(email="coordinator@example.org")
    response = client.post(
        "/lv/accounts/login/", {"username": "Coordinator@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_gives_the_same_answer_for_known_and_unknown_addresses(client):
    user = make_user(preferred_language="et")
    known = client.post("/en/accounts/password-reset/", {"email": user.email})
    unknown = client.post("/en/accounts/password-reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/en/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]


def test_the_reset_mail_is_in_the_persons_language_and_its_link_sets_a_password(client):
    user = User.objects.create_user(
        "invited@example.org", full_name="Olena", preferred_language="uk"
    )
    client.post("/en/accounts/password-reset/", {"email": "invited@example.org"})
    body = mail.outbox[0].body
    assert "Olena" in body
    link = re.search(r"http://testserver(/\S+)", body).group(1)
    assert link.startswith("/en/accounts/password-reset/") or link.startswith("/uk/")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-7", "new_password2": "a-brand-new-password-7"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-7")


def test_a_used_reset_link_is_refused(client):
    response = client.get("/en/accounts/password-reset/MQ/bad-token/")
    assert response.status_code == 200
    assert "no longer valid" in response.text


def test_the_profile_page_needs_a_login(client):
    response = client.get("/en/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_a_person_changes_their_details(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/en/accounts/profile/", {"full_name": "Anna Ozola", "preferred_language": "lv"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Anna Ozola"
    assert user.preferred_language == "lv"


def test_profile_errors_appear_next_to_the_field(client):
    client.force_login(make_user())
    response = client.post("/lv/accounts/profile/", {"full_name": "", "preferred_language": "xx"})
    assert response.status_code == 200
    assert 'id="id_full_name_error"' in response.text
    assert 'id="id_preferred_language_error"' in response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("editor", 403),
        ("coordinator-elsewhere", 403),
        ("coordinator", 200),
        ("project-admin", 200),
    ],
)
@pytest.mark.parametrize("page", ["edit", "people"])
def test_only_coordinators_and_admins_open_the_management_pages(client, who, status, page):
    organisation = make_organisation()
    if who == "coordinator-elsewhere":
        client.force_login(make_member(make_organisation(), Membership.Role.COORDINATOR))
    elif who == "project-admin":
        client.force_login(make_user(is_project_admin=True))
    elif who != "anonymous":
        client.force_login(make_member(organisation, who))
    response = client.get(f"/en/organisations/{organisation.slug}/{page}/")
    assert response.status_code == status


def organisation_form_data(organisation: Organisation, **changes) -> dict[str, str]:
    data = {
        "name_0": organisation.name.get("lv"),
        "name_1": organisation.name.get("et"),
        "name_2": organisation.name.get("en"),
        "name_3": organisation.name.get("uk"),
        "name_4": organisation.name.get("ru"),
        "original_language": organisation.original_language,
        "kind": organisation.kind,
        "country": organisation.country,
        "region": organisation.region,
        "address": "",
        "email": "",
        "phone": "",
        "website": "",
        "description_0": "",
        "description_1": "",
        "description_2": "",
        "description_3": "",
        "description_4": "",
        "version": str(organisation.version),
    }
    data.update(changes)
    return data


def test_a_coordinator_edits_the_organisation_in_several_languages(client):
    organisation = make_organisation()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    response = client.post(
        f"/en/organisations/{organisation.slug}/edit/",
        organisation_form_data(organisation, name_3="Бібліотека", website="example.org/lib"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name.get("uk") == "Бібліотека"
    assert organisation.website == "https://example.org/lib"


def test_the_edit_form_refuses_a_stale_version_and_keeps_the_other_save(client):
    organisation = make_organisation()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    stale = organisation_form_data(organisation, region="Mine")
    Organisation.objects.filter(pk=organisation.pk).update(version=2, region="Theirs")
    response = client.post(f"/en/organisations/{organisation.slug}/edit/", stale)
    assert response.status_code == 200
    assert "Someone else saved this organisation" in response.text
    organisation.refresh_from_db()
    assert organisation.region == "Theirs"


def test_an_invalid_edit_shows_errors_and_saves_nothing(client):
    organisation = make_organisation()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    response = client.post(
        f"/ru/organisations/{organisation.slug}/edit/",
        organisation_form_data(organisation, name_0="", name_2="", country="XX", email="bad"),
    )
    assert response.status_code == 200
    assert 'id="id_country_error"' in response.text
    assert 'id="id_email_error"' in response.text
    assert not AuditEntry.objects.exists()


def test_a_coordinator_adds_a_person_on_the_people_page(client, django_capture_on_commit_callbacks):
    organisation = make_organisation()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/organisations/{organisation.slug}/people/",
            {
                "email": "vol@example.org",
                "full_name": "Volunteer",
                "role": "member",
                "preferred_language": "ru",
            },
        )
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=organisation, user__email="vol@example.org")
    assert len(mail.outbox) == 1


def test_adding_someone_twice_shows_a_message_and_adds_nothing(client):
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(
        f"/en/organisations/{organisation.slug}/people/",
        {
            "email": coordinator.email,
            "full_name": "Again",
            "role": "member",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert "already in the organisation" in response.text
    assert Membership.objects.count() == 1


def test_a_coordinator_changes_a_role_from_the_people_page(client):
    organisation = make_organisation()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    membership = make_member(organisation).memberships.get()
    url = f"/en/organisations/{organisation.slug}/people/{membership.pk}/"
    response = client.post(url, {f"m{membership.pk}-role": "editor", "change": ""})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "editor"
    client.post(url, {"remove": ""})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_people_page_is_hidden_from_another_organisations_coordinator(client):
    organisation = make_organisation()
    membership = make_member(organisation).memberships.get()
    client.force_login(make_member(make_organisation(), Membership.Role.COORDINATOR))
    response = client.post(
        f"/en/organisations/{organisation.slug}/people/{membership.pk}/", {"remove": ""}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_django_admin_is_for_project_admins_only(client):
    organisation = make_organisation()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    assert client.get("/en/admin/").status_code == 302
    client.force_login(make_user(is_project_admin=True))
    assert client.get("/en/admin/").status_code == 200
