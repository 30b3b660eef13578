from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from icalendar import Calendar

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member
from kopa.programme import services
from kopa.programme.links import checkin_token, private_token
from kopa.programme.models import Activity, Question, Registration
from kopa.programme.tests.factories import (
    make_activity,
    make_group,
    make_notice,
    make_question,
    registration_data,
)

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "name": "Olena Kovalenko",
        "email": "olena@example.org",
        "organisation_name": "",
        "country": "UA",
        "participant_group": "other",
        "languages": ["uk", "lv"],
        "consent": "on",
    }
    data.update(changes)
    return data


def test_a_person_registers_without_an_account_and_lands_on_their_private_page(
    client, django_capture_on_commit_callbacks
):
    make_notice()
    activity = make_activity(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/uk/programme/{activity.slug}/register/", form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/uk/programme/r/")
    registration = Registration.objects.get()
    assert registration.language == "uk"
    assert registration.languages == ["uk", "lv"]
    assert registration.consent_notice.version == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Olena Kovalenko" in page.text
    message = mail.outbox[0]
    assert message.to == ["olena@example.org"]
    assert re.search(r"/uk/programme/r/[^/\s]+/", message.body)
    names = [name for name, _content, _type in message.attachments]
    assert names == [f"{activity.slug}.ics", "check-in.png"]


def test_the_form_needs_consent_and_says_so_next_to_the_field(client):
    make_notice()
    activity = make_activity()
    response = client.post(f"/lv/programme/{activity.slug}/register/", form_data(consent=""))
    assert response.status_code == 200
    assert 'id="id_consent_error"' in response.text
    assert not Registration.objects.exists()


def test_a_duplicate_email_gets_a_clear_message_in_the_pages_language(client):
    make_notice()
    activity = make_activity()
    client.post(f"/en/programme/{activity.slug}/register/", form_data())
    response = client.post(
        f"/en/programme/{activity.slug}/register/", form_data(email="OLENA@example.org")
    )
    assert response.status_code == 200
    assert "already registered" in response.text
    assert Registration.objects.count() == 1


def test_a_missing_required_answer_is_shown_on_its_question(client):
    make_notice()
    activity = make_activity()
    question = make_question(activity, required=True)
    response = client.post(f"/en/programme/{activity.slug}/register/", form_data())
    assert response.status_code == 200
    assert f'id="id_q_{question.pk}_error"' in response.text
    assert not Registration.objects.exists()


def test_a_full_activity_offers_the_waiting_list(client):
    make_notice()
    activity = make_activity(capacity=1)
    services.registration_create(activity=activity, **registration_data())
    page = client.get(f"/en/programme/{activity.slug}/")
    assert "waiting list" in page.text
    client.post(f"/en/programme/{activity.slug}/register/", form_data())
    assert Registration.objects.get(email="olena@example.org").status == "waiting"


@pytest.mark.parametrize("status", ["cancelled", "held", "planned"])
def test_a_closed_activity_shows_why_and_accepts_nothing(client, status):
    make_notice()
    activity = make_activity(status=status)
    page = client.get(f"/en/programme/{activity.slug}/register/")
    assert page.status_code == 200
    assert 'name="consent"' not in page.text
    assert (
        f"/programme/{activity.slug}/register/"
        not in client.get(f"/en/programme/{activity.slug}/").text
    )
    response = client.post(f"/en/programme/{activity.slug}/register/", form_data())
    assert response.status_code == 302
    assert not Registration.objects.exists()


@pytest.mark.parametrize("token", ["x", "abc:def", "0" * 32 + ":forged", "a" * 500])
def test_a_tampered_private_link_is_a_404(client, token):
    registration = services.registration_create(activity=make_activity(), **registration_data())
    assert client.get(f"/en/programme/r/{token}/").status_code == 404
    assert client.post(f"/en/programme/r/{token}/cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.is_active


def test_an_expired_private_link_says_so(client, settings):
    settings.KOPA_PRIVATE_LINK_DAYS = 30
    activity = make_activity()
    registration = services.registration_create(activity=activity, **registration_data())
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=40),
        ends_at=timezone.now() - dt.timedelta(days=40),
    )
    response = client.get(f"/en/programme/r/{private_token(registration)}/")
    assert response.status_code == 410


def test_the_private_link_cancels_and_the_queue_moves(client):
    activity = make_activity(capacity=1)
    seated = services.registration_create(activity=activity, **registration_data())
    waiting = services.registration_create(activity=activity, **registration_data())
    response = client.post(f"/en/programme/r/{private_token(seated)}/cancel/")
    assert response.status_code == 302
    assert Registration.objects.get(pk=seated.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    again = client.post(f"/en/programme/r/{private_token(seated)}/cancel/", follow=True)
    assert "already cancelled" in again.text


def test_the_private_link_changes_answers(client):
    activity = make_activity()
    question = make_question(activity, kind=Question.Kind.YES_NO, required=True)
    registration = services.registration_create(
        activity=activity, **registration_data(answers={str(question.pk): "no"})
    )
    url = f"/en/programme/r/{private_token(registration)}/"
    assert client.post(url, {f"q_{question.pk}": "yes"}).status_code == 302
    registration.refresh_from_db()
    assert registration.answers == {str(question.pk): True}
    bad = client.post(url, {f"q_{question.pk}": "maybe"})
    assert bad.status_code == 200
    registration.refresh_from_db()
    assert registration.answers == {str(question.pk): True}


def test_the_check_in_code_cannot_open_the_private_page(client):
    registration = services.registration_create(activity=make_activity(), **registration_data())
    assert client.get(f"/en/programme/r/{checkin_token(registration)}/").status_code == 404


def test_scanning_a_check_in_code_is_for_the_organisers_coordinators(client):
    activity = make_activity()
    registration = services.registration_create(activity=activity, **registration_data())
    url = f"/en/programme/check-in/{checkin_token(registration)}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_member(activity.organisers.get(), Membership.Role.MEMBER))
    assert client.post(url).status_code == 403
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.attended_at is not None
    assert client.get("/en/programme/check-in/forged:code/").status_code == 404


def test_the_activity_page_has_schema_org_event_data(client):
    activity = make_activity(latitude="57.541200", longitude="25.427500", address="Rīgas iela 10")
    page = client.get(f"/en/programme/{activity.slug}/")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Event"
    assert data["name"] == activity.title.get("en")
    assert data["startDate"].endswith(("+02:00", "+03:00"))
    assert data["location"]["geo"]["latitude"] == 57.5412
    assert data["maximumAttendeeCapacity"] == 3


def test_user_text_cannot_break_out_of_the_json_ld_block(client):
    activity = make_activity(title={"en": "</script><script>alert(1)</script>"})
    page = client.get(f"/en/programme/{activity.slug}/")
    assert "<script>alert(1)" not in page.text


def test_the_programme_feed_is_valid_icalendar_in_the_venues_time_zone(client):
    summer = dt.datetime(2027, 6, 10, 14, 0, tzinfo=dt.UTC)  # 17:00 in Riga (UTC+3)
    winter = dt.datetime(2027, 1, 10, 15, 0, tzinfo=dt.UTC)  # 17:00 in Riga (UTC+2)
    make_activity(starts_at=summer, slug="summer")
    make_activity(starts_at=winter, slug="winter", status="cancelled")
    response = client.get("/programme.ics?lang=lv")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Riga"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    summer_event = events["activity-summer@kopa-talak"]
    assert summer_event.decoded("DTSTART").hour == 17
    assert str(summer_event.decoded("DTSTART").tzinfo) == "Europe/Riga"
    assert events["activity-winter@kopa-talak"].decoded("DTSTART").hour == 17
    assert str(events["activity-winter@kopa-talak"]["STATUS"]) == "CANCELLED"
    assert str(summer_event["SUMMARY"]).startswith("Aktivitāte")


def test_one_activity_downloads_as_ics(client):
    activity = make_activity()
    response = client.get(f"/en/programme/{activity.slug}.ics")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_the_programme_list_filters_and_ignores_nonsense(client):
    make_activity(slug="riga-talk", working_languages=["lv", "uk"], country="LV")
    make_activity(slug="hiiumaa-walk", working_languages=["et"], country="EE")
    group = make_group()
    make_activity(slug="for-librarians").target_groups.add(group)
    page = client.get("/en/programme/?language=uk")
    assert "riga-talk" in page.text and "hiiumaa-walk" not in page.text
    page = client.get("/en/programme/?country=EE")
    assert "hiiumaa-walk" in page.text and "riga-talk" not in page.text
    page = client.get(f"/en/programme/?group={group.code}")
    assert "for-librarians" in page.text and "riga-talk" not in page.text
    for nonsense in ["?kind=%00", "?page=-1", "?page=99999", "?when=<script>", "?country=ZZZ"]:
        assert client.get("/en/programme/" + nonsense).status_code == 200


def test_the_programme_list_needs_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _i in range(3):
        make_activity()
    # Filter choices (kinds, groups), the count, the page and its seat counts: the same for 3 or
    # 13 activities.
    # (Measured uncached: anonymous visitors get a cached copy for a few seconds.)
    with django_assert_num_queries(5) as few:
        client.get("/en/programme/")
    for _i in range(10):
        make_activity()
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/en/programme/")


def test_public_pages_are_cached_briefly_for_visitors_but_never_for_logged_in_people(client):
    activity = make_activity(title={"en": "Before"})
    assert "Before" in client.get(f"/en/programme/{activity.slug}/").text
    Activity.objects.filter(pk=activity.pk).update(title={"en": "After"})
    assert "Before" in client.get(f"/en/programme/{activity.slug}/").text
    assert "After" in client.get(f"/lv/programme/{activity.slug}/").text  # per language
    client.force_login(make_member(activity.organisers.get(), Membership.Role.MEMBER))
    assert "After" in client.get(f"/en/programme/{activity.slug}/").text


def test_the_activity_page_needs_a_fixed_number_of_queries(client, django_assert_num_queries):
    activity = make_activity(capacity=None)
    for _i in range(2):
        services.registration_create(activity=activity, **registration_data())
    with django_assert_num_queries(5) as few:
        client.get(f"/en/programme/{activity.slug}/")
    for _i in range(20):
        services.registration_create(activity=activity, **registration_data())
    make_question(activity)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(f"/en/programme/{activity.slug}/")
