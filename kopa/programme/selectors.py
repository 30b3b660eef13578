from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kopa.accounts.models import Organisation
from kopa.programme.models import (
    Activity,
    ActivityKind,
    Priority,
    Project,
    ProjectPartner,
    Registration,
    TargetGroup,
)


def project_current() -> Project | None:
    """The project the site presents: the newest real one, else the newest demo one."""
    return (
        Project.objects.order_by("is_demo", "-start_date")
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=ProjectPartner.objects.select_related("organisation").order_by(
                    "role", "organisation__slug"
                ),
            ),
            Prefetch("priorities", queryset=Priority.objects.order_by("position")),
            "target_groups",
        )
        .select_related("proposer")
        .first()
    )


def activity_plan(*, project: Project) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(project=project)
        .select_related("kind")
        .prefetch_related("organisers", "target_groups")
        .order_by("planned_start", "position", "slug")
    )


def activities_upcoming(*, exclude_project: Project | None = None) -> QuerySet[Activity]:
    qs = (
        Activity.objects.filter(starts_at__gte=timezone.now())
        .exclude(status=Activity.Status.CANCELLED)
        .select_related("kind")
        .prefetch_related("organisers")
        .order_by("starts_at")
    )
    if exclude_project is not None:
        qs = qs.exclude(project=exclude_project)
    return qs


def organisation_partnerships(*, organisation: Organisation) -> QuerySet[ProjectPartner]:
    return ProjectPartner.objects.filter(organisation=organisation).select_related("project")


def activities_organised_by(*, organisation: Organisation) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(organisers=organisation)
        .select_related("kind")
        .order_by("planned_start", "position")
    )


def with_seat_counts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate confirmed and waiting counts in the same query (no query per activity)."""
    return activities.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
        ),
    )


def programme_list(
    *,
    kind: str = "",
    country: str = "",
    language: str = "",
    group: str = "",
    when: str = "upcoming",
) -> QuerySet[Activity]:
    """Activities with a date, filtered; prefetches what the list shows."""
    now = timezone.now()
    qs = Activity.objects.filter(starts_at__isnull=False)
    if when == "past":
        qs = qs.filter(starts_at__lt=now).order_by("-starts_at")
    elif when == "all":
        qs = qs.order_by("-starts_at")
    else:
        qs = qs.filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now))
        qs = qs.order_by("starts_at")
    if kind:
        qs = qs.filter(kind__code=kind)
    if country:
        qs = qs.filter(country=country)
    if language:
        # The list is stored as JSON text: match the quoted code, which works on both databases.
        qs = qs.filter(working_languages__icontains=f'"{language}"')
    if group:
        qs = qs.filter(target_groups__code=group)
    return with_seat_counts(
        qs.select_related("kind").distinct()
    )


def programme_filter_options() -> dict[str, object]:
    return {
        "kinds": ActivityKind.objects.order_by("position"),
        "groups": TargetGroup.objects.order_by("position"),
    }


def activity_detail(*, slug: str) -> Activity | None:
    return (
        with_seat_counts(Activity.objects.filter(slug=slug))
        .select_related("kind", "project")
        .prefetch_related("organisers", "target_groups", "questions")
        .first()
    )
