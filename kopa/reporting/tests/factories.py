"""The world a reporting test needs: a project with partners, a grant, held activities and
attendances made directly (the programme's own services are tested in kopa/programme)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.programme.models import Activity, Project, ProjectPartner, Registration
from kopa.programme.tests.factories import make_activity, make_group, make_notice, make_project
from kopa.reporting.models import Grant

_sequence = itertools.count(1)

START = dt.date(2026, 1, 1)
END = dt.date(2027, 12, 31)


def make_partnered_project(**fields: Any) -> tuple[Project, Organisation, Organisation]:
    fields.setdefault("start_date", START)
    fields.setdefault("end_date", END)
    project = make_project(**fields)
    lead = make_organisation(country="EE")
    partner = make_organisation(country="LV")
    ProjectPartner.objects.create(project=project, organisation=lead, role="lead")
    ProjectPartner.objects.create(project=project, organisation=partner, role="partner")
    return project, lead, partner


def make_grant(project: Project, **fields: Any) -> Grant:
    fields.setdefault("programme", "Erasmus+")
    fields.setdefault("action", "KA210-ADU")
    fields.setdefault("call_year", 2025)
    fields.setdefault("start_date", project.start_date)
    fields.setdefault("end_date", project.end_date)
    fields.setdefault("lump_sum", Decimal("15000"))
    fields.setdefault("external_cofinancing", Decimal("15000"))
    return Grant.objects.create(project=project, **fields)


def make_held_activity(
    project: Project, organiser: Organisation, *, day: dt.date, **fields: Any
) -> Activity:
    starts = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    return make_activity(
        project=project,
        organisers=[organiser],
        starts_at=starts,
        planned_start=day,
        planned_end=day,
        status=Activity.Status.HELD,
        capacity=None,
        **fields,
    )


def attend(
    activity: Activity,
    count: int,
    *,
    country: str = "UA",
    group: str | None = "librarians",
    email_prefix: str = "person",
) -> list[Registration]:
    """`count` confirmed, attended registrations, made directly."""
    target = make_group(group) if group else None
    notice = make_notice()
    now = timezone.now()
    people = []
    for _index in range(count):
        number = next(_sequence)
        people.append(
            Registration.objects.create(
                activity=activity,
                status=Registration.Status.CONFIRMED,
                name=f"Participant {number}",
                email=f"{email_prefix}{number}@example.org",
                country=country,
                participant_group=target,
                language="uk",
                consent_notice=notice,
                consented_at=now,
                attended_at=activity.starts_at,
            )
        )
    return people


def make_coordinator(organisation: Organisation) -> Any:
    return make_member(organisation, role=Membership.Role.COORDINATOR)
