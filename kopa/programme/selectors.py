from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kopa.accounts.models import Organisation
from kopa.core.countries import country_name
from kopa.programme.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
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
    """The project's activities in plan order, with the attendance and photos that prove them."""
    return (
        Activity.objects.filter(project=project)
        .annotate(
            attended_count=Count(
                "registrations", filter=Q(registrations__attended_at__isnull=False)
            )
        )
        .select_related("kind")
        .prefetch_related(
            "organisers",
            "target_groups",
            Prefetch(
                "photos",
                queryset=ActivityPhoto.objects.filter(people_consented=True),
                to_attr="public_photo_list",
            ),
        )
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
    """Activities with a date, filtered. Without seat counts: counting every registration of
    every upcoming activity would make the paginator's count grow with the data; the shown page
    gets its counts from `attach_seat_counts`."""
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
        # The only filter through a many-to-many join: an activity is one row once again.
        qs = qs.filter(target_groups__code=group).distinct()
    return qs.select_related("kind")


def attach_seat_counts(activities: list[Activity]) -> list[Activity]:
    """Confirmed and waiting counts for the activities of one page, in one query."""
    counts = {
        row["activity"]: row
        for row in Registration.objects.filter(
            activity__in=[activity.pk for activity in activities],
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
        )
        .values("activity")
        .annotate(
            confirmed=Count("id", filter=Q(status=Registration.Status.CONFIRMED)),
            waiting=Count("id", filter=Q(status=Registration.Status.WAITING)),
        )
    }
    for activity in activities:
        row = counts.get(activity.pk, {})
        activity.confirmed_count = row.get("confirmed", 0)
        activity.waiting_count = row.get("waiting", 0)
    return activities


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


def activities_managed_by(*, user: object) -> QuerySet[Activity]:
    """What a coordinator runs: activities of organisations they coordinate (admins: all)."""
    from kopa.accounts.models import Membership
    from kopa.accounts.permissions import is_project_admin

    qs = Activity.objects.all()
    if not is_project_admin(user):
        organisations = Membership.objects.filter(
            user=user, role=Membership.Role.COORDINATOR
        ).values("organisation")
        qs = qs.filter(organisers__in=organisations)
    return (
        with_seat_counts(qs.distinct())
        .annotate(
            pending_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.PENDING)
            ),
            attended_count=Count(
                "registrations", filter=Q(registrations__attended_at__isnull=False)
            ),
        )
        .select_related("kind")
        .order_by("-starts_at", "planned_start")
    )


def registration_list(
    *, activity: Activity, q: str = "", status: str = "", group: str = "", country: str = ""
) -> QuerySet[Registration]:
    qs = activity.registrations.select_related("participant_group").order_by("created", "id")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if group == "other":
        qs = qs.filter(participant_group__isnull=True)
    elif group.isdigit():
        qs = qs.filter(participant_group_id=int(group))
    if country:
        qs = qs.filter(country=country)
    return qs


def registration_counts(*, activity: Activity) -> dict[str, list[tuple[object, int]]]:
    """Active registrations by participant group and by country, for the coordinator's page."""
    active = activity.registrations.filter(status__in=Registration.ACTIVE)
    by_group = list(active.values("participant_group").annotate(n=Count("id")).order_by("-n"))
    groups = {
        g.pk: g
        for g in TargetGroup.objects.filter(pk__in=[r["participant_group"] for r in by_group])
    }
    by_country = list(active.values("country").annotate(n=Count("id")).order_by("-n", "country"))
    by_status = dict(activity.registrations.values_list("status").annotate(n=Count("id")))
    return {
        "group": [(groups.get(row["participant_group"]), row["n"]) for row in by_group],
        "country": [(country_name(row["country"]), row["n"]) for row in by_country],
        "status": [
            (label, by_status[value])
            for value, label in Registration.Status.choices
            if value in by_status
        ],
    }


def registration_countries(*, activity: Activity) -> list[str]:
    return sorted(set(activity.registrations.values_list("country", flat=True)))
