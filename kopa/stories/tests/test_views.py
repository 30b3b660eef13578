import json
import re
import xml.etree.ElementTree as ET

import pytest

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry
from kopa.stories import services
from kopa.stories.links import withdrawal_token
from kopa.stories.models import Ingredient, Step, Story
from kopa.stories.tests.factories import make_editor, make_public_story, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    organisation = make_organisation()
    return organisation, make_editor(organisation)


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_the_archive_lists_public_stories_only(client, world):
    organisation, editor = world
    public = make_public_story(editor=editor, organisation=organisation, title={"en": "Open"})
    make_story(editor=editor, organisation=organisation, title={"en": "A draft"})
    make_public_story(
        editor=editor,
        organisation=organisation,
        title={"en": "Circle only"},
        visibility=Story.Visibility.CIRCLE,
    )
    response = client.get("/en/stories/")
    assert response.status_code == 200
    assert public.get_absolute_url() in response.text
    assert "A draft" not in response.text
    assert "Circle only" not in response.text


def test_the_archive_filters_by_theme_holiday_language_and_activity(client, world):
    from kopa.programme.tests.factories import make_activity
    from kopa.stories.models import Holiday, Theme

    organisation, editor = world
    activity = make_activity(organisers=[organisation])
    make_public_story(
        editor=editor,
        organisation=organisation,
        title={"en": "Midsummer"},
        holidays=Holiday.objects.filter(code="janis"),
        themes=Theme.objects.filter(code="holiday"),
        activity=activity,
        original_language="uk",
    )
    make_public_story(editor=editor, organisation=organisation, title={"en": "Other"})
    for query in ("holiday=janis", "theme=holiday", "language=uk", f"activity={activity.slug}"):
        text = client.get(f"/en/stories/?{query}").text
        assert "Midsummer" in text and "Other" not in text, query


def test_the_archive_search_finds_a_story_in_another_language(
    client, world, django_capture_on_commit_callbacks
):
    organisation, editor = world
    with django_capture_on_commit_callbacks(execute=True):
        make_public_story(
            editor=editor,
            organisation=organisation,
            title={"lv": "Vecmāmiņas boršs", "en": "Grandmother's borscht"},
            text={"lv": "Bietes un kāposti.", "en": "Beetroot and cabbage."},
        )
        make_public_story(editor=editor, organisation=organisation, title={"en": "A train journey"})
    text = client.get("/en/stories/?q=borscht").text
    assert "Grandmother" in text and "A train journey" not in text


def test_the_archive_needs_the_same_number_of_queries_for_5_and_50_stories(
    client, world, django_assert_num_queries
):
    organisation, editor = world
    for _ in range(5):
        make_public_story(editor=editor, organisation=organisation)
    with django_assert_num_queries(8) as few:
        client.get("/en/stories/")
    for _ in range(45):
        make_public_story(editor=editor, organisation=organisation)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/en/stories/")


def test_html_in_a_story_is_shown_as_text(client, world):
    organisation, editor = world
    story = make_public_story(
        editor=editor,
        organisation=organisation,
        title={"en": "<script>alert('t')</script>"},
        text={"en": "<img src=x onerror=alert(1)> and </script><script>alert(2)</script>"},
    )
    text = client.get(story.get_absolute_url()).text
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;" in text
    data = json_ld(text)  # the JSON-LD block cannot be closed by the text either
    assert data["name"] == "<script>alert('t')</script>"


def test_a_story_page_shows_the_teller_only_as_consented(client, world):
    from kopa.stories.tests.factories import make_teller

    organisation, editor = world
    teller = make_teller(organisation, name="Real Name")
    named = make_public_story(editor=editor, organisation=organisation, teller=teller)
    hidden = make_public_story(
        editor=editor,
        organisation=organisation,
        teller=teller,
        scopes=["publish_text"],
    )
    assert "Real Name" in client.get(named.get_absolute_url()).text
    text = client.get(hidden.get_absolute_url()).text
    assert "Real Name" not in text and "Anonymous teller" in text
    assert json_ld(text)["author"]["name"] == "Anonymous teller"


def test_a_recipe_page_has_recipe_json_ld_and_converts_units(client, world):
    organisation, editor = world
    story = make_public_story(
        editor=editor,
        organisation=organisation,
        kind=Story.Kind.RECIPE,
        servings=4,
        total_minutes=90,
        ingredients=[
            {"quantity": 2, "unit": Ingredient.Unit.CUP, "item": {"en": "milk"}},
            {"quantity": 1500, "unit": Ingredient.Unit.G, "item": {"en": "flour"}},
        ],
        steps=[{"en": "Mix."}, {"en": "Bake."}],
    )
    text = client.get(story.get_absolute_url()).text
    data = json_ld(text)
    assert data["@type"] == "Recipe"
    assert data["totalTime"] == "PT1H30M"
    assert data["recipeIngredient"] == ["2 cup milk", "1500 g flour"]
    assert [step["text"] for step in data["recipeInstructions"]] == ["Mix.", "Bake."]
    metric = client.get(story.get_absolute_url() + "?units=metric").text
    assert "480 ml" in metric and "1.5 kg" in metric
    card = client.get(story.get_absolute_url() + "card/?units=metric")
    assert card.status_code == 200 and "480 ml" in card.text
    assert Step.objects.filter(story=story).count() == 2


def test_a_story_that_is_not_a_recipe_has_no_card(client, world):
    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    assert client.get(story.get_absolute_url() + "card/").status_code == 404
    assert json_ld(client.get(story.get_absolute_url()).text)["@type"] == "CreativeWork"


VISIBILITY_CASES = {
    # who: visibilities they may read
    "anonymous": {"public"},
    "member": {"public", "circle"},
    "other-editor": {"public", "circle", "team"},
    "editor": {"public", "circle", "team", "private"},
    "project-admin": {"public", "circle", "team", "private"},
}


@pytest.mark.parametrize("who", sorted(VISIBILITY_CASES))
def test_each_role_sees_the_stories_its_visibility_allows(client, world, who):
    organisation, editor = world
    stories = {
        visibility: make_public_story(
            editor=editor,
            organisation=organisation,
            visibility=visibility,
            title={"en": f"Visible to {visibility}"},
        )
        for visibility in ("public", "circle", "team", "private")
    }
    user = {
        "anonymous": lambda: None,
        "member": lambda: make_member(make_organisation(), Membership.Role.MEMBER),
        "other-editor": lambda: make_editor(),
        "editor": lambda: editor,
        "project-admin": lambda: make_user(is_project_admin=True),
    }[who]()
    if user:
        client.force_login(user)
    archive = client.get("/en/stories/").text
    for visibility, story in stories.items():
        allowed = visibility in VISIBILITY_CASES[who]
        assert (f"Visible to {visibility}" in archive) == allowed, visibility
        status = client.get(story.get_absolute_url()).status_code
        assert status == (200 if allowed else 404), visibility


def test_editors_see_drafts_and_withdrawn_stories_in_their_list(client, world):
    organisation, editor = world
    make_story(editor=editor, organisation=organisation, title={"en": "Still a draft"})
    withdrawn = make_public_story(
        editor=editor, organisation=organisation, title={"en": "Taken back"}
    )
    services.consent_withdraw(consent=withdrawn.consent)
    other = make_organisation()
    make_story(editor=make_editor(other), organisation=other, title={"en": "Not ours"})
    client.force_login(editor)
    response = client.get("/en/stories/manage/")
    assert "Still a draft" in response.text and "Taken back" in response.text
    assert "Withdrawn" in response.text
    assert "Not ours" not in response.text
    assert response["Cache-Control"] == "private, no-store"


def test_a_member_cannot_open_the_editors_pages(client, world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    client.force_login(make_member(organisation, Membership.Role.MEMBER))
    assert client.get(f"/en/stories/manage/{story.public_id}/").status_code == 403
    assert client.get("/en/stories/manage/new/").status_code == 403
    assert client.get("/en/stories/manage/book/").status_code == 403


def test_the_second_editor_saving_the_same_version_gets_a_clear_message(client, world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    client.force_login(editor)
    form = client.get(f"/en/stories/manage/{story.public_id}/edit/").context["form"]
    data = {
        "kind": "story",
        "title_0": "Pirmais",
        "text_0": "Teksts",
        "original_language": "lv",
        "place_precision": "country",
        "date_precision": "year",
        "visibility": "public",
        "version": form["version"].value(),
        "ingredients-TOTAL_FORMS": "0",
        "ingredients-INITIAL_FORMS": "0",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
    }
    first = client.post(f"/en/stories/manage/{story.public_id}/edit/", data)
    assert first.status_code == 302
    second = client.post(
        f"/en/stories/manage/{story.public_id}/edit/", {**data, "title_0": "Otrais"}
    )
    assert second.status_code == 409
    assert "Someone else saved this story" in second.text
    story.refresh_from_db()
    assert story.title.get("lv") == "Pirmais"


def test_an_editor_creates_a_story_with_an_anonymous_teller(client, world):
    organisation, editor = world
    client.force_login(editor)
    response = client.post(
        "/en/stories/manage/new/",
        {
            "organisation": organisation.pk,
            "teller_naming": "anonymous",
            "kind": "recipe",
            "title_2": "Pancakes",
            "text_2": "Told at the evening.",
            "original_language": "en",
            "place_precision": "country",
            "date_precision": "year",
            "visibility": "public",
            "ingredients-TOTAL_FORMS": "1",
            "ingredients-INITIAL_FORMS": "0",
            "ingredients-0-quantity": "2",
            "ingredients-0-unit": "cup",
            "ingredients-0-item_2": "flour",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-text_2": "Mix and fry.",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    story = Story.objects.get()
    assert story.status == Story.Status.DRAFT
    assert story.teller.naming == "anonymous"
    assert [i.item.text for i in story.ingredients.all()] == ["flour"]
    assert [s.text.text for s in story.steps.all()] == ["Mix and fry."]


def test_a_forged_number_of_ingredients_is_refused_without_building_a_thousand_forms(client, world):
    organisation, editor = world
    client.force_login(editor)
    response = client.post(
        "/en/stories/manage/new/",
        {
            "organisation": organisation.pk,
            "teller_naming": "anonymous",
            "kind": "recipe",
            "title_2": "Pancakes",
            "original_language": "en",
            "ingredients-TOTAL_FORMS": "1167938885",
            "ingredients-INITIAL_FORMS": "0",
            "steps-TOTAL_FORMS": "100000",
            "steps-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    ingredients, steps = response.context["ingredients"], response.context["steps"]
    assert len(ingredients.forms) == 60 and len(steps.forms) == 40
    assert "Please submit at most 60 forms." in ingredients.non_form_errors()
    assert not Story.objects.exists()


def test_the_workflow_buttons_move_and_audit_the_story(client, world):
    from kopa.stories.tests.factories import record_consent

    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    record_consent(story, editor=editor)
    client.force_login(editor)
    url = f"/en/stories/manage/{story.public_id}/status/"
    client.post(url, {"to": "review"})
    client.post(url, {"to": "published"})
    story.refresh_from_db()
    assert story.status == "published"
    assert AuditEntry.objects.filter(action="stories.story.published", actor=editor).exists()


# Withdrawal ----------------------------------------------------------------------------------


def test_a_withdrawn_story_is_gone_from_every_public_place(
    client, world, django_capture_on_commit_callbacks
):
    from kopa.stories.book import book_contents
    from kopa.stories.search import ranked_story_ids

    organisation, editor = world
    with django_capture_on_commit_callbacks(execute=True):
        story = make_public_story(
            editor=editor,
            organisation=organisation,
            title={"en": "Withdrawable borscht"},
            text={"en": "Beetroot soup told at the evening."},
        )
    url = story.get_absolute_url()
    assert "Withdrawable" in client.get("/en/stories/").text
    assert "Withdrawable" in client.get("/en/stories/feed.atom").text
    assert "Withdrawable" in client.get("/en/stories/export.json").text
    assert ranked_story_ids("borscht") == [story.pk]
    token = withdrawal_token(story.consent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/stories/withdraw/{token}/")
    assert response.status_code == 200
    assert "Your consent is withdrawn" in response.text

    assert client.get(url).status_code == 404
    assert "Withdrawable" not in client.get("/en/stories/").text
    assert "Withdrawable" not in client.get("/en/stories/?q=borscht").text
    assert "Withdrawable" not in client.get("/en/stories/feed.atom").text
    assert "Withdrawable" not in client.get("/en/stories/export.json").text
    assert ranked_story_ids("borscht") == []
    book = book_contents(story_ids=[story.pk], organisations=[organisation], language="en")
    assert book.items == [] and book.left_out == 1
    assert AuditEntry.objects.filter(action="stories.consent.withdrawn").count() == 1


def test_a_withdrawal_link_used_twice_says_so(client, world):
    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    url = f"/en/stories/withdraw/{withdrawal_token(story.consent)}/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    again = client.post(url)
    assert again.status_code == 410
    assert "already withdrawn" in again.text
    assert client.get(url).status_code == 410
    assert AuditEntry.objects.filter(action="stories.consent.withdrawn").count() == 1


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" * 300, lambda t: "a:b"])
def test_a_tampered_withdrawal_link_is_refused_clearly(client, world, mangle):
    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    response = client.post(f"/en/stories/withdraw/{mangle(withdrawal_token(story.consent))}/")
    assert response.status_code == 404
    assert "This link is not valid" in response.text
    story.refresh_from_db()
    assert story.is_public


def test_the_feed_is_atom_and_the_export_has_dublin_core(client, world):
    from kopa.stories.tests.factories import make_teller

    organisation, editor = world
    teller = make_teller(organisation, name="Secret Name")
    make_public_story(
        editor=editor,
        organisation=organisation,
        teller=teller,
        scopes=["publish_text"],
        title={"en": "Feed item"},
    )
    feed = client.get("/en/stories/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)  # noqa: S314 - our own feed
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert "Secret Name" not in feed.text
    export = client.get("/en/stories/export.json").json()
    item = export["items"][0]
    for key in ("dc:title", "dc:creator", "dc:language", "dc:date", "dc:subject", "dc:rights"):
        assert key in item
    assert item["dc:creator"] == "Anonymous teller"
    assert item["dc:title"]["en"] == "Feed item"


def test_an_editor_credits_a_translation(client, world):
    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    client.force_login(editor)
    response = client.post(
        f"/en/stories/manage/{story.public_id}/translation/",
        {"language": "en", "translator": "Anna Translator", "translated_on": "2025-02-01"},
    )
    assert response.status_code == 302
    text = client.get(story.get_absolute_url()).text
    assert "Translated into English by Anna Translator (2025)." in text
    assert AuditEntry.objects.filter(action="stories.translation.credited").exists()


def test_the_withdrawal_form_is_rate_limited(client, world):
    from kopa.stories.views import WITHDRAWALS_PER_HOUR

    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    for _ in range(WITHDRAWALS_PER_HOUR):
        client.post("/en/stories/withdraw/forged/")
    response = client.post(f"/en/stories/withdraw/{withdrawal_token(story.consent)}/")
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    story.refresh_from_db()
    assert story.is_public


def test_the_editors_story_page_lists_consents_media_and_translations(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kopa.stories import media_services
    from kopa.stories.tests.media_samples import mp3
    from kopa.stories.tests.test_media import add_photo

    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    add_photo(editor, story, shows_others=True)
    media_services.audio_add(
        actor=editor,
        story=story,
        upload=SimpleUploadedFile("voice.mp3", mp3()),
        caption={"en": "Voice"},
    )
    services.translation_credit_set(
        actor=editor, story=story, language="en", translator="Anna", translated_on="2025-01-01"
    )
    client.force_login(editor)
    response = client.get(f"/en/stories/manage/{story.public_id}/")
    assert response.status_code == 200
    assert "Never public: not everyone shown agreed" in response.text
    assert "In force" in response.text and "Anna" in response.text
    assert "<audio controls" in response.text
    assert "Unpublish" in response.text


def test_a_consent_with_a_signed_form_is_recorded_and_the_form_is_for_editors_only(
    client, world, media_root
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kopa.programme.tests.factories import make_notice

    organisation, editor = world
    make_notice()
    story = make_story(editor=editor, organisation=organisation)
    client.force_login(editor)
    response = client.post(
        f"/en/stories/manage/{story.public_id}/consent/",
        {
            "given_by": "guardian",
            "given_by_name": "A guardian",
            "given_on": "2025-03-01",
            "method": "form",
            "form_file": SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"),
            "scopes": ["publish_text", "publish_photo"],
        },
    )
    assert response.status_code == 302
    consent = story.consents.get()
    assert consent.scopes() == ["publish_text", "publish_photo"]
    url = f"/en/stories/manage/{story.public_id}/consent/{consent.pk}/form"
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"
    assert download["Cache-Control"] == "private, no-store"
    client.force_login(make_member(organisation, Membership.Role.MEMBER))
    assert client.get(url).status_code == 403


def test_a_consent_form_with_a_script_is_refused_in_the_page(client, world, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kopa.programme.tests.factories import make_notice
    from kopa.stories.tests.conftest import stored_files

    organisation, editor = world
    make_notice()
    story = make_story(editor=editor, organisation=organisation)
    client.force_login(editor)
    response = client.post(
        f"/lv/stories/manage/{story.public_id}/consent/",
        {
            "given_by": "teller",
            "given_by_name": "Teller",
            "given_on": "2025-03-01",
            "method": "form",
            "form_file": SimpleUploadedFile("signed.pdf", b"<script>alert(1)</script>"),
            "scopes": ["publish_text"],
        },
    )
    assert response.status_code == 400
    assert "Parakstītajai veidlapai jābūt PDF" in response.text
    assert not story.consents.exists() and stored_files(media_root) == []


def test_unpublishing_takes_a_story_out_of_the_search(world, django_capture_on_commit_callbacks):
    from kopa.stories.search import ranked_story_ids

    organisation, editor = world
    with django_capture_on_commit_callbacks(execute=True):
        story = make_public_story(
            editor=editor, organisation=organisation, text={"en": "A journey by night train."}
        )
    assert ranked_story_ids("train") == [story.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.story_transition(actor=editor, story=story, to=Story.Status.DRAFT)
    assert ranked_story_ids("train") == []
