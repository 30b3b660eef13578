"""Pre-test to follow-up, linked by the code a participant makes up: change per domain, with a
group of four withheld on the page and in the exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.core.aggregates import suppressed_label
from kopa.learning.models import ActivityQuestionnaire, TemplateQuestion
from kopa.learning.selectors import pre_followup_changes
from kopa.learning.services import participant_code_hash
from kopa.learning.tests.factories import attach, competence_template, held_activity, respond

pytestmark = pytest.mark.django_db

NETWORK = "Working in a network"
SITUATION = "Refugees' situation and referral routes"


def ratings(value: int, *, network: bool = True) -> dict[str, int]:
    """Every statement rated `value` ("now" only, as a pre-test or follow-up asks)."""
    codes = TemplateQuestion.objects.filter(
        template__code="competence-self-assessment", kind="retro"
    ).values_list("code", "domain")
    return {code: value for code, domain in codes if network or domain != "network"}


@pytest.fixture
def world():
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    first = held_activity(organisers=[organisation])
    later = held_activity(organisers=[organisation], project=first.project)
    pretest = attach(first, competence_template(), phase="pre")
    followup = attach(later, competence_template(), phase="followup")
    # Six people linked by their codes; only four of them rate "working in a network" later.
    for index, after in enumerate([4, 4, 3, 5, 4, 1]):
        code = participant_code_hash(f"river-{index}")
        respond(pretest, ratings(2), code_hash=code)
        respond(followup, ratings(after, network=index < 4), code_hash=code)
    # Not linked: a follow-up without a pre-test, and a pre-test of another project.
    respond(followup, ratings(5), code_hash=participant_code_hash("lonely"))
    elsewhere = attach(held_activity(organisers=[organisation]), competence_template(), phase="pre")
    respond(elsewhere, ratings(1), code_hash=participant_code_hash("lonely"))
    return {"coordinator": coordinator, "followup": followup, "pretest": pretest}


def by_domain(world):
    changes = pre_followup_changes(
        questionnaires=ActivityQuestionnaire.objects.filter(pk=world["followup"].pk)
    )
    return {change.label: change for change in changes}


def test_it_compares_each_persons_pre_test_and_follow_up_by_their_code(world):
    situation = by_domain(world)[SITUATION]
    assert situation.people == 6
    assert situation.median_change.value == 2.0  # changes 2, 2, 1, 3, 2, -1
    assert situation.share_improved.value == 83


def test_the_group_of_four_is_withheld(world):
    network = by_domain(world)[NETWORK]
    assert network.people == 4
    assert network.median_change.suppressed and network.share_improved.suppressed


def test_a_pre_test_alone_links_no_one(world):
    changes = pre_followup_changes(
        questionnaires=ActivityQuestionnaire.objects.filter(pk=world["pretest"].pk)
    )
    assert changes == []


def test_the_programme_page_shows_the_change_and_withholds_the_group_of_four(client, world):
    client.force_login(world["coordinator"])
    html = client.get(
        reverse("learning:results_template", args=["competence-self-assessment"])
    ).content.decode()
    section = html.split('id="linked-title"', 1)[1].split("</section>", 1)[0]
    assert '<svg class="chart"' in section and "<script" not in html
    network_row = section.split(f"{NETWORK}</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>4</td>" in network_row
    assert network_row.count(suppressed_label()) == 2
    situation_row = section.split("Refugees&#x27; situation and referral routes</th>", 1)[1]
    assert "<td>6</td><td>2.0</td><td>83 %</td>" in situation_row.split("</tr>", 1)[0]


def test_the_exports_hold_the_change_with_the_group_of_four_withheld(client, world):
    client.force_login(world["coordinator"])
    body = client.get(reverse("learning:results_csv", args=[world["followup"].pk]))
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    linked = [row for row in rows if "pre-test to the follow-up" in row[1]]
    network = [row for row in linked if row[0] == NETWORK]
    assert len(network) == 2 and all(row[3] == suppressed_label() for row in network)
    situation = [row for row in linked if row[0] == SITUATION]
    assert [row[3] for row in situation] == ["2.0", "83"]
    xlsx = client.get(reverse("learning:results_xlsx", args=[world["followup"].pk]))
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active]
    network = [row for row in cells if row[0] == NETWORK and "follow-up" in str(row[1])]
    assert len(network) == 2 and all(row[3] == suppressed_label() for row in network)
