from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url

from kopa.core.i18n import current_language, language_choices


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's name and the language switcher: every language, on the same page."""
    current = current_language()
    path = request.get_full_path()
    switcher = []
    for code, name in language_choices():
        url = translate_url(path, code)
        if url == path and code != current:
            # The page has no address in that language (a 404, say): offer that language's home.
            url = f"/{code}/"
        switcher.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"site_name": settings.KOPA_SITE_NAME, "language_switcher": switcher}
