"""Rendering report cells: a withheld figure says so in words, and never shows a number."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kopa.reporting.tables import WITHHELD, Cell, Money, cell_text

register = template.Library()


@register.filter
def report_cell(value: Cell) -> SafeString:
    if value is WITHHELD:
        return format_html('<span class="withheld">{}</span>', str(value))
    return format_html("{}", cell_text(value))


@register.filter
def cell_class(value: Cell) -> str:
    """Numbers and money align right, like in a spreadsheet."""
    return "num" if isinstance(value, (int, float, Money)) and not isinstance(value, bool) else ""


@register.filter
def is_total(index: int, table: object) -> bool:
    """Whether the row at this (0-based) index is one of the table's total rows."""
    rows = len(table.rows)  # type: ignore[attr-defined]
    return index >= rows - table.total_rows  # type: ignore[attr-defined]
