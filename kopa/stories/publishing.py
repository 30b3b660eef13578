"""What public stories look like to machines: schema.org JSON-LD, the Atom feed and the Dublin
Core export. Everything here reads `selectors.public_stories()` only, so a story whose consent was
withdrawn is gone from all three the moment the withdrawal commits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import feedgenerator
from django.utils.translation import gettext as _

from kopa.stories.models import Story
from kopa.stories.recipes import convert, iso_duration, unit_label
from kopa.stories.selectors import public_stories

FEED_SIZE = 30


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def rights_statement(story: Story) -> str:
    return _(
        "Published with the consent of the teller; reuse only with permission of %(organisation)s."
    ) % {"organisation": story.organisation.name.text}


def story_json_ld(story: Story, *, base_url: str, photos: list[Any]) -> dict[str, Any]:
    """schema.org CreativeWork (or Recipe) for the story page; the teller as consented."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Recipe" if story.is_recipe else "CreativeWork",
        "name": story.title.text,
        "headline": story.title.text,
        "inLanguage": story.title.lang,
        "url": _absolute(base_url, story.get_absolute_url()),
        "author": {"@type": "Person", "name": story.teller_display()},
        "publisher": {"@type": "Organization", "name": story.organisation.name.text},
        "keywords": ", ".join(theme.label.text for theme in story.themes.all()),
    }
    if story.summary:
        data["description"] = story.summary.text
    if story.published_at:
        data["datePublished"] = story.published_at.date().isoformat()
    if story.date_iso():
        data["dateCreated"] = story.date_iso()
    if story.place_display():
        data["contentLocation"] = {"@type": "Place", "name": story.place_display()}
    if photos:
        data["image"] = [_absolute(base_url, photo.url(photo.largest["name"])) for photo in photos]
    if story.is_recipe:
        if story.servings:
            data["recipeYield"] = str(story.servings)
        if story.total_minutes:
            data["totalTime"] = iso_duration(story.total_minutes)
        data["recipeIngredient"] = [ingredient_line(i, "told") for i in story.ingredients.all()]
        data["recipeInstructions"] = [
            {"@type": "HowToStep", "text": step.text.text} for step in story.steps.all()
        ]
    return data


def ingredient_line(ingredient: Any, system: str) -> str:
    amount = convert(ingredient.quantity, ingredient.unit, system)
    parts = [amount.quantity, unit_label(amount.unit), ingredient.item.text]
    line = " ".join(part for part in parts if part)
    if ingredient.note:
        line += f" ({ingredient.note.text})"
    return line


def atom_feed(*, base_url: str, language: str, feed_url: str, archive_url: str) -> bytes:
    """The newest public stories as Atom, in the page's language (with fallbacks)."""
    feed = feedgenerator.Atom1Feed(
        title=_("Stories and recipes · %(site)s") % {"site": settings.KOPA_SITE_NAME},
        link=_absolute(base_url, archive_url),
        description=_("Stories and recipes told at the evenings, published with consent."),
        language=language,
        feed_url=_absolute(base_url, feed_url),
    )
    stories = (
        public_stories()
        .select_related("teller", "consent")
        .prefetch_related("themes")
        .order_by("-published_at", "-pk")[:FEED_SIZE]
    )
    for story in stories:
        url = _absolute(base_url, story.get_absolute_url())
        feed.add_item(
            title=story.title.text,
            link=url,
            description=story.summary.text or story.text.text[:400],
            author_name=story.teller_display(),
            pubdate=story.published_at,
            updateddate=story.updated,
            unique_id=f"urn:uuid:{story.public_id}",
            categories=[theme.label.text for theme in story.themes.all()],
        )
    return feed.writeString("utf-8").encode()


def dublin_core(story: Story, *, base_url: str) -> dict[str, Any]:
    """One public story as Dublin Core elements, every translation of the title and text."""
    raw = story.__dict__
    return {
        "dc:identifier": _absolute(base_url, story.get_absolute_url()),
        "dc:title": raw["title"],
        "dc:creator": story.teller_display(),
        "dc:contributor": [c.translator for c in story.translation_credits.all()],
        "dc:publisher": story.organisation.name.text,
        "dc:language": story.original_language,
        "dc:date": story.date_iso()
        or (story.published_at and story.published_at.date().isoformat()),
        "dc:subject": [theme.code for theme in story.themes.all()]
        + [holiday.code for holiday in story.holidays.all()],
        "dc:description": raw["summary"],
        "dc:type": "Text" if not story.is_recipe else "Text/Recipe",
        "dc:format": "text/html",
        "dc:coverage": story.place_display(),
        "dc:rights": rights_statement(story),
        "dcterms:issued": story.published_at.isoformat() if story.published_at else None,
        "dcterms:hasVersion": sorted(raw["text"]),
    }


def export_records(*, base_url: str) -> dict[str, Any]:
    stories = (
        public_stories()
        .select_related("teller", "consent", "organisation")
        .prefetch_related("themes", "holidays", "translation_credits")
        .order_by("published_at", "pk")
    )
    return {
        "@context": {
            "dc": "http://purl.org/dc/elements/1.1/",
            "dcterms": "http://purl.org/dc/terms/",
        },
        "items": [dublin_core(story, base_url=base_url) for story in stories],
    }
