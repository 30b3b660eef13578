"""What an uploaded material file really is, from its bytes, never from its name or the browser.

Accepted: PDF; Word, PowerPoint and Excel (OOXML); OpenDocument text, presentation and
spreadsheet; JPEG, PNG and WebP photos. Office files are ZIP archives, so the archive's own
table of contents decides which one it is (a ZIP of anything else is refused). Photos go through
`kopa.core.images` so no GPS position or camera data survives; they are stored as WebP.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kopa.core.images import process_upload

# The ZIP's member that identifies an OOXML document, and the type and extension it gives.
OOXML_MEMBERS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes


def max_material_bytes() -> int:
    return int(getattr(settings, "KOPA_MAX_MATERIAL_BYTES", 25 * 1024 * 1024))


def not_accepted() -> ValidationError:
    return ValidationError(
        _(
            "This file is not a PDF, an office document (Word, PowerPoint, Excel, "
            "OpenDocument) or a JPEG, PNG or WebP photo, whatever its name says."
        ),
        code="not_accepted",
    )


def check_upload(upload: Any) -> CheckedFile:
    """The file's bytes, type and a safe stored name; raises ValidationError otherwise."""
    limit = max_material_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    stem = _stem(getattr(upload, "name", "") or "material")
    if data.startswith(b"%PDF-"):
        return CheckedFile(name=f"{stem}.pdf", content_type="application/pdf", data=data)
    if data.startswith(b"PK\x03\x04"):
        content_type, extension = _office_type(data)
        return CheckedFile(name=f"{stem}.{extension}", content_type=content_type, data=data)
    if data.startswith(IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        upload.seek(0)
        processed = process_upload(upload=upload)
        widest = processed.variants[-1]
        return CheckedFile(
            name=f"{stem}.{processed.format}",
            content_type=processed.content_type,
            data=widest.data,
        )
    raise not_accepted()


def _office_type(data: bytes) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype in OPENDOCUMENT:
                    return mimetype, OPENDOCUMENT[mimetype]
            for member, found in OOXML_MEMBERS.items():
                if member in names and "[Content_Types].xml" in names:
                    return found
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        pass
    raise not_accepted()


def _stem(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    # ASCII, lower case, dashes: a name that is safe in a path and a header.
    stem = re.sub(r"-+", "-", slugify(stem)).strip("-")[:60]
    return stem or "material"


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)d MB."),
        code="too_large",
        params={"mb": limit // (1024 * 1024)},
    )
