from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kopa.accounts.models import Organisation
from kopa.programme.models import Activity, Priority, Project, ProjectPartner


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
    from django.utils import timezone

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
