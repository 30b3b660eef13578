"""Checks an uploaded recording from its bytes: MP3, Ogg or M4A, whole, and not too large.

The browser's name and Content-Type are never trusted. The container's own structure is
checked (an MP3's first frames, an Ogg page header, the boxes of an MP4 file), so a script named
`.mp3` or a file cut off mid-way is refused with a clear message and nothing is stored.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_AUDIO_BYTES = 50 * 1024 * 1024

NOT_AUDIO = _(
    "This file is not an MP3, Ogg or M4A recording. Choose a recording in one of these formats."
)
DAMAGED = _("This recording cannot be read: the file is incomplete or damaged.")
EMPTY = _("The file is empty. Choose a recording.")
TOO_LARGE = _("The file is %(size)s; recordings can be at most %(limit)s. Choose a smaller file.")

# MPEG-1 Layer III bitrates (kbit/s) and sample rates; MPEG-2/2.5 halve the rates.
_MP3_BITRATES = {
    3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0],  # MPEG-1
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0],  # MPEG-2
    0: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0],  # MPEG-2.5
}
_MP3_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash"}


@dataclass(frozen=True)
class CheckedAudio:
    extension: str  # mp3, ogg or m4a
    data: bytes


def max_audio_bytes() -> int:
    return int(getattr(settings, "KOPA_MAX_AUDIO_BYTES", DEFAULT_MAX_AUDIO_BYTES))


def _mp3_frame_length(header: bytes) -> int | None:
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03
    layer = (header[1] >> 1) & 0x03
    if version == 1 or layer != 1:  # reserved version; only Layer III
        return None
    bitrate = _MP3_BITRATES[version][header[2] >> 4]
    rate_index = (header[2] >> 2) & 0x03
    if not bitrate or rate_index == 3:
        return None
    rate = _MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 0x01
    factor = 144 if version == 3 else 72
    return factor * bitrate * 1000 // rate + padding


def _check_mp3(data: bytes) -> bool:
    start = 0
    if data[:3] == b"ID3":
        if len(data) < 10:
            return False
        size = 0
        for byte in data[6:10]:
            if byte & 0x80:
                return False
            size = (size << 7) | byte
        start = 10 + size
    # Two consecutive valid frames: a random file rarely has them, a cut-off one cannot.
    first = _mp3_frame_length(data[start : start + 4])
    if not first:
        return False
    second = _mp3_frame_length(data[start + first : start + first + 4])
    return bool(second) and start + first + second <= len(data)


def _check_ogg(data: bytes) -> bool:
    position, pages = 0, 0
    while position < len(data):
        header = data[position : position + 27]
        if len(header) < 27 or header[:4] != b"OggS" or header[4] != 0:
            return False
        segments = header[26]
        table = data[position + 27 : position + 27 + segments]
        if len(table) < segments:
            return False
        position += 27 + segments + sum(table)
        pages += 1
    return position == len(data) and pages >= 2


def _check_m4a(data: bytes) -> bool:
    if data[4:8] != b"ftyp" or data[8:12] not in _M4A_BRANDS:
        return False
    position, boxes = 0, set()
    while position < len(data):
        if position + 8 > len(data):
            return False
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if size == 1:
            if position + 16 > len(data):
                return False
            size = struct.unpack(">Q", data[position + 8 : position + 16])[0]
        elif size == 0:
            size = len(data) - position
        if size < 8 or position + size > len(data):
            return False
        boxes.add(kind)
        position += size
    return b"moov" in boxes and b"mdat" in boxes


def _kind(data: bytes) -> str | None:
    if data[:4] == b"OggS":
        return "ogg"
    if data[4:8] == b"ftyp":
        return "m4a"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


CHECKS = {"mp3": _check_mp3, "ogg": _check_ogg, "m4a": _check_m4a}


def check_audio(*, upload: Any) -> CheckedAudio:
    """The recording's bytes and kind; raises ValidationError with a translated message."""
    limit = max_audio_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if not data:
        raise ValidationError(EMPTY, code="empty")
    if len(data) > limit:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(limit)},
        )
    kind = _kind(data)
    if kind is None:
        raise ValidationError(NOT_AUDIO, code="not_audio")
    if not CHECKS[kind](data):
        raise ValidationError(DAMAGED, code="damaged")
    return CheckedAudio(extension=kind, data=data)


# Consent forms: a scan or a photo of the signed paper, or a PDF.
FORM_MAX_BYTES = 10 * 1024 * 1024
FORM_KINDS = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)
NOT_A_FORM = _("The signed form must be a PDF, JPEG or PNG file of at most 10 MB.")


def check_form_file(*, upload: Any) -> tuple[bytes, str, str]:
    """(bytes, extension, content type) of a signed consent form; raises ValidationError."""
    upload.seek(0)
    data = upload.read(FORM_MAX_BYTES + 1)
    if not data or len(data) > FORM_MAX_BYTES:
        raise ValidationError(NOT_A_FORM, code="invalid_form")
    for magic, extension, content_type in FORM_KINDS:
        if data.startswith(magic):
            return data, extension, content_type
    raise ValidationError(NOT_A_FORM, code="invalid_form")
