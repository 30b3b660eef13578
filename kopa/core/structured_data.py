"""schema.org data for public pages, embedded as JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """The JSON for a <script type="application/ld+json"> block: user text cannot close it."""
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - every <, > and & is escaped above
