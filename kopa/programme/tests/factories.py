from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from kopa.accounts.models import Organisation
from kopa.accounts.tests.factories import make_organisation
from kopa.core.models import PrivacyNotice
from kopa.programme.models import Activity, ActivityKind, Project, Question, TargetGroup

_sequence = itertools.count(1)


def make_notice() -> PrivacyNotice:
    notice, _created = PrivacyNotice.objects.get_or_create(
        version=1, defaults={"text": {"en": "We keep your name and email."}}
    )
    return notice


def make_project(**fields: Any) -> Project:
    number = next(_sequence)
    fields.setdefault("slug", f"project-{number}")
    fields.setdefault("name", {"en": f"Project {number}"})
    fields.setdefault("funding_programme", "Erasmus+")
    fields.setdefault("start_date", dt.date(2026, 1, 1))
    fields.setdefault("end_date", dt.date(2027, 12, 31))
    fields.setdefault("total_cost", 15000)
    return Project.objects.create(**fields)


def make_kind(code: str = "workshop") -> ActivityKind:
    kind, _created = ActivityKind.objects.get_or_create(
        code=code, defaults={"name": {"en": code.replace("-", " ").title()}}
    )
    return kind


def make_group(code: str = "librarians") -> TargetGroup:
    group, _created = TargetGroup.objects.get_or_create(
        code=code, defaults={"name": {"en": code.title()}}
    )
    return group


def make_activity(*, organisers: list[Organisation] | None = None, **fields: Any) -> Activity:
    number = next(_sequence)
    starts = fields.pop("starts_at", timezone.now() + dt.timedelta(days=10))
    fields.setdefault("project", make_project())
    fields.setdefault("kind", make_kind())
    fields.setdefault("slug", f"activity-{number}")
    fields.setdefault("title", {"en": f"Activity {number}", "lv": f"Aktivitāte {number}"})
    fields.setdefault("purpose", {"en": "To learn together."})
    fields.setdefault("country", "LV")
    fields.setdefault("venue", {"lv": "Valmieras bibliotēka", "en": "Valmiera Library"})
    fields.setdefault("status", Activity.Status.OPEN)
    fields.setdefault("capacity", 3)
    fields.setdefault("planned_start", starts.date())
    fields.setdefault("planned_end", starts.date())
    activity = Activity.objects.create(
        starts_at=starts, ends_at=fields.pop("ends_at", starts + dt.timedelta(hours=2)), **fields
    )
    activity.organisers.set(organisers or [make_organisation()])
    return activity


def make_question(activity: Activity, **fields: Any) -> Question:
    fields.setdefault("kind", Question.Kind.TEXT)
    fields.setdefault("label", {"en": "Dietary needs", "lv": "Uztura vajadzības"})
    return Question.objects.create(activity=activity, **fields)


def registration_data(**fields: Any) -> dict[str, Any]:
    number = next(_sequence)
    data = {
        "name": f"Participant {number}",
        "email": f"participant{number}@example.org",
        "country": "UA",
        "language": "uk",
        "consent_notice": make_notice(),
    }
    data.update(fields)
    return data
