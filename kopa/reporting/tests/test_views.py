from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.reporting.models import Allocation, DisseminationEntry, Grant
from kopa.reporting.tests.factories import (
    attend,
    make_coordinator,
    make_grant,
    make_held_activity,
    make_partnered_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant():
    project, _lead, partner = make_partnered_project()
    grant = make_grant(project)
    attend(make_held_activity(project, partner, day=dt.date(2026, 4, 2)), 6)
    return grant


def partner(grant):
    return grant.project.partners.get(role="partner").organisation


def url(grant, suffix=""):
    return f"/en/reports/{grant.project.slug}/{suffix}"


PAGES = ["", "grant/", "allocations/", "dissemination/", "report.xlsx"]


@pytest.mark.parametrize("suffix", PAGES)
def test_visitors_are_sent_to_log_in(client, grant, suffix):
    response = client.get(url(grant, suffix))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("suffix", PAGES)
@pytest.mark.parametrize("role", [Membership.Role.EDITOR, Membership.Role.MEMBER, "outsider"])
def test_editors_members_and_other_coordinators_are_refused(client, grant, suffix, role):
    if role == "outsider":
        person = make_coordinator(make_organisation())
    else:
        person = make_member(partner(grant), role=role)
    client.force_login(person)
    assert client.get(url(grant, suffix)).status_code == 403


@pytest.mark.parametrize("suffix", PAGES)
@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_admins_and_coordinators_of_partners_see_every_page(client, grant, suffix, who):
    person = (
        make_user(is_project_admin=True) if who == "admin" else make_coordinator(partner(grant))
    )
    client.force_login(person)
    assert client.get(url(grant, suffix)).status_code == 200


def test_the_index_lists_only_the_projects_one_reports_on(client, grant):
    other, _lead, _partner = make_partnered_project()
    client.force_login(make_coordinator(partner(grant)))
    html = client.get("/en/reports/").content.decode()
    assert grant.project.slug in html and other.slug not in html
    client.force_login(make_member(partner(grant), role=Membership.Role.EDITOR))
    assert client.get("/en/reports/").status_code == 403


def test_a_period_with_no_data_gives_a_clear_message(client, grant):
    client.force_login(make_user(is_project_admin=True))
    query = "?start=2027-06-01&end=2027-06-30"
    response = client.get(url(grant) + query)
    assert response.status_code == 200
    assert "Nothing happened in this period" in response.content.decode()
    for suffix in ("report.xlsx", "report.pdf"):
        response = client.get(url(grant, suffix) + query)
        assert response.status_code == 404
        assert "Nothing happened between" in response.content.decode()
    response = client.post(url(grant, "freeze/"), {"start": "2027-06-01", "end": "2027-06-30"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    ["?start=2027-06-30&end=2027-06-01", "?start=yesterday", "?report=no-such-report"],
)
def test_a_bad_period_or_report_is_a_400_not_a_500(client, grant, query):
    client.force_login(make_user(is_project_admin=True))
    assert client.get(url(grant) + query).status_code == 400
    assert client.get(url(grant, "report.xlsx") + query).status_code == 400


def test_an_unknown_export_language_is_a_400(client, grant):
    client.force_login(make_user(is_project_admin=True))
    assert client.get(url(grant, "report.xlsx") + "?language=de").status_code == 400


def test_the_workbook_downloads_in_the_chosen_language(client, grant):
    client.force_login(make_coordinator(partner(grant)))
    response = client.get(url(grant, "report.xlsx") + "?language=lv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "-lv.xlsx" in response["Content-Disposition"]


def test_a_project_without_a_grant_record_offers_to_create_it(client):
    project, _lead, partner_org = make_partnered_project()
    client.force_login(make_coordinator(partner_org))
    assert "Create the grant record" in client.get(f"/en/reports/{project.slug}/").content.decode()
    form = client.get(f"/en/reports/{project.slug}/grant/").content.decode()
    assert 'value="15000' in form  # started from the project's own figures
    response = client.post(
        f"/en/reports/{project.slug}/grant/",
        {
            "programme": "Erasmus+",
            "action": "KA210-ADU",
            "call_year": "2025",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "currency": "EUR",
            "lump_sum": "30000",
            "external_cofinancing": "0",
            "municipal_contribution": "0",
        },
    )
    assert response.status_code == 302
    assert Grant.objects.get(project=project).lump_sum == Decimal("30000")


def test_a_stale_grant_form_is_refused_with_a_message(client, grant):
    client.force_login(make_user(is_project_admin=True))
    data = {
        "programme": "Erasmus+",
        "action": "KA210-ADU",
        "call_year": "2025",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "currency": "EUR",
        "lump_sum": "15000",
        "external_cofinancing": "15000",
        "municipal_contribution": "0",
        "version": "1",
    }
    assert client.post(url(grant, "grant/"), data).status_code == 302
    response = client.post(url(grant, "grant/"), {**data, "national_agency": "Harno"})
    assert response.status_code == 400
    assert "Someone else saved the grant record" in response.content.decode()


def test_an_allocation_over_the_lump_sum_is_refused_on_the_page(client, grant):
    client.force_login(make_coordinator(partner(grant)))
    data = {"action": "add", "partner": partner(grant).pk, "amount": "15000.01"}
    response = client.post(url(grant, "allocations/"), data)
    assert response.status_code == 400
    assert "more than the lump sum" in response.content.decode()
    assert not Allocation.objects.exists()
    response = client.post(url(grant, "allocations/"), {**data, "amount": "15000"})
    assert response.status_code == 302 and Allocation.objects.count() == 1


def test_dissemination_entries_are_added_and_removed(client, grant):
    client.force_login(make_coordinator(partner(grant)))
    response = client.post(
        url(grant, "dissemination/"),
        {
            "action": "add",
            "date": "2026-05-01",
            "kind": "media",
            "title": '=HYPERLINK("x")',
            "language": "en",
            "link": "https://example.org/story",
            "reach": "1200",
            "eu_visibility": "on",
        },
    )
    assert response.status_code == 302
    entry = DisseminationEntry.objects.get()
    assert entry.eu_visibility and entry.reach == 1200
    response = client.post(url(grant, "dissemination/"), {"action": "remove", "entry": entry.pk})
    assert response.status_code == 302 and not DisseminationEntry.objects.exists()


@pytest.mark.parametrize("posted", ["", "abc", "𝔘𝔫𝔦", "²", "-1", "99999999999999999999"])
@pytest.mark.parametrize(
    ("page", "name"), [("allocations/", "allocation"), ("dissemination/", "entry")]
)
def test_removing_a_made_up_row_is_a_404_not_a_500(client, grant, page, name, posted):
    client.force_login(make_coordinator(partner(grant)))
    response = client.post(url(grant, page), {"action": "remove", name: posted})
    assert response.status_code == 404
