"""Photos and recordings of a story. Same pattern as kopa.programme.photo_services: check and
clean the upload and validate the row before anything is written, then write the files, then the
row and its audit entry in the outermost transaction; on any failure the written files go again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from kopa.accounts.permissions import require
from kopa.core.audit import audit_log
from kopa.core.images import process_upload
from kopa.stories.audio import check_audio
from kopa.stories.models import Story, StoryAudio, StoryPhoto
from kopa.stories.services import can_edit_story

logger = logging.getLogger(__name__)


def _clean_texts(texts: Mapping[str, str]) -> dict[str, str]:
    return {code: text.strip() for code, text in texts.items() if text and text.strip()}


def _write(files: list[tuple[str, bytes]], folder: str) -> list[str]:
    written: list[str] = []
    try:
        for name, data in files:
            saved = default_storage.save(name, ContentFile(data))
            written.append(saved)
            if saved != name:  # the storage renamed it: the key was not new after all
                raise ValidationError("media storage name already taken", code="name_taken")
    except BaseException:
        delete_files(written, folder=folder)
        raise
    return written


def photo_add(
    *,
    actor: Any,
    story: Story,
    upload: Any,
    caption: Mapping[str, str],
    credit: str = "",
    shows_others: bool = False,
    others_consented: bool = False,
) -> StoryPhoto:
    """Store a photo; raises ValidationError (nothing stored) for a bad file or field."""
    require(can_edit_story(actor, story))
    processed = process_upload(upload=upload)
    photo = StoryPhoto(
        story=story,
        key=uuid.uuid4().hex,
        caption=_clean_texts(caption),
        original_language=story.original_language,
        credit=credit.strip(),
        shows_others=shows_others,
        others_consented=shows_others and others_consented,
        sizes=[
            {"name": variant.name, "width": variant.width, "height": variant.height}
            for variant in processed.variants
        ],
        format=processed.format,
        position=story.photos.count(),
    )
    photo.full_clean(exclude=["story"])
    folder = f"{StoryPhoto.MEDIA_PREFIX}/{photo.key}"
    written = _write([(photo.storage_name(v.name), v.data) for v in processed.variants], folder)
    try:
        with transaction.atomic(durable=True):
            photo.save()
            audit_log(
                action="stories.photo.added",
                actor=actor,
                target=story,
                data={"photo": photo.pk, "others_consented": photo.people_ok},
            )
    except BaseException:
        delete_files(written, folder=folder)
        raise
    return photo


def audio_add(
    *,
    actor: Any,
    story: Story,
    upload: Any,
    caption: Mapping[str, str],
    credit: str = "",
    transcript: Mapping[str, str] | None = None,
) -> StoryAudio:
    """Store a recording; raises ValidationError (nothing stored) for a bad file or field."""
    require(can_edit_story(actor, story))
    checked = check_audio(upload=upload)
    recording = StoryAudio(
        story=story,
        key=uuid.uuid4().hex,
        extension=checked.extension,
        size=len(checked.data),
        caption=_clean_texts(caption),
        credit=credit.strip(),
        transcript=_clean_texts(transcript or {}),
        original_language=story.original_language,
    )
    recording.full_clean(exclude=["story"])
    folder = f"{StoryAudio.MEDIA_PREFIX}/{recording.key}"
    written = _write([(recording.storage_name(), checked.data)], folder)
    try:
        with transaction.atomic(durable=True):
            recording.save()
            audit_log(
                action="stories.recording.added",
                actor=actor,
                target=story,
                data={"recording": recording.pk},
            )
    except BaseException:
        delete_files(written, folder=folder)
        raise
    return recording


def media_remove(*, actor: Any, item: StoryPhoto | StoryAudio) -> None:
    """Delete a photo or recording; its files go once the deletion is committed."""
    story = item.story
    require(can_edit_story(actor, story))
    if isinstance(item, StoryPhoto):
        names, kind = item.storage_names(), "photo"
    else:
        names, kind = [item.storage_name()], "recording"
    folder = f"{item.MEDIA_PREFIX}/{item.key}"
    with transaction.atomic():
        audit_log(action=f"stories.{kind}.removed", actor=actor, target=story, data={kind: item.pk})
        item.delete()
        transaction.on_commit(lambda: delete_files(names, folder=folder))


def delete_files(names: list[str], *, folder: str) -> None:
    for name in [*names, folder]:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete the media file %s", name, exc_info=True)
