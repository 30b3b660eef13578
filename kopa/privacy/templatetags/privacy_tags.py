"""Showing a person's data readably, and the list of privacy notice versions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kopa.core.models import PrivacyNotice

register = template.Library()

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@register.filter
def personal_value(value: Any) -> SafeString:
    """A value from a person's data as HTML: nested records as description lists, lists as
    lists, dates in the page's language, yes/no for flags, a dash for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return format_html('<span class="muted">{}</span>', "—")
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if isinstance(value, dict):
        return format_html(
            '<dl class="facts">{}</dl>',
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((k, personal_value(v)) for k, v in value.items())
            ),
        )
    if isinstance(value, list):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((personal_value(v),) for v in value)),
        )
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_html(
                "{}", date_format(dt.datetime.fromisoformat(value), "DATETIME_FORMAT")
            )
        except ValueError:
            pass
    return format_html("{}", value)


@register.inclusion_tag("privacy/includes/notice_versions.html")
def notice_versions(current: PrivacyNotice | None) -> dict[str, Any]:
    """The earlier versions of the privacy notice, each with its own page."""
    earlier = PrivacyNotice.objects.order_by("-version")
    if current is not None:
        earlier = earlier.exclude(pk=current.pk)
    return {"earlier": list(earlier.only("version", "published_at"))}
