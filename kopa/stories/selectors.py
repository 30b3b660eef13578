"""Reads of the stories domain. Every public read goes through `public_stories()`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from kopa.stories.models import Story


def public_q(prefix: str = "") -> Q:
    """Published, visible to everyone, and the consent in force covers publishing the text."""
    return Q(
        **{
            f"{prefix}status": Story.Status.PUBLISHED,
            f"{prefix}visibility": Story.Visibility.PUBLIC,
            f"{prefix}consent__publish_text": True,
        }
    )


def public_stories() -> QuerySet[Story]:
    return Story.objects.filter(public_q())


def published_counts(*, project: Any = None) -> dict[str, int]:
    """Published, public, consented stories and recipes by the language they were told in.

    All projects when `project` is None; otherwise the stories told at the project's activities.
    For the funder's report (kopa.reporting).
    """
    stories = public_stories()
    if project is not None:
        stories = stories.filter(activity__project=project)
    rows = stories.values("original_language").annotate(n=Count("pk")).order_by()
    return {row["original_language"]: row["n"] for row in rows}


def visible_q(user: Any) -> Q:
    """Published stories with consent that this person may read, whatever their role."""
    from kopa.accounts.permissions import is_circle_member
    from kopa.stories.services import editable_organisations, is_project_team

    allowed = [Story.Visibility.PUBLIC]
    if is_circle_member(user):
        allowed.append(Story.Visibility.CIRCLE)
    if is_project_team(user):
        allowed.append(Story.Visibility.TEAM)
    base = Q(status=Story.Status.PUBLISHED, consent__publish_text=True)
    visible = Q(visibility__in=allowed)
    organisations = editable_organisations(user)
    if organisations:
        visible |= Q(organisation__in=organisations)
    return base & visible


def archive(
    *,
    user: Any,
    theme: str = "",
    holiday: str = "",
    language: str = "",
    activity: str = "",
    kind: str = "",
    ids: list[int] | None = None,
) -> QuerySet[Story]:
    """The archive's stories for this reader: teller, consent, themes and photos prefetched."""
    if getattr(user, "is_authenticated", False):
        stories = Story.objects.filter(visible_q(user))
    else:
        stories = public_stories()
    if theme:
        stories = stories.filter(themes__code=theme)
    if holiday:
        stories = stories.filter(holidays__code=holiday)
    if language:
        stories = stories.filter(original_language=language)
    if activity:
        stories = stories.filter(activity__slug=activity)
    if kind:
        stories = stories.filter(kind=kind)
    if ids is not None:
        stories = stories.filter(pk__in=ids)
    return (
        stories.select_related("teller", "consent")
        .prefetch_related("themes", "holidays", "photos")
        .distinct()
        .order_by("-published_at", "-pk")
    )


def filter_options() -> dict[str, Any]:
    from kopa.programme.models import Activity
    from kopa.stories.models import Holiday, Theme

    return {
        "themes": list(Theme.objects.all()),
        "holidays": list(Holiday.objects.all()),
        "activities": list(
            Activity.objects.filter(stories__in=public_stories()).distinct().order_by("slug")
        ),
    }


def story_detail(*, public_id: Any) -> Story | None:
    return (
        Story.objects.select_related("teller", "consent", "organisation", "activity", "recorded_by")
        .prefetch_related(
            "themes",
            "holidays",
            "photos",
            "recordings",
            "ingredients",
            "steps",
            "translation_credits",
            "related__consent",
        )
        .filter(public_id=public_id)
        .first()
    )


def editors_stories(*, organisations: list[Any]) -> QuerySet[Story]:
    """Every story of these organisations, drafts and withdrawn ones included."""
    return (
        Story.objects.filter(organisation__in=organisations)
        .select_related("teller", "consent", "organisation")
        .order_by("-updated", "-pk")
    )


def book_items(*, ids: list[int], organisations: list[Any]) -> list[Story]:
    """The chosen stories an editor may print, in the order given, with what a book needs."""
    stories = {
        story.pk: story
        for story in Story.objects.filter(pk__in=ids, organisation__in=organisations)
        .select_related("teller", "consent", "organisation", "activity__project")
        .prefetch_related("photos", "ingredients", "steps", "translation_credits", "themes")
    }
    return [stories[pk] for pk in ids if pk in stories]
