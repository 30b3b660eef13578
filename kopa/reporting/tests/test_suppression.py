"""A group of fewer than five people shows no number: on the page, in the XLSX, in the PDF."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kopa.accounts.tests.factories import make_user
from kopa.reporting import exports
from kopa.reporting.reports import ErasmusKA210FinalReport
from kopa.reporting.tables import WITHHELD
from kopa.reporting.tests.factories import (
    attend,
    make_grant,
    make_held_activity,
    make_partnered_project,
)

pytestmark = pytest.mark.django_db

WITHHELD_TEXT = "withheld: fewer than 5 people"
SHEETS = [
    "Report",
    "Activity plan and reality",
    "Participants",
    "Results",
    "Dissemination",
    "Budget",
]


@pytest.fixture
def world():
    project, lead, partner = make_partnered_project()
    grant = make_grant(project)
    big = make_held_activity(project, partner, day=dt.date(2026, 5, 4), title={"en": "Big seminar"})
    small = make_held_activity(
        project, lead, day=dt.date(2026, 6, 1), title={"en": "Small workshop"}
    )
    attend(big, 7, country="UA")
    attend(big, 6, country="LV")
    attend(small, 4, country="FI")  # four people from Finland: must never show as 4
    return grant


def build(grant, language="en"):
    return ErasmusKA210FinalReport().build(
        grant=grant, start=grant.start_date, end=grant.end_date, language=language
    )


def table(data, key):
    return next(t for s in data.sections for t in s.tables if t.key == key)


def test_it_withholds_the_group_of_four_and_the_group_that_would_give_it_away(world):
    data = build(world)
    countries = {row[0]: row[1] for row in table(data, "by-country").rows}
    assert countries["Finland"] is WITHHELD
    # With the total shown, Latvia's 6 would reveal Finland's 4 (17 - 7 - 6): withheld too.
    assert countries["Latvia"] is WITHHELD
    assert countries["Ukraine"] == 7
    assert countries["Total"] == 17
    plan = {row[0]: row[10] for row in table(data, "plan").rows}
    assert plan["Small workshop"] is WITHHELD
    assert plan["Big seminar"] == 13


def test_the_page_shows_no_number_for_the_group_of_four(world, client):
    client.force_login(make_user(is_project_admin=True))
    response = client.get(f"/en/reports/{world.project.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"Finland</th><td[^>]*><span class=\"withheld\">" + WITHHELD_TEXT, html)
    assert re.search(
        r"Small workshop</th>(<td[^>]*>[^<]*</td>){9}<td[^>]*><span class=\"withheld\">", html
    )
    assert "<svg" in html and "<script" not in html


def test_the_workbook_has_a_sheet_per_section_and_no_number_for_the_group_of_four(world):
    workbook = load_workbook(io.BytesIO(exports.report_xlsx(build(world))))
    assert workbook.sheetnames == SHEETS
    rows = list(workbook["Participants"].iter_rows(values_only=True))
    finland = next(row for row in rows if row[0] == "Finland")
    assert finland[1] == WITHHELD_TEXT
    plan = list(workbook["Activity plan and reality"].iter_rows(values_only=True))
    small = next(row for row in plan if row[0] == "Small workshop")
    assert small[10] == WITHHELD_TEXT


def test_the_pdf_has_the_funding_statement_and_no_number_for_the_group_of_four(world):
    body = exports.report_pdf(build(world))
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Funded by the European Union. Views and opinions expressed" in text
    assert re.search(r"Finland withheld: fewer than 5 people", text)
    assert "Finland 4" not in text
    assert not re.search(r"Participant \d", text)  # no names


def test_the_pdf_speaks_ukrainian_when_asked(world):
    body = exports.report_pdf(build(world, "uk"))
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Фінансується Європейським Союзом" in text


def test_the_number_of_queries_does_not_grow_with_the_programme(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build(world)
        return len(captured.captured_queries)

    before = queries()
    partner = world.project.partners.get(role="partner").organisation
    for day in range(10, 20):
        attend(make_held_activity(world.project, partner, day=dt.date(2026, 7, day)), 6)
    assert queries() == before
