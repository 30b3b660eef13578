import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry
from kopa.programme.tests.factories import make_notice
from kopa.stories import services
from kopa.stories.models import Consent, Story
from kopa.stories.tests.conftest import stored_files
from kopa.stories.tests.factories import (
    make_coordinator,
    make_editor,
    make_public_story,
    make_story,
    record_consent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    organisation = make_organisation()
    return organisation, make_editor(organisation)


def actions(story):
    return list(
        AuditEntry.objects.filter(target_id=str(story.pk), action__startswith="stories.story")
        .order_by("created", "id")
        .values_list("action", flat=True)
    )


def test_each_workflow_transition_is_audited(world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    record_consent(story, editor=editor)
    for to in ("review", "draft", "review", "published", "draft"):
        story = services.story_transition(actor=editor, story=story, to=to)
    assert actions(story) == [
        "stories.story.created",
        "stories.story.submitted",
        "stories.story.returned",
        "stories.story.submitted",
        "stories.story.published",
        "stories.story.unpublished",
    ]


def test_a_draft_cannot_jump_to_published(world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    record_consent(story, editor=editor)
    with pytest.raises(ValidationError):
        services.story_transition(actor=editor, story=story, to="published")


def test_publishing_needs_a_consent_that_covers_the_text(world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    story = services.story_transition(actor=editor, story=story, to="review")
    with pytest.raises(ValidationError) as error:
        services.story_transition(actor=editor, story=story, to="published")
    assert error.value.code == "no_consent"
    record_consent(story, editor=editor, scopes=["publish_photo"])
    with pytest.raises(ValidationError):
        services.story_transition(actor=editor, story=story, to="published")


def test_a_withdrawn_story_cannot_be_published_again_without_a_new_consent(world):
    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    story = services.consent_withdraw(consent=story.consent)
    assert story.status == Story.Status.DRAFT
    assert story.is_withdrawn
    story = services.story_transition(actor=editor, story=story, to="review")
    with pytest.raises(ValidationError):
        services.story_transition(actor=editor, story=story, to="published")
    record_consent(story, editor=editor)
    story = services.story_transition(actor=editor, story=story, to="published")
    assert story.is_public and not story.is_withdrawn


def test_a_withdrawal_is_audited_and_cannot_be_repeated(world):
    organisation, editor = world
    story = make_public_story(editor=editor, organisation=organisation)
    consent = story.consent
    services.consent_withdraw(consent=consent)
    entry = AuditEntry.objects.get(action="stories.consent.withdrawn")
    assert entry.target_id == str(story.pk) and entry.data["was"] == "published"
    with pytest.raises(services.WithdrawalError):
        services.consent_withdraw(consent=consent)


def test_the_second_of_two_concurrent_edits_is_refused(world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    version = story.version
    services.story_update(
        actor=editor, story=story, expected_version=version, title={"en": "First editor"}
    )
    with pytest.raises(services.EditConflict):
        services.story_update(
            actor=editor, story=story, expected_version=version, title={"en": "Second editor"}
        )
    story.refresh_from_db()
    assert story.title.text == "First editor"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("editor", True),
        ("coordinator", True),
        ("member", False),
        ("other-editor", False),
        ("project-admin", True),
    ],
)
def test_only_editors_of_the_organisation_and_admins_may_edit(world, who, allowed):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    actor = {
        "editor": lambda: make_member(organisation, Membership.Role.EDITOR),
        "coordinator": lambda: make_member(organisation, Membership.Role.COORDINATOR),
        "member": lambda: make_member(organisation, Membership.Role.MEMBER),
        "other-editor": lambda: make_editor(),
        "project-admin": lambda: make_user(is_project_admin=True),
    }[who]()
    if allowed:
        services.story_update(
            actor=actor, story=story, expected_version=story.version, title={"en": "Changed"}
        )
    else:
        with pytest.raises(PermissionDenied):
            services.story_update(
                actor=actor, story=story, expected_version=story.version, title={"en": "No"}
            )


def test_oral_consent_needs_a_coordinator_as_witness(world):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    with pytest.raises(ValidationError) as error:
        record_consent(story, editor=editor, witness=editor)
    assert "witness" in error.value.message_dict
    assert not Consent.objects.exists()


def test_a_signed_form_is_stored_privately_and_a_script_is_refused(world, media_root):
    organisation, editor = world
    story = make_story(editor=editor, organisation=organisation)
    common = {
        "actor": editor,
        "story": story,
        "given_by": Consent.GivenBy.GUARDIAN,
        "given_by_name": "A guardian",
        "given_on": dt.date(2025, 1, 5),
        "method": Consent.Method.FORM,
        "scopes": ["publish_text"],
        "notice": make_notice(),
    }
    with pytest.raises(ValidationError):
        services.consent_record(
            **common, form_upload=SimpleUploadedFile("form.pdf", b"<script>alert(1)</script>")
        )
    assert stored_files(media_root) == []
    consent = services.consent_record(
        **common, form_upload=SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed")
    )
    assert consent.form_file.startswith("story-consents/")
    assert len(stored_files(media_root)) == 1


def test_recording_consent_mails_the_teller_a_withdrawal_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    organisation, editor = world
    from kopa.stories.tests.factories import make_teller

    teller = make_teller(organisation, email="teller@example.org")
    story = make_story(editor=editor, organisation=organisation, teller=teller)
    with django_capture_on_commit_callbacks(execute=True):
        consent = record_consent(story, editor=editor, witness=make_coordinator(organisation))
    assert len(mailoutbox) == 1
    from kopa.stories.links import withdrawal_token

    assert withdrawal_token(consent) in mailoutbox[0].body
    assert mailoutbox[0].to == ["teller@example.org"]
