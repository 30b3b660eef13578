from __future__ import annotations

import datetime as dt

import pytest

from kopa.reporting.reports import REGISTRY, Report, register, report_for, reports_for
from kopa.reporting.tables import Section, Table
from kopa.reporting.tests.factories import make_grant, make_partnered_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_registry():
    saved = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(saved)


def test_another_funders_report_is_one_more_class(clean_registry):
    @register
    class MunicipalReport(Report):
        code = "municipal"
        title = "Municipal report"

        @classmethod
        def applies_to(cls, grant):
            return grant.municipal_contribution > 0

        def sections(self, context):
            return [Section(key="money", title="Money", tables=[Table("t", "T", ["a"], [[1]])])]

    project, _lead, _partner = make_partnered_project()
    erasmus = make_grant(project)
    assert [r.code for r in reports_for(erasmus)] == ["erasmus-ka210-final"]
    assert report_for(erasmus, "municipal") is None
    erasmus.municipal_contribution = 500
    assert [r.code for r in reports_for(erasmus)] == ["erasmus-ka210-final", "municipal"]


def test_two_reports_cannot_share_a_code(clean_registry):
    class Impostor(Report):
        code = "erasmus-ka210-final"
        title = "Impostor"

    with pytest.raises(ValueError):
        register(Impostor)


def test_a_planned_activity_overdue_counts_as_not_held_and_a_late_one_as_changed():
    from kopa.programme.models import Activity
    from kopa.reporting.reports import outcome

    today = dt.date(2026, 6, 1)
    overdue = Activity(
        status="planned", planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 2, 1)
    )
    later = Activity(
        status="open", planned_start=dt.date(2026, 9, 1), planned_end=dt.date(2026, 9, 30)
    )
    late = Activity(
        status="held",
        planned_start=dt.date(2026, 3, 1),
        planned_end=dt.date(2026, 3, 31),
        starts_at=dt.datetime(2026, 4, 15, 10, tzinfo=dt.UTC),
    )
    assert outcome(overdue, today=today) == "not_held"
    assert outcome(later, today=today) == "to_come"
    assert outcome(late, today=today) == "changed"
