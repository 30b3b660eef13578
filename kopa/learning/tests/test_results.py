from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.aggregates import suppressed_label
from kopa.learning.models import TemplateQuestion
from kopa.learning.tests.factories import (
    attach,
    competence_template,
    feedback_template,
    held_activity,
    respond,
)

pytestmark = pytest.mark.django_db


def retro_answers(before: int, now: int, *, network: bool = True) -> dict:
    codes = TemplateQuestion.objects.filter(
        template__code="competence-self-assessment", kind="retro"
    ).values_list("code", "domain")
    return {code: (before, now) for code, domain in codes if network or domain != "network"}


@pytest.fixture
def world():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    activity = held_activity(organisers=[organisation])
    competence = attach(activity, competence_template())
    for index, (before, now) in enumerate([(1, 3), (2, 4), (2, 2), (3, 4), (1, 4), (2, 3)]):
        # Only four people rate the "working in a network" statements.
        respond(competence, retro_answers(before, now, network=index < 4))
    feedback = attach(activity, feedback_template())
    for overall in (5, 4, 4, 3, 5):
        respond(feedback, {"overall": overall, "best": f"Secret detail {overall}"})
    respond(feedback, {"useful": 2})
    return {
        "organisation": organisation,
        "coordinator": coordinator,
        "activity": activity,
        "competence": competence,
        "feedback": feedback,
    }


def page(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def test_the_group_of_four_is_withheld_on_the_page(client, world):
    response = page(
        client, world["coordinator"], "learning:results_questionnaire", world["competence"].pk
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "6 responses" in html
    network_row = html.split("Working in a network</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>4</td>" in network_row  # how many people: shown, it names no one
    assert network_row.count(suppressed_label()) == 3
    situation_row = html.split("Refugees&#x27; situation and referral routes</th>", 1)[1]
    situation_row = situation_row.split("</tr>", 1)[0]
    assert suppressed_label() not in situation_row
    assert "<svg" in html and "<script" not in html
    # The per-question distributions of the network statements are withheld too.
    network_question = TemplateQuestion.objects.filter(domain="network").first()
    section = html.split(f'id="q-{network_question.pk}"', 1)[1].split("</section>", 1)[0]
    assert suppressed_label() in section and "<svg" not in section


def test_the_group_of_four_is_withheld_in_the_csv_and_xlsx(client, world):
    client.force_login(world["coordinator"])
    body = client.get(reverse("learning:results_csv", args=[world["competence"].pk]))
    assert body["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    network = [row for row in rows if row[0] == "Working in a network"]
    assert network and all(suppressed_label() in row for row in network)
    situation = [row for row in rows if row[0] == "Refugees' situation and referral routes"]
    assert situation[0][2:4] == ["2.0", "3.5"]
    statement = TemplateQuestion.objects.filter(domain="network").first().text.text
    assert all(suppressed_label() in row[3] for row in rows if row[0] == statement)

    xlsx = client.get(reverse("learning:results_xlsx", args=[world["competence"].pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row for row in cells if row[0] == "Working in a network"]
    assert all(
        suppressed_label() in str(row[3]) for row in cells if row[0] == "Working in a network"
    )


def test_free_text_is_on_the_page_without_names_and_never_in_the_export(client, world):
    html = page(
        client, world["coordinator"], "learning:results_questionnaire", world["feedback"].pk
    ).content.decode()
    assert "Secret detail 5" in html
    csv_body = client.get(reverse("learning:results_csv", args=[world["feedback"].pk]))
    assert "Secret detail" not in csv_body.content.decode("utf-8-sig")
    # A single "useful" rating: withheld, and the overall ratings (5 people) are shown.
    assert "median: 4" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member", 403),
        ("editor", 403),
        ("other coordinator", 403),
        ("coordinator", 200),
        ("project admin", 200),
    ],
)
def test_results_per_role(client, world, role, status):
    user = {
        "member": make_member(world["organisation"]),
        "editor": make_member(world["organisation"], Membership.Role.EDITOR),
        "other coordinator": make_member(make_organisation(), Membership.Role.COORDINATOR),
        "coordinator": world["coordinator"],
        "project admin": make_user(is_project_admin=True),
    }[role]
    client.force_login(user)
    url = reverse("learning:results_questionnaire", args=[world["feedback"].pk])
    assert client.get(url).status_code == status
    csv_url = reverse("learning:results_csv", args=[world["feedback"].pk])
    assert client.get(csv_url).status_code == status
    index = client.get(reverse("learning:results"))
    if role == "other coordinator":
        assert index.status_code == 200
        assert world["activity"].title.text not in index.content.decode()
    elif status == 200:
        assert world["activity"].title.text in index.content.decode()
    else:
        assert index.status_code == 403


def test_programme_wide_results_add_up_the_coordinators_activities(client, world):
    other = attach(held_activity(organisers=[world["organisation"]]), feedback_template())
    for overall in (1, 1, 1):
        respond(other, {"overall": overall})
    html = page(
        client, world["coordinator"], "learning:results_template", "activity-feedback"
    ).content.decode()
    assert "9 responses" in html


def test_the_results_page_makes_a_fixed_number_of_queries(client, world):
    client.force_login(world["coordinator"])
    url = reverse("learning:results_questionnaire", args=[world["competence"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _i in range(20):
        respond(world["competence"], retro_answers(2, 5))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
    assert len(large) == 10, [q["sql"] for q in large.captured_queries]


def test_a_follow_up_shows_only_now_and_no_domain_change(client, world):
    followup = attach(world["activity"], competence_template(), phase="followup")
    statement = TemplateQuestion.objects.filter(domain="situation").first()
    for now in (3, 4, 4, 5, 5):
        respond(followup, {statement.code: now})
    html = page(
        client, world["coordinator"], "learning:results_questionnaire", followup.pk
    ).content.decode()
    section = html.split(f'id="q-{statement.pk}"', 1)[1].split("</section>", 1)[0]
    assert "median: 4" in section
    assert "Before the programme" not in section
    assert "Competence change per domain" not in html
