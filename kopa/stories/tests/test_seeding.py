import pytest
from django.db import transaction

from kopa.site.seeding import seed_demo as site_seed_demo
from kopa.site.seeding import seed_project
from kopa.stories import seeding
from kopa.stories.models import Story
from kopa.stories.selectors import public_stories

pytestmark = pytest.mark.django_db


def test_the_demo_stories_are_public_translated_and_load_once():
    with transaction.atomic():
        seed_project()
        site_seed_demo()
        first = seeding.seed_demo()
    assert first.created == 5
    stories = list(public_stories())
    assert len(stories) == 5 and all(story.is_demo for story in stories)
    recipes = [story for story in stories if story.is_recipe]
    assert {story.title.get("en") for story in recipes} == {
        "Grandmother Olena's borscht",
        "Ilze's plātsmaize with rhubarb",
    }
    for story in stories:
        assert len(story.title.translations) == 5
        assert story.translation_credits.count() == len(story.text.translations) - 1
    assert all(story.ingredients.exists() and story.steps.exists() for story in recipes)
    with transaction.atomic():
        second = seeding.seed_demo()
    assert not second.changed and second.unchanged == 5
    assert Story.objects.count() == 5
