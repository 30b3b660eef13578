from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from kopa.core.models import AuditEntry
from kopa.privacy import services
from kopa.privacy.models import DataRequest
from kopa.programme.models import Registration

from .factories import EMAIL, NAME, PHONE, make_person

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/\w\w/my-data/access/[^/\s]+/)")


def ask(client: Client, email: str, language: str = "en", **extra) -> object:
    return client.post(f"/{language}/my-data/", {"email": email}, **extra)


def link_from_mail(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def asked_link(client: Client, email: str, django_capture_on_commit_callbacks, **extra) -> str:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, email, **extra)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return link_from_mail(mail.outbox[0])


def test_the_request_form_and_the_check_your_mail_page_render(client):
    assert client.get("/uk/my-data/").status_code == 200
    response = client.get("/uk/my-data/sent/")
    assert response.status_code == 200
    assert "24" in response.content.decode()


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 300 + "@example.org"])
def test_a_bad_address_gets_a_message_and_nothing_is_stored(client, email):
    response = ask(client, email, language="lv")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not DataRequest.objects.exists()
    assert not mail.outbox


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client, django_capture_on_commit_callbacks
):
    make_person()
    answers = []
    for email in (EMAIL, "stranger@example.org"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, email)
        followed = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], followed.content))
        assert [message.to for message in mail.outbox] == [[email]]
        assert mail.outbox[0].subject == "Your link to the data we keep about you"
    assert answers[0] == answers[1]


def test_mail_goes_out_only_after_commit_and_in_the_page_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(client, EMAIL, language="uk")
    assert not mail.outbox and len(callbacks) == 1
    callbacks[0]()
    assert mail.outbox[0].extra_headers["Content-Language"] == "uk"
    assert "/uk/my-data/access/" in mail.outbox[0].body


def test_too_many_requests_from_one_address_get_a_friendly_429(client):
    for number in range(5):
        assert ask(client, f"person{number}@example.org").status_code == 302
    response = ask(client, "person9@example.org", language="et")
    assert response.status_code == 429
    assert response.context["form"].non_field_errors()
    assert DataRequest.objects.count() == 5


def test_one_mailbox_is_not_flooded_and_the_answer_does_not_change(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            response = ask(client, EMAIL, REMOTE_ADDR=f"10.0.0.{number}")
            assert response.status_code == 302
    assert len(mail.outbox) == 3
    assert DataRequest.objects.count() == 3


def test_the_link_shows_everything_held_in_the_page_language(
    client, django_capture_on_commit_callbacks
):
    make_person()
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    response = client.get(path.replace("/en/", "/lv/"))
    assert response.status_code == 200
    page = response.content.decode()
    for value in (NAME, PHONE, "Pieteikumi"):  # "registrations" in Latvian
        assert value in page
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="privacy.request.opened").count() == 1


def test_a_known_address_without_data_is_told_so(client, django_capture_on_commit_callbacks):
    path = asked_link(client, "stranger@example.org", django_capture_on_commit_callbacks)
    response = client.get(path)
    assert response.status_code == 200
    assert "keeps nothing about this address, apart from your requests" in response.content.decode()


def test_a_link_opens_once_in_one_browser(client, django_capture_on_commit_callbacks):
    person = make_person()
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # the same browser, reloading
    other = Client()
    response = other.get(path)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    response = other.post(path + "erase/", {"understood": "on"})
    assert response.status_code == 410
    person.held.refresh_from_db()
    assert person.held.name == NAME


def test_a_link_checker_asking_head_does_not_use_the_link_up(
    client, django_capture_on_commit_callbacks
):
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    assert Client().head(path).status_code == 200
    assert Client().head("/en/my-data/access/forged/").status_code == 400
    assert DataRequest.objects.get().opened_at is None
    assert client.get(path).status_code == 200


def test_a_tampered_link_is_refused_with_400(client, django_capture_on_commit_callbacks):
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    token = path.split("/")[-2]
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 200, "abc:def"):
        response = client.get(f"/en/my-data/access/{forged}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert DataRequest.objects.get().opened_at is None


def test_an_expired_link_is_refused_with_410(client, django_capture_on_commit_callbacks):
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    DataRequest.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert DataRequest.objects.get().opened_at is None


def test_access_ends_an_hour_after_opening(client, django_capture_on_commit_callbacks):
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    assert client.get(path).status_code == 200
    DataRequest.objects.update(
        opened_at=timezone.now() - dt.timedelta(minutes=services.ACCESS_MINUTES + 1)
    )
    assert client.get(path).status_code == 410


def test_a_link_removed_by_retention_answers_expired(client, django_capture_on_commit_callbacks):
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    DataRequest.objects.all().delete()
    assert client.get(path).status_code == 410


def test_the_download_holds_json_and_a_readable_page(client, django_capture_on_commit_callbacks):
    make_person()
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    response = client.get(path.replace("/en/", "/uk/") + "download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["data.html", "data.json"]
        data = json.loads(archive.read("data.json"))
        page = archive.read("data.html").decode()
    assert data["email"] == EMAIL and data["language"] == "uk"
    dumped = json.dumps(data, ensure_ascii=False)
    assert NAME in dumped and PHONE in dumped
    assert NAME in page and 'lang="uk"' in page
    entry = AuditEntry.objects.get(action="privacy.data.exported")
    assert entry.data == {"via": "link"} and entry.actor is None


def test_erasure_asks_for_confirmation_first(client, django_capture_on_commit_callbacks):
    person = make_person()
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    assert client.get(path + "erase/").status_code == 200
    response = client.post(path + "erase/", {})
    assert response.status_code == 400
    assert response.context["form"].errors["understood"]
    person.held.refresh_from_db()
    assert person.held.name == NAME
    assert not AuditEntry.objects.filter(action="privacy.erased").exists()


def test_erasure_through_the_link(client, django_capture_on_commit_callbacks):
    person = make_person()
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path + "erase/", {"understood": "on"})
    assert response.status_code == 200
    assert "erased" in response.content.decode()
    for registration in (person.held, person.upcoming):
        registration.refresh_from_db()
        assert registration.name == "" and EMAIL not in registration.email
        assert registration.answers == {} and registration.organisation_name == ""
    # The held activity's attendance stays countable; the upcoming seat went to the next person.
    assert person.held.attended_at is not None
    assert person.upcoming.status == Registration.Status.CANCELLED
    person.waiting.refresh_from_db()
    assert person.waiting.status == Registration.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [[person.waiting.email]]
    person.user.refresh_from_db()
    assert not person.user.is_active and person.user.full_name == ""
    assert not person.user.has_usable_password()
    entry = AuditEntry.objects.get(action="privacy.erased")
    assert entry.actor is None and entry.target_id == ""
    assert entry.data["via"] == "link"
    assert entry.data["counts"]["programme.registrations_anonymised"] == 2
    assert EMAIL not in json.dumps(entry.data) and NAME not in json.dumps(entry.data)
    # Used: the link now says the data is gone, in this browser and any other.
    for browser in (client, Client()):
        response = browser.get(path)
        assert response.status_code == 410
        assert "has been erased" in response.content.decode()


def test_the_notice_page_links_to_earlier_versions(client):
    from kopa.core.models import PrivacyNotice

    PrivacyNotice.objects.create(version=1, text={"en": "First words."})
    PrivacyNotice.objects.create(version=2, text={"en": "Second words."})
    page = client.get("/en/privacy/").content.decode()
    assert "Second words." in page and "/en/my-data/notices/1/" in page
    response = client.get("/en/my-data/notices/1/")
    assert response.status_code == 200
    assert "First words." in response.content.decode()
    assert "earlier version" in response.content.decode()
    assert client.get("/en/my-data/notices/99/").status_code == 404
    assert client.get("/en/my-data/notices/x/").status_code == 404


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_refused(client, method):
    assert getattr(client, method)("/en/my-data/").status_code == 405


def test_a_logged_in_person_erasing_themselves_is_logged_out(
    client, django_capture_on_commit_callbacks
):
    person = make_person()
    client.force_login(person.user)
    path = asked_link(client, EMAIL, django_capture_on_commit_callbacks)
    assert client.get(path).status_code == 200
    response = client.post(path + "erase/", {"understood": "on"})
    assert response.status_code == 200
    assert "erased" in response.content.decode()
    assert client.get("/en/accounts/profile/").status_code == 302  # to the login page
