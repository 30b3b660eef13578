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
