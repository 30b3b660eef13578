"""This domain's pages for the browser and accessibility tests (see tests/browser/conftest.py).

The placeholders name demo stories by their English title (kopa/stories/seed/demo.json).
"""

from __future__ import annotations

from tests.browser.site_pages import Placeholder, SitePage


def _demo_story(title: str) -> Placeholder:
    def public_id(organisation: str) -> str:
        from kopa.stories.models import Story

        return str(
            Story.objects.filter(is_demo=True, title__en=title)
            .values_list("public_id", flat=True)
            .get()
        )

    return public_id


PAGES: list[SitePage] = [
    SitePage("stories-archive", "/stories/"),
    SitePage("stories-archive-filtered", "/stories/?holiday=janis&kind=recipe"),
    SitePage("stories-search", "/stories/?q=bor%C5%A1%C4%8Ds"),
    SitePage("stories-story", "/stories/{story}/"),
    SitePage("stories-recipe", "/stories/{recipe}/"),
    SitePage("stories-recipe-cups", "/stories/{recipe}/?units=cups"),
    SitePage("stories-recipe-card", "/stories/{recipe}/card/"),
    SitePage("stories-withdraw-invalid", "/stories/withdraw/not-a-link/", status=404),
    SitePage("stories-manage", "/stories/manage/", login="editor"),
    SitePage("stories-manage-story", "/stories/manage/{recipe}/", login="editor"),
    SitePage("stories-manage-edit", "/stories/manage/{recipe}/edit/", login="editor"),
    SitePage("stories-manage-new", "/stories/manage/new/", login="editor"),
    SitePage("stories-manage-consent", "/stories/manage/{story}/consent/", login="editor"),
    SitePage("stories-manage-photo", "/stories/manage/{story}/photo/add/", login="editor"),
    SitePage("stories-manage-book", "/stories/manage/book/", login="editor"),
]

PLACEHOLDERS: dict[str, Placeholder] = {
    "story": _demo_story("A Christmas tree in a suitcase"),
    "recipe": _demo_story("Grandmother Olena's borscht"),
}
