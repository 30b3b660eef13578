"""Reads for the reports: the grant, and aggregate figures from the domains that hold the data.

Every count of people comes back as a kopa.core.aggregates.Figure, so a group smaller than
MIN_GROUP_SIZE is withheld before anything renders it. Queries group in the database: a
programme of 20,000 registrations costs a handful of queries, not one per activity.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import is_project_admin
from kopa.core.aggregates import Figure, figure
from kopa.programme.models import Activity, FewerOpportunities, Project, Registration
from kopa.reporting.models import ActivityNote, Allocation, DisseminationEntry, FrozenReport, Grant


def grant_for(*, project: Project) -> Grant | None:
    return Grant.objects.filter(project=project).select_related("project").first()


def reportable_projects(*, user: Any) -> QuerySet[Project]:
    """Projects whose reports the user may see and edit: all for a project admin, else those
    in which an organisation the user coordinates is a partner."""
    projects = Project.objects.order_by("is_demo", "-start_date", "slug")
    if is_project_admin(user):
        return projects
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return projects.none()
    coordinated = Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).values(
        "organisation"
    )
    return projects.filter(partners__organisation__in=coordinated).distinct()


def partners_of(*, project: Project) -> list[Organisation]:
    return list(
        Organisation.objects.filter(partnerships__project=project).order_by(
            "partnerships__role", "slug"
        )
    )


# The period ------------------------------------------------------------------------------------


def activities_in_period(*, project: Project, start: dt.date, end: dt.date) -> list[Activity]:
    """The project's activities that took place, or were planned, within the period: held ones
    by their real date, the others by their planned dates overlapping it. Each carries
    `attended_count`, `photo_count` and `note` (an ActivityNote or None)."""
    end_moment = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    start_moment = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    dated = Q(starts_at__isnull=False, starts_at__gte=start_moment, starts_at__lt=end_moment)
    planned = Q(starts_at__isnull=True, planned_start__lte=end, planned_end__gte=start)
    activities = list(
        Activity.objects.filter(project=project)
        .filter(dated | planned)
        .annotate(
            attended_count=Count(
                "registrations",
                filter=Q(registrations__attended_at__isnull=False),
                distinct=True,
            ),
            photo_count=Count("photos", distinct=True),
        )
        .select_related("kind")
        # The long texts are not in the report; reading them is most of the cost of the rows.
        .defer("purpose", "theme")
        .prefetch_related(
            Prefetch("organisers", queryset=Organisation.objects.order_by("slug")),
        )
        .order_by("planned_start", "position", "slug")
    )
    notes = {
        note.activity_id: note
        for note in ActivityNote.objects.filter(activity__in=[a.pk for a in activities])
    }
    for activity in activities:
        activity.note = notes.get(activity.pk)
    return activities


def _attended(activity_ids: list[int]) -> QuerySet[Registration]:
    return Registration.objects.filter(activity__in=activity_ids, attended_at__isnull=False)


def protect(figures: list[Figure]) -> list[Figure]:
    """Secondary suppression for a breakdown shown with its total: when exactly one group is
    withheld, the total minus the others would give it away, so the smallest other group is
    withheld too."""
    withheld = [f for f in figures if f.suppressed]
    if len(withheld) != 1:
        return figures
    shown = [(f.people, index) for index, f in enumerate(figures) if not f.suppressed and f.people]
    if not shown:
        return figures
    _people, smallest = min(shown)
    return [
        Figure(value=None, people=f.people) if index == smallest else f
        for index, f in enumerate(figures)
    ]


@dataclass(frozen=True)
class Breakdown:
    """People counted by one attribute: (key, Figure) rows, largest first, and the total."""

    rows: list[tuple[Any, Figure]]
    total: Figure


def _breakdown(counts: Counter[Any]) -> Breakdown:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    figures = protect([figure(n, people=n) for _key, n in ordered])
    total = sum(counts.values())
    return Breakdown(
        rows=[(key, fig) for (key, _n), fig in zip(ordered, figures, strict=True)],
        total=figure(total, people=total),
    )


def participants_by_group(*, activity_ids: list[int]) -> Breakdown:
    """Attendances by the group the person registered as (None: other)."""
    rows = _attended(activity_ids).values("participant_group").annotate(n=Count("id"))
    return _breakdown(Counter({row["participant_group"]: row["n"] for row in rows}))


def participants_by_country(*, activity_ids: list[int]) -> Breakdown:
    rows = _attended(activity_ids).values("country").annotate(n=Count("id"))
    return _breakdown(Counter({row["country"]: row["n"] for row in rows}))


def participants_fewer_opportunities(*, activity_ids: list[int]) -> Breakdown:
    """Attendances of people who declared, with its own consent, that they face fewer
    opportunities: per category in the list's order (one person may name several, so the rows
    do not add up), and the total of attendances with at least one category."""
    declared = list(
        FewerOpportunities.objects.filter(
            registration__activity__in=activity_ids, registration__attended_at__isnull=False
        ).values_list("categories", flat=True)
    )
    counts = Counter(code for categories in declared for code in set(categories))
    codes = FewerOpportunities.Category.values
    figures = protect([figure(counts[code], people=counts[code]) for code in codes])
    return Breakdown(
        rows=list(zip(codes, figures, strict=True)),
        total=figure(len(declared), people=len(declared)),
    )


def first_time_and_returning(
    *, project: Project, activity_ids: list[int], end: dt.date
) -> tuple[Figure, Figure]:
    """People (by e-mail, counted, never listed) who attended in the period: those for whom it
    was their only activity of the project so far, and those who came to more than one."""
    end_moment = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    # One grouped query: per e-mail, the project's activities attended up to the period's end,
    # and whether any of them is in the period; only the counts leave the database.
    activities_per_person = (
        Registration.objects.filter(
            activity__project=project, attended_at__isnull=False, attended_at__lt=end_moment
        )
        .values("email")
        .annotate(
            n=Count("activity", distinct=True),
            in_period=Count("id", filter=Q(activity__in=activity_ids)),
        )
        .filter(in_period__gt=0)
        .values_list("n", flat=True)
    )
    counts = Counter("returning" if n > 1 else "first" for n in activities_per_person)
    first, returning = protect(
        [
            figure(counts["first"], people=counts["first"]),
            figure(counts["returning"], people=counts["returning"]),
        ]
    )
    return first, returning


def support_circle_size() -> dict[str, Any]:
    """Members (people, so a Figure), organisations, and directory services by country."""
    from kopa.circle.models import Address, Service

    members = Membership.objects.values("user").distinct().count()
    organisations = Organisation.objects.filter(memberships__isnull=False).distinct().count()
    # A service counts once per country it is offered in, through its locations' addresses.
    by_country = Counter(
        dict(
            Address.objects.filter(location__service_at_locations__service__status="active")
            .exclude(country="")
            .values("country")
            .annotate(n=Count("location__service_at_locations__service", distinct=True))
            .values_list("country", "n")
        )
    )
    return {
        "members": figure(members, people=members),
        "organisations": organisations,
        "services": Service.objects.filter(status="active").count(),
        "services_by_country": sorted(by_country.items(), key=lambda item: (-item[1], item[0])),
    }


# The grant's own records -----------------------------------------------------------------------


def allocations(*, grant: Grant) -> QuerySet[Allocation]:
    return grant.allocations.select_related("partner", "activity").order_by(
        "partner__slug", "activity__planned_start", "id"
    )


def allocated_total(*, grant: Grant) -> Decimal:
    return grant.allocations.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def dissemination(
    *, grant: Grant, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[DisseminationEntry]:
    entries = grant.dissemination.order_by("date", "id")
    if start is not None:
        entries = entries.filter(date__gte=start)
    if end is not None:
        entries = entries.filter(date__lte=end)
    return entries


def frozen_reports(*, grant: Grant) -> QuerySet[FrozenReport]:
    return grant.frozen_reports.select_related("frozen_by").defer("data")
