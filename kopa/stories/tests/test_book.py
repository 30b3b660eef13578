import io

import pytest
from pypdf import PdfReader

from kopa.accounts.tests.factories import make_organisation
from kopa.core.models import AuditEntry
from kopa.programme.tests.factories import make_activity, make_project
from kopa.stories import services
from kopa.stories.models import Story
from kopa.stories.tests.factories import make_editor, make_public_story, make_story
from kopa.stories.tests.test_media import add_photo

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_book_prints_only_consented_items_and_counts_the_others(client):
    organisation = make_organisation()
    editor = make_editor(organisation)
    project = make_project(funding_statement={"en": "Co-funded by the European Union"})
    activity = make_activity(project=project, organisers=[organisation])
    borscht = make_public_story(
        editor=editor,
        organisation=organisation,
        activity=activity,
        kind=Story.Kind.RECIPE,
        title={"en": "Borscht of the evening"},
        servings=6,
        ingredients=[{"quantity": 2, "unit": "piece", "item": {"en": "beetroots"}}],
        steps=[{"en": "Boil the beetroots."}],
    )
    add_photo(editor, borscht)
    draft = make_story(editor=editor, organisation=organisation, title={"en": "Draft tale"})
    withdrawn = make_public_story(
        editor=editor, organisation=organisation, title={"en": "Withdrawn tale"}
    )
    services.consent_withdraw(consent=withdrawn.consent)
    client.force_login(editor)
    response = client.post(
        "/en/stories/manage/book/",
        {
            "title": "Recipes from the soup kitchen",
            "language": "en",
            "stories": [borscht.pk, draft.pk, withdrawn.pk],
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Recipes-from-the-soup-kitchen.pdf" in response["Content-Disposition"]
    text, pages = pdf_text(response.content)
    assert "Borscht of the evening" in text
    assert "Boil the beetroots." in text
    assert "Draft tale" not in text and "Withdrawn tale" not in text
    assert "2 chosen items were left out" in text
    assert "Co-funded by the European Union" in text
    assert pages >= 4  # cover, contents, the recipe, the consent page
    assert PdfReader(io.BytesIO(response.content)).pages[2].images  # the photo is in
    entry = AuditEntry.objects.get(action="stories.book.made")
    assert entry.data == {"language": "en", "stories": [borscht.pk], "left_out": 2}


def test_the_book_leaves_out_photos_without_photo_consent():
    from kopa.stories.book import book_contents

    organisation = make_organisation()
    editor = make_editor(organisation)
    story = make_public_story(editor=editor, organisation=organisation, scopes=["publish_text"])
    add_photo(editor, story)
    book = book_contents(story_ids=[story.pk], organisations=[organisation], language="en")
    assert len(book.items) == 1 and book.items[0].photos == []


def test_an_editor_cannot_print_another_organisations_stories():
    from kopa.stories.book import book_contents

    organisation = make_organisation()
    story = make_public_story(editor=make_editor(organisation), organisation=organisation)
    book = book_contents(story_ids=[story.pk], organisations=[make_organisation()], language="en")
    assert book.items == [] and book.left_out == 1
