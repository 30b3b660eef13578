from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry
from kopa.programme import services
from kopa.programme.models import Activity, Question, Registration
from kopa.programme.tests.factories import (
    make_activity,
    make_kind,
    make_project,
    make_question,
    registration_data,
)

pytestmark = pytest.mark.django_db

PAGES = ["", "edit/", "questions/", "cancel/", "registrations.csv", "registrations.xlsx"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("editor", 403),
        ("other-coordinator", 403),
        ("coordinator", 200),
        ("project-admin", 200),
    ],
)
def test_each_role_gets_its_answer_on_each_coordinator_page(client, page, who, status):
    activity = make_activity()
    organisation = activity.organisers.get()
    if who == "other-coordinator":
        client.force_login(make_member(make_organisation(), Membership.Role.COORDINATOR))
    elif who == "project-admin":
        client.force_login(make_user(is_project_admin=True))
    elif who != "anonymous":
        client.force_login(make_member(organisation, who))
    response = client.get(f"/en/programme/manage/{activity.slug}/{page}")
    assert response.status_code == status


def coordinator_client(client, activity: Activity):
    user = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    client.force_login(user)
    return user


def test_the_list_shows_only_the_coordinators_own_activities(client):
    mine = make_activity(slug="mine")
    make_activity(slug="theirs")
    coordinator_client(client, mine)
    page = client.get("/en/programme/manage/")
    assert "/manage/mine/" in page.text
    assert "/manage/theirs/" not in page.text


def test_a_member_sees_a_friendly_explanation_instead_of_a_list(client):
    activity = make_activity()
    client.force_login(make_member(activity.organisers.get(), Membership.Role.MEMBER))
    page = client.get("/en/programme/manage/")
    assert page.status_code == 200
    assert "You do not coordinate an organisation" in page.text


def test_viewing_and_exporting_participants_is_audited(client):
    activity = make_activity()
    coordinator = coordinator_client(client, activity)
    client.get(f"/en/programme/manage/{activity.slug}/")
    client.get(f"/en/programme/manage/{activity.slug}/registrations.csv")
    actions = list(AuditEntry.objects.filter(actor=coordinator).values_list("action", flat=True))
    assert sorted(actions) == ["programme.registrations.exported", "programme.registrations.viewed"]


def test_exports_hold_every_registration_with_answers_and_defuse_formulas(client):
    activity = make_activity(capacity=1)
    question = make_question(activity, kind=Question.Kind.YES_NO, label={"en": "Interpreter?"})
    services.registration_create(
        activity=activity,
        **registration_data(name='=HYPERLINK("x")', answers={str(question.pk): "yes"}),
    )
    services.registration_create(activity=activity, **registration_data(name="Ērika Ozola"))
    coordinator_client(client, activity)
    response = client.get(f"/lv/programme/manage/{activity.slug}/registrations.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Interpreter?"
    assert rows[1][0] == '\'=HYPERLINK("x")'
    assert rows[2][0] == "Ērika Ozola"
    assert len(rows) == 3
    response = client.get(f"/lv/programme/manage/{activity.slug}/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    assert sheet["A3"].value == "Ērika Ozola"


def test_the_coordinator_filters_approves_checks_in_and_changes_seats(
    client, django_capture_on_commit_callbacks
):
    activity = make_activity(capacity=1, requires_approval=True)
    first = services.registration_create(activity=activity, **registration_data(name="Anna"))
    second = services.registration_create(activity=activity, **registration_data(name="Boris"))
    coordinator_client(client, activity)
    url = f"/en/programme/manage/{activity.slug}/"
    page = client.get(url + "?q=ann")
    assert "Anna" in page.text and "Boris" not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "approve", "registration": first.pk})
        client.post(url, {"action": "approve", "registration": second.pk})
    assert Registration.objects.get(pk=first.pk).status == "confirmed"
    assert Registration.objects.get(pk=second.pk).status == "waiting"
    client.post(url, {"action": "attended", "registration": first.pk})
    assert Registration.objects.get(pk=first.pk).attended_at is not None
    client.post(url, {"action": "capacity", "capacity": "2"})
    assert Registration.objects.get(pk=second.pk).status == "confirmed"
    response = client.post(url, {"action": "capacity", "capacity": "0"}, follow=True)
    assert "already have a seat" in response.text
    assert Activity.objects.get(pk=activity.pk).capacity == 2
    assert client.post(url, {"action": "nonsense", "registration": first.pk}).status_code == 404


def test_a_registration_of_another_activity_cannot_be_touched_from_this_page(client):
    activity = make_activity()
    other = services.registration_create(activity=make_activity(), **registration_data())
    coordinator_client(client, activity)
    response = client.post(
        f"/en/programme/manage/{activity.slug}/", {"action": "cancel", "registration": other.pk}
    )
    assert response.status_code == 404
    assert Registration.objects.get(pk=other.pk).is_active


def test_a_coordinator_creates_an_activity_for_their_organisation_only(client):
    organisation = make_organisation()
    make_project()
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    kind = make_kind()
    data = {
        "kind": kind.pk,
        "title_2": "Conversation café",
        "title_0": "Sarunu kafejnīca",
        "original_language": "lv",
        "organisers": [organisation.pk],
        "status": "open",
        "starts_at": "2027-03-28T17:00",  # the summer-time change in Riga
        "ends_at": "2027-03-28T19:00",
        "time_zone": "Europe/Riga",
        "country": "LV",
        "capacity": "20",
        "reminder_days": "2",
    }
    response = client.post("/en/programme/manage/new/", data)
    assert response.status_code == 302, response.text
    activity = Activity.objects.get()
    assert activity.slug == "conversation-cafe"
    assert activity.local_start().hour == 17
    assert activity.starts_at.utcoffset().total_seconds() == 0
    assert activity.starts_at.hour == 14  # 17:00 in Riga is 14:00 UTC after the change
    other = make_organisation()
    response = client.post("/en/programme/manage/new/", {**data, "organisers": [other.pk]})
    assert response.status_code == 200
    assert Activity.objects.count() == 1


def test_the_coordinator_cancels_an_activity_and_everyone_is_told(
    client, django_capture_on_commit_callbacks
):
    activity = make_activity()
    services.registration_create(activity=activity, **registration_data(language="uk"))
    coordinator_client(client, activity)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/programme/manage/{activity.slug}/cancel/")
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).status == "cancelled"
    assert len(mail.outbox) == 1


def test_questions_are_added_and_removed(client):
    activity = make_activity()
    coordinator_client(client, activity)
    url = f"/en/programme/manage/{activity.slug}/questions/"
    response = client.post(
        url, {"label_2": "Dietary needs", "kind": "choice", "choices_2": "", "action": "save"}
    )
    assert response.status_code == 200  # a choice question needs its choices
    client.post(
        url,
        {
            "label_2": "Dietary needs",
            "kind": "choice",
            "choices_2": "Vegan\nNone",
            "action": "save",
        },
    )
    question = activity.questions.get()
    assert question.choice_list() == ["Vegan", "None"]
    client.post(url, {"question": question.pk, "action": "delete"})
    assert not activity.questions.exists()


@pytest.mark.parametrize("made_up", ["abc", "²", "-1", "99999999999999999999"])
def test_a_made_up_question_is_not_found(client, made_up):
    activity = make_activity()
    coordinator_client(client, activity)
    url = f"/en/programme/manage/{activity.slug}/questions/"
    assert client.get(url, {"question": made_up}).status_code == 404
    assert client.post(url, {"question": made_up, "action": "delete"}).status_code == 404


def test_made_up_registrations_photos_and_seats_change_nothing(client):
    activity = make_activity(capacity=3)
    coordinator_client(client, activity)
    url = f"/en/programme/manage/{activity.slug}/"
    for made_up in ["Ї" * 50, "-1", "99999999999999999999"]:
        assert client.post(url, {"action": "approve", "registration": made_up}).status_code == 404
        photos = f"/en/programme/manage/{activity.slug}/photos/"
        assert client.post(photos, {"action": "remove", "photo": made_up}).status_code == 404
    response = client.post(url, {"action": "capacity"}, follow=True)  # the field left out
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert Activity.objects.get(pk=activity.pk).capacity == 3
