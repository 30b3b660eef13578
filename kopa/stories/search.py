"""The stories in the multilingual search (kopa.core.search): only public ones are indexed.

`story_reindex()` runs after commit from every service that can change whether or what a story
shows: it writes the document when the story is public and removes it otherwise, so a withdrawn
or unpublished story leaves the search in the same request.
"""

from __future__ import annotations

from kopa.stories.models import Story
from kopa.stories.selectors import public_stories

KIND = "stories.story"


def story_key(story_id: int) -> str:
    return f"{KIND}:{story_id}"


def story_reindex(*, story_id: int) -> None:
    from kopa.core.search import index_document, remove_document

    story = (
        public_stories()
        .prefetch_related("themes", "holidays", "ingredients")
        .filter(pk=story_id)
        .first()
    )
    if story is None:
        remove_document(key=story_key(story_id))
        return
    raw = story.__dict__
    texts = {
        "title": " · ".join(dict.fromkeys(raw["title"].values())),
        "description": "\n\n".join(
            [*raw["summary"].values(), *raw["text"].values()]
            + [" ".join(i.__dict__["item"].values()) for i in story.ingredients.all()]
        ),
    }
    if story.town and story.place_precision == Story.PlacePrecision.TOWN:
        texts["place"] = story.town
    terms = [
        label
        for tag in [*story.themes.all(), *story.holidays.all()]
        for label in tag.__dict__["label"].values()
    ]
    index_document(
        key=story_key(story.pk),
        kind=KIND,
        texts=texts,
        language=story.original_language,
        extra_terms=terms,
    )


def ranked_story_ids(query: str, *, limit: int = 100) -> list[int]:
    from kopa.core.search import search

    return [
        int(hit.key.split(":", 1)[1])
        for hit in search(query=query, kinds=[KIND], limit=limit)
        if hit.key.startswith(KIND + ":")
    ]
