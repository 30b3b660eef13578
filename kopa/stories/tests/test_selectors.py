import pytest

from kopa.accounts.tests.factories import make_organisation
from kopa.programme.tests.factories import make_activity, make_project
from kopa.stories import services
from kopa.stories.models import Story
from kopa.stories.selectors import published_counts
from kopa.stories.tests.factories import make_editor, make_public_story, make_story

pytestmark = pytest.mark.django_db


def test_it_counts_public_consented_stories_by_told_in_language():
    organisation = make_organisation()
    editor = make_editor(organisation)
    project = make_project()
    activity = make_activity(project=project, organisers=[organisation])
    make_public_story(editor=editor, organisation=organisation, activity=activity)
    make_public_story(
        editor=editor, organisation=organisation, activity=activity, original_language="uk"
    )
    make_public_story(editor=editor, organisation=organisation, original_language="uk")
    make_public_story(editor=editor, organisation=organisation, visibility=Story.Visibility.CIRCLE)
    make_story(editor=editor, organisation=organisation)  # a draft
    withdrawn = make_public_story(editor=editor, organisation=organisation)
    services.consent_withdraw(consent=withdrawn.consent)

    assert published_counts() == {"lv": 1, "uk": 2}
    assert published_counts(project=project) == {"lv": 1, "uk": 1}
    assert published_counts(project=make_project()) == {}
