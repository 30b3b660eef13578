"""Photos of an activity: evidence that it was held, shown publicly only with consent.

The files and the row must never disagree. `photo_add` checks the permission, decodes and cleans
the upload (kopa.core.images) and validates the row before anything is written; then it writes the
files, then the row and its audit entry in one transaction that must be the outermost one. If
anything fails after the first file is written, every file written is deleted again: no row
without files, no files without a row. `photo_remove` deletes the row in a transaction and the
files only after it commits, so a rolled-back removal keeps its files.
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
from django.utils.translation import get_language

from kopa.accounts.permissions import require
from kopa.core.audit import audit_log
from kopa.core.images import process_upload
from kopa.programme.models import Activity, ActivityPhoto
from kopa.programme.services import can_manage_activity

logger = logging.getLogger(__name__)


def _original_language(activity: Activity, caption: Mapping[str, str]) -> str:
    language = (get_language() or "").split("-")[0]
    for code in (activity.original_language, language):
        if caption.get(code):
            return code
    return next((code for code, text in caption.items() if text), activity.original_language)


def photo_add(
    *,
    actor: Any,
    activity: Activity,
    upload: Any,
    caption: Mapping[str, str],
    credit: str = "",
    people_consented: bool,
) -> ActivityPhoto:
    """Store a photo of the activity; raises ValidationError (nothing stored) when the file or a
    field is not acceptable."""
    require(can_manage_activity(actor, activity))
    processed = process_upload(upload=upload)
    caption = {code: text.strip() for code, text in caption.items() if text and text.strip()}
    photo = ActivityPhoto(
        activity=activity,
        key=uuid.uuid4().hex,
        caption=caption,
        original_language=_original_language(activity, caption),
        credit=credit.strip(),
        people_consented=people_consented,
        sizes=[
            {"name": variant.name, "width": variant.width, "height": variant.height}
            for variant in processed.variants
        ],
        format=processed.format,
        uploaded_by=actor,
    )
    photo.full_clean(exclude=["activity", "uploaded_by"])
    written: list[str] = []
    try:
        for variant in processed.variants:
            name = photo.storage_name(variant.name)
            saved = default_storage.save(name, ContentFile(variant.data))
            written.append(saved)
            if saved != name:  # the storage renamed it: the key was not new after all
                raise ValidationError("photo storage name already taken", code="name_taken")
        # Outermost: once it commits, row and files agree; if it fails, the files go below.
        with transaction.atomic(durable=True):
            photo.save()
            audit_log(
                action="programme.photo.added",
                actor=actor,
                target=photo,
                data={"activity": activity.pk, "public": people_consented},
            )
    except BaseException:
        _delete_files(written, folder=f"{ActivityPhoto.MEDIA_PREFIX}/{photo.key}")
        raise
    return photo


def photo_remove(*, actor: Any, photo: ActivityPhoto) -> None:
    """Delete the photo; its files go once the deletion is committed."""
    require(can_manage_activity(actor, photo.activity))
    names = photo.storage_names()
    folder = f"{ActivityPhoto.MEDIA_PREFIX}/{photo.key}"
    with transaction.atomic():
        audit_log(
            action="programme.photo.removed",
            actor=actor,
            target=photo.activity,
            data={"photo": photo.pk, "public": photo.people_consented},
        )
        photo.delete()
        transaction.on_commit(lambda: _delete_files(names, folder=folder))


def _delete_files(names: list[str], *, folder: str) -> None:
    for name in [*names, folder]:
        try:
            # FileSystemStorage removes an empty folder the same way as a file.
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete the media file %s", name, exc_info=True)
