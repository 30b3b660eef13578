from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from kopa.accounts.tests.factories import make_user
from kopa.core.models import AuditEntry
from kopa.reporting import services
from kopa.reporting.reports import ErasmusKA210FinalReport
from kopa.reporting.tables import ReportData
from kopa.reporting.tests.factories import (
    attend,
    make_grant,
    make_held_activity,
    make_partnered_project,
)

pytestmark = pytest.mark.django_db


def attendance(data: ReportData) -> dict[str, object]:
    table = next(t for s in data.sections for t in s.tables if t.key == "by-country")
    return {row[0]: row[1] for row in table.rows}


def test_a_frozen_report_keeps_its_figures_after_a_person_is_erased(client):
    project, _lead, partner = make_partnered_project()
    grant = make_grant(project)
    people = attend(make_held_activity(project, partner, day=dt.date(2026, 4, 2)), 6)
    admin = make_user(is_project_admin=True)
    frozen = services.report_freeze(
        actor=admin,
        grant=grant,
        code=ErasmusKA210FinalReport.code,
        start=grant.start_date,
        end=grant.end_date,
    )
    assert set(frozen.data) == {"lv", "et", "en", "uk", "ru"}
    assert "example.org" not in str(frozen.data)  # aggregates only, no e-mail addresses
    assert AuditEntry.objects.filter(action="reporting.report.frozen").exists()

    people[0].delete()  # what erasing a participant's personal data does to the figures

    live = ErasmusKA210FinalReport().build(
        grant=grant, start=grant.start_date, end=grant.end_date, language="en"
    )
    assert attendance(live)["Ukraine"] == 5
    frozen.refresh_from_db()
    assert attendance(ReportData.from_json(frozen.data["en"]))["Ukraine"] == 6

    client.force_login(admin)
    page = client.get(f"/en/reports/{project.slug}/frozen/{frozen.pk}/")
    assert page.status_code == 200
    workbook = client.get(f"/en/reports/{project.slug}/frozen/{frozen.pk}/report.xlsx?language=ru")
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[2]
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] == "Украина"]
    assert values and values[0][1] == 6
    listing = client.get(f"/en/reports/{project.slug}/").content.decode()
    assert f"/frozen/{frozen.pk}/" in listing


def test_freezing_from_the_dashboard_redirects_to_the_frozen_report(client):
    project, _lead, partner = make_partnered_project()
    grant = make_grant(project)
    attend(make_held_activity(project, partner, day=dt.date(2026, 4, 2)), 5)
    client.force_login(make_user(is_project_admin=True))
    response = client.post(
        f"/en/reports/{project.slug}/freeze/",
        {"report": ErasmusKA210FinalReport.code, "start": "2026-01-01", "end": "2026-12-31"},
    )
    frozen = grant.frozen_reports.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/frozen/{frozen.pk}/")
    assert frozen.period_end == dt.date(2026, 12, 31)


def test_erasing_the_person_who_froze_a_report_keeps_the_report():
    from kopa.reporting.personal_data import erase_personal_data, personal_data

    project, _lead, partner = make_partnered_project()
    grant = make_grant(project)
    attend(make_held_activity(project, partner, day=dt.date(2026, 4, 2)), 5)
    admin = make_user(is_project_admin=True)
    frozen = services.report_freeze(
        actor=admin,
        grant=grant,
        code="erasmus-ka210-final",
        start=grant.start_date,
        end=grant.end_date,
    )
    assert personal_data(email=admin.email, user=admin)
    assert erase_personal_data(email=admin.email, user=admin) == {
        "frozen reports unlinked from the person": 1
    }
    frozen.refresh_from_db()
    assert frozen.frozen_by is None and frozen.data
