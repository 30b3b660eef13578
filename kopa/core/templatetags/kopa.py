from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from kopa.core.i18n import TranslatedText, text_paragraphs

register = template.Library()


@register.filter
def paragraphs(value: Any) -> SafeString:
    """Long translatable text as paragraphs, each marked with its language when it falls back."""
    if isinstance(value, TranslatedText):
        return value.paragraphs()
    return text_paragraphs(str(value or ""))
