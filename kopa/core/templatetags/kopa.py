from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from kopa.core.i18n import Translations, text_paragraphs

register = template.Library()


@register.filter
def paragraphs(value: Any) -> SafeString:
    """Long translatable text as paragraphs, each marked with its language when it falls back."""
    if isinstance(value, Translations):
        return value.paragraphs()
    return text_paragraphs(str(value or ""))


@register.filter
def text(value: Any) -> str:
    """The plain text of a translatable value, for attributes and titles."""
    return value.text if isinstance(value, Translations) else str(value or "")
