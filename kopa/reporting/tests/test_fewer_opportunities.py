"""Participants facing fewer opportunities, by category: counted only from consented
declarations, a group of four withheld on the page, in the XLSX, in the PDF and in a frozen
report."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kopa.accounts.tests.factories import make_user
from kopa.programme.models import FewerOpportunities
from kopa.reporting import exports, services
from kopa.reporting.reports import ErasmusKA210FinalReport
from kopa.reporting.tables import WITHHELD, ReportData
from kopa.reporting.tests.factories import (
    attend,
    make_grant,
    make_held_activity,
    make_partnered_project,
)

pytestmark = pytest.mark.django_db

WITHHELD_TEXT = "withheld: fewer than 5 people"


def declare(registration, *categories):
    FewerOpportunities.objects.create(
        registration=registration,
        categories=list(categories),
        consent_notice=registration.consent_notice,
        consented_at=registration.consented_at,
    )


@pytest.fixture
def grant():
    project, _lead, partner = make_partnered_project()
    grant = make_grant(project)
    people = attend(make_held_activity(project, partner, day=dt.date(2026, 5, 4)), 9)
    # Geographical 7, economic 6, displaced 4 (must never show as 4); 7 declared in all.
    for person in people[:4]:
        declare(person, "geographic", "economic", "displaced")
    for person in people[4:6]:
        declare(person, "geographic", "economic")
    declare(people[6], "geographic")
    return grant


def build(grant, language="en"):
    return ErasmusKA210FinalReport().build(
        grant=grant, start=grant.start_date, end=grant.end_date, language=language
    )


def fewer(data):
    table = next(t for s in data.sections for t in s.tables if t.key == "fewer-opportunities")
    return {row[0]: row[1] for row in table.rows}


def test_it_counts_by_category_and_withholds_the_group_of_four(grant):
    rows = fewer(build(grant))
    assert rows["Refugee or displaced person"] is WITHHELD
    # One withheld category beside the others could be worked out: the smallest other goes too.
    assert rows["Economic obstacles"] is WITHHELD
    assert rows["Geographical obstacles"] == 7
    assert rows["Disability"] == 0
    assert rows["At least one category"] == 7


def test_the_page_workbook_and_pdf_show_no_number_for_the_group_of_four(grant, client):
    client.force_login(make_user(is_project_admin=True))
    html = client.get(f"/en/reports/{grant.project.slug}/").content.decode()
    assert re.search(
        r"Refugee or displaced person</th><td[^>]*><span class=\"withheld\">" + WITHHELD_TEXT,
        html,
    )
    data = build(grant)
    sheet = load_workbook(io.BytesIO(exports.report_xlsx(data)))["Participants"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert rows["Refugee or displaced person"] == WITHHELD_TEXT
    assert rows["Geographical obstacles"] == 7
    body = exports.report_pdf(data)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Refugee or displaced person withheld: fewer than 5 people" in text
    assert "Refugee or displaced person 4" not in text


def test_a_frozen_report_keeps_the_figures_after_a_declaration_is_erased(grant):
    frozen = services.report_freeze(
        actor=make_user(is_project_admin=True),
        grant=grant,
        code=ErasmusKA210FinalReport.code,
        start=grant.start_date,
        end=grant.end_date,
    )
    FewerOpportunities.objects.filter(categories=["geographic"]).delete()
    assert fewer(build(grant))["Geographical obstacles"] == 6
    frozen.refresh_from_db()
    snapshot = fewer(ReportData.from_json(frozen.data["en"]))
    assert snapshot["Geographical obstacles"] == 7
    assert snapshot["Refugee or displaced person"] is WITHHELD
