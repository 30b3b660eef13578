"""The printable book: chosen stories and recipes typeset by WeasyPrint, in one language.

Only items that are public under a consent in force that covers publishing the text go in;
their photos only when the consent covers photos and everyone else shown agreed. The book says
so on its consent page and counts, without naming them, the items it left out. Fonts and the
URL fetcher are the programme documents' (kopa.programme.documents): nothing but the vendored
fonts and data: URIs (the photos, read from storage) can be loaded.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from kopa.accounts.permissions import require
from kopa.core.audit import audit_log
from kopa.programme import documents
from kopa.stories import selectors
from kopa.stories.models import Story, StoryPhoto
from kopa.stories.publishing import ingredient_line
from kopa.stories.services import editable_organisations

PHOTO_WIDTH = 960  # the stored size closest to a printed column at 150 dpi


@dataclass
class BookPhoto:
    photo: StoryPhoto
    data_uri: str
    width: int
    height: int


@dataclass
class BookItem:
    story: Story
    anchor: str
    photos: list[BookPhoto] = field(default_factory=list)
    ingredients: list[str] = field(default_factory=list)


@dataclass
class Book:
    title: str
    language: str
    items: list[BookItem]
    left_out: int
    projects: list[Any]
    made_on: dt.date


def _photo_data(photo: StoryPhoto) -> BookPhoto | None:
    size = min(photo.sizes, key=lambda s: abs(s["width"] - PHOTO_WIDTH))
    try:
        with default_storage.open(photo.storage_name(size["name"]), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    uri = "data:image/webp;base64," + base64.b64encode(data).decode("ascii")
    return BookPhoto(photo=photo, data_uri=uri, width=size["width"], height=size["height"])


def _projects(items: list[BookItem]) -> list[Any]:
    from kopa.programme.selectors import project_current

    projects = {
        item.story.activity.project_id: item.story.activity.project
        for item in items
        if item.story.activity_id
    }
    if not projects:
        current = project_current()
        return [current] if current else []
    return list(projects.values())


def book_contents(*, story_ids: list[int], organisations: list[Any], language: str) -> Book:
    chosen = selectors.book_items(ids=story_ids, organisations=organisations)
    included = [story for story in chosen if story.is_public]
    items = []
    for number, story in enumerate(included, start=1):
        item = BookItem(story=story, anchor=f"item-{number}")
        if story.consent.publish_photo:
            for photo in story.photos.all():
                if photo.people_ok and (data := _photo_data(photo)):
                    item.photos.append(data)
        with override(language):
            item.ingredients = [ingredient_line(i, "told") for i in story.ingredients.all()]
        items.append(item)
    return Book(
        title="",
        language=language,
        items=items,
        left_out=len(story_ids) - len(included),
        projects=_projects(items),
        made_on=timezone.localdate(),
    )


def book_pdf(*, actor: Any, title: str, language: str, story_ids: list[int]) -> tuple[bytes, Book]:
    """The book as PDF bytes for an editor; audited (what was printed, not who told it)."""
    organisations = editable_organisations(actor)
    require(bool(organisations))
    with override(language):
        book = book_contents(story_ids=story_ids, organisations=organisations, language=language)
        book.title = title
        pdf = _render(book)
    with transaction.atomic():
        audit_log(
            action="stories.book.made",
            actor=actor,
            data={
                "language": language,
                "stories": [item.story.pk for item in book.items],
                "left_out": book.left_out,
            },
        )
    return pdf, book


def _render(book: Book) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    base_url = documents.STATIC_DIR.as_uri() + "/"
    fetcher = documents.local_fetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string(
            "stories/pdf/book.css",
            {
                "page_counter": documents.css_counter_content(_("Page %(page)s of %(pages)s")),
                # css_string escapes quotes, backslashes and angle brackets for CSS.
                "running_title": mark_safe(documents.css_string(book.title)),  # noqa: S308
            },
        ),
        base_url=base_url,
        url_fetcher=fetcher,
        font_config=fonts,
    )
    html = HTML(
        string=render_to_string(
            "stories/pdf/book.html", {"book": book, "site_name": settings.KOPA_SITE_NAME}
        ),
        base_url=base_url,
        url_fetcher=fetcher,
    )
    return html.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1")
