"""Uploaded media, served only when the record that owns a file says anyone may see it.

WhiteNoise serves static files only, and `make run` runs with debug off, so `/media/…` is this
view, for every deployment. It never lists a folder and never maps a path straight to the disk:
a path must have the exact shape `<prefix>/<key>/<name>` (`photos/3f2a…9c/960.webp`), where the
prefix names a model, the key is a 32-character random hex folder and the name a stored size.

Any model can own media by having two things (core imports no domain; it finds them by asking
Django's app registry):

    MEDIA_PREFIX = "photos"                # the first folder of its files under MEDIA_ROOT

    @classmethod
    def public_media_file(cls, *, key: str, name: str) -> tuple[str, str] | None:
        # (storage name, content type) when anyone may see the file, else None

`kopa.programme.models.ActivityPhoto` is the first. Everything else is a 404: an unknown prefix,
a key or name of the wrong shape (so no `..`, no absolute path, no folder), a record that is not
public, a file that is not on disk. Coordinators see non-public photos through their own pages,
which check their role and are never cached.
"""

from __future__ import annotations

import re
from functools import cache

from django.apps import apps
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

# <prefix>/<32 hex characters>/<name>.<extension>
MEDIA_PATH = re.compile(
    r"(?P<prefix>[a-z][a-z0-9-]{0,39})"
    r"/(?P<key>[0-9a-f]{32})"
    r"/(?P<name>[a-z0-9-]{1,40}\.[a-z0-9]{2,5})"
)
# Types a browser shows without running anything; a file of any other type (an HTML or SVG page
# that slipped through, say) is sent as an opaque download instead, whatever its owner claims.
INLINE_TYPES = frozenset(
    {
        "image/webp",
        "image/jpeg",
        "image/png",
        "image/avif",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/webm",
        "audio/wav",
        "audio/x-wav",
        "audio/flac",
    }
)
# Even if a browser were tricked into rendering a file as a document, it could run nothing.
MEDIA_CSP = "default-src 'none'; sandbox"
# Public files never change under their address (a new upload gets a new key), so browsers and
# proxies may keep them; a removed photo is no longer linked and its address answers 404.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


@cache
def media_owners() -> dict[str, type]:
    """{prefix: model} of every installed model that owns media."""
    owners: dict[str, type] = {}
    for model in apps.get_models():
        prefix = getattr(model, "MEDIA_PREFIX", None)
        if prefix and callable(getattr(model, "public_media_file", None)):
            if prefix in owners:
                raise RuntimeError(f"two models own media under {prefix!r}")
            owners[prefix] = model
    return owners


@require_safe
def media_file(request: HttpRequest, path: str) -> FileResponse:
    match = MEDIA_PATH.fullmatch(path)
    if match is None:
        raise Http404
    owner = media_owners().get(match["prefix"])
    if owner is None:
        raise Http404
    found = owner.public_media_file(key=match["key"], name=match["name"])
    if found is None:
        raise Http404
    storage_name, content_type = found
    try:
        handle = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    if content_type in INLINE_TYPES:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = "inline"
    else:
        response = FileResponse(handle, content_type="application/octet-stream")
        response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response
