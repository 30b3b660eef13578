import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kopa.core.models import AuditEntry
from kopa.core.tests.test_images import GPS_IFD, jpeg_with_gps, png_declaring
from kopa.stories import media_services, services
from kopa.stories.models import StoryAudio, StoryPhoto
from kopa.stories.tests import media_samples
from kopa.stories.tests.conftest import stored_files
from kopa.stories.tests.factories import make_editor, make_public_story, make_story

pytestmark = pytest.mark.django_db

CAPTION_EN = "caption_2"  # the TranslatedWidget's inputs follow LANGUAGES: lv, et, en, uk, ru


@pytest.fixture
def world():
    from kopa.accounts.tests.factories import make_organisation

    organisation = make_organisation()
    editor = make_editor(organisation)
    return editor, make_public_story(editor=editor, organisation=organisation)


def add_photo(editor, story, **fields):
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps((1200, 900)))
    return media_services.photo_add(
        actor=editor, story=story, upload=upload, caption={"en": "At the table"}, **fields
    )


def test_a_photo_with_gps_exif_is_served_without_it(client, world):
    editor, story = world
    photo = add_photo(editor, story)
    page = client.get(story.get_absolute_url()).text
    assert photo.url("960.webp") in page
    for size in photo.sizes:
        response = client.get(photo.url(size["name"]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        image = Image.open(io.BytesIO(body))
        assert image.format == "WEBP"
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info and "xmp" not in image.info
        assert b"PhoneMaker" not in body


def test_a_photo_of_other_people_without_their_consent_stays_private(client, world):
    editor, story = world
    photo = add_photo(editor, story, shows_others=True, others_consented=False)
    assert client.get(photo.url("480.webp")).status_code == 404
    assert photo.url("480.webp") not in client.get(story.get_absolute_url()).text
    client.force_login(editor)
    editors_url = f"/en/stories/manage/{story.public_id}/photo/{photo.pk}/480.webp"
    response = client.get(editors_url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    response.close()


def test_photos_need_the_photo_consent_and_recordings_the_voice_consent(client):
    from kopa.accounts.tests.factories import make_organisation

    organisation = make_organisation()
    editor = make_editor(organisation)
    story = make_public_story(editor=editor, organisation=organisation, scopes=["publish_text"])
    photo = add_photo(editor, story)
    recording = media_services.audio_add(
        actor=editor,
        story=story,
        upload=SimpleUploadedFile("voice.mp3", media_samples.mp3()),
        caption={"en": "The teller"},
    )
    assert client.get(photo.url("480.webp")).status_code == 404
    assert client.get(recording.url()).status_code == 404
    page = client.get(story.get_absolute_url()).text
    assert "<audio" not in page and "<figure" not in page


def test_a_recording_plays_without_javascript(client, world):
    editor, story = world
    recording = media_services.audio_add(
        actor=editor,
        story=story,
        upload=SimpleUploadedFile("voice.ogg", media_samples.ogg()),
        caption={"en": "The teller"},
        transcript={"en": "Once upon a time."},
    )
    page = client.get(story.get_absolute_url()).text
    assert f'<audio controls preload="none" src="{recording.url()}">' in page
    assert "Once upon a time." in page
    response = client.get(recording.url())
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/ogg"
    assert b"".join(response.streaming_content) == media_samples.ogg()


def test_media_of_a_withdrawn_story_is_no_longer_served(client, world):
    editor, story = world
    photo = add_photo(editor, story)
    services.consent_withdraw(consent=story.consent)
    assert client.get(photo.url("480.webp")).status_code == 404


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        ("photo", "holiday.jpg", b"#!/bin/sh\necho owned\n", "not a JPEG, PNG or WebP"),
        ("photo", "bomb.png", png_declaring(20000, 20000), "too many pixels"),
        ("photo", "cut.jpg", jpeg_with_gps()[:2000], "incomplete or damaged"),
        ("recording", "voice.mp3", b"#!/bin/sh\necho owned\n", "not an MP3, Ogg or M4A"),
        ("recording", "voice.mp3", media_samples.mp3()[:600], "incomplete or damaged"),
        ("recording", "voice.m4a", media_samples.m4a()[:-9], "incomplete or damaged"),
        ("recording", "voice.ogg", media_samples.ogg()[:-4], "incomplete or damaged"),
    ],
)
def test_a_bad_upload_is_explained_and_stores_nothing(
    client, world, media_root, kind, name, content, message
):
    editor, story = world
    client.force_login(editor)
    field = "image" if kind == "photo" else "recording"
    response = client.post(
        f"/en/stories/manage/{story.public_id}/{kind}/add/",
        {field: SimpleUploadedFile(name, content), CAPTION_EN: "A caption"},
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'id="id_{field}_error"' in response.text
    assert not StoryPhoto.objects.exists() and not StoryAudio.objects.exists()
    assert stored_files(media_root) == []
    assert not AuditEntry.objects.filter(action__in=["stories.photo.added"]).exists()


def test_a_recording_over_the_size_limit_is_refused(client, world, settings, media_root):
    settings.KOPA_MAX_AUDIO_BYTES = 1000
    editor, story = world
    client.force_login(editor)
    response = client.post(
        f"/en/stories/manage/{story.public_id}/recording/add/",
        {"recording": SimpleUploadedFile("long.mp3", media_samples.mp3(5)), CAPTION_EN: "Long"},
    )
    assert response.status_code == 400
    assert "recordings can be at most" in response.text
    assert stored_files(media_root) == []


@pytest.mark.parametrize("sample", ["mp3", "ogg", "m4a"])
def test_each_recording_format_is_accepted_by_its_content(client, world, sample):
    editor, story = world
    client.force_login(editor)
    response = client.post(
        f"/en/stories/manage/{story.public_id}/recording/add/",
        {
            "recording": SimpleUploadedFile("any-name.bin", getattr(media_samples, sample)()),
            CAPTION_EN: "Voice",
        },
    )
    assert response.status_code == 302
    assert StoryAudio.objects.get().extension == sample


def test_removing_a_photo_deletes_its_files_after_commit(
    world, media_root, django_capture_on_commit_callbacks
):
    editor, story = world
    photo = add_photo(editor, story)
    assert stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        media_services.media_remove(actor=editor, item=photo)
    assert stored_files(media_root) == []


def test_a_draft_storys_media_is_not_public(client):
    from kopa.accounts.tests.factories import make_organisation

    organisation = make_organisation()
    editor = make_editor(organisation)
    story = make_story(editor=editor, organisation=organisation)
    photo = add_photo(editor, story)
    assert client.get(photo.url("480.webp")).status_code == 404
