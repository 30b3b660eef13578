"""Bar charts as SVG drawn on the server: no JavaScript, no inline style (the page's CSP forbids
it; SVG presentation attributes are not styles), readable with the data table printed beside each
chart. The chart is an image with a title for screen readers; the table is what they read.

Also the European Union emblem (twelve gold stars on blue) for the PDF's funding statement,
drawn from its geometric description rather than shipped as a file.
"""

from __future__ import annotations

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Beyond this many bars a chart is unreadable (and slow to lay out in a PDF): the table alone
# says it better.
MAX_BARS = 30
BAR = 22
GAP = 8
LABEL_WIDTH = 210
CHART_WIDTH = 520
# Colours: bars on white meet the 3:1 contrast of graphical objects (WCAG 1.4.11).
BAR_COLOUR = "#1f4e8c"
TEXT_COLOUR = "#1d2433"
MUTED_COLOUR = "#4a5568"


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def bar_chart(items: list[tuple[str, float | None]], *, title: str) -> SafeString:
    """Horizontal bars, one per (label, value); a None value is drawn as “withheld”. Nothing
    for no items or more than MAX_BARS."""
    if not items or len(items) > MAX_BARS:
        return mark_safe("")  # noqa: S308 - nothing to draw
    withheld = _("withheld")
    largest = max((value for _label, value in items if value is not None), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60
    height = len(items) * (BAR + GAP) + GAP
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} '
        f'{height}" width="{CHART_WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" focusable="false">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR + GAP)
        text_y = y + BAR * 0.7
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y:.1f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(_short(label))}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{LABEL_WIDTH}" y="{text_y:.1f}" font-size="12" '
                f'fill="{MUTED_COLOUR}">{escape(withheld)}</text>'
            )
            continue
        width = max(room * value / largest, 1 if value else 0)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{text_y:.1f}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(_number(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _star(cx: float, cy: float, radius: float) -> str:
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        r = radius if index % 2 == 0 else radius * 0.382
        points.append(f"{cx + r * math.cos(angle):.2f},{cy + r * math.sin(angle):.2f}")
    return " ".join(points)


def eu_emblem(*, label: str) -> SafeString:
    """The EU flag: a 3:2 blue rectangle, twelve five-pointed gold stars in a circle whose
    radius is a third of the height, each star's radius a ninth of it."""
    width, height = 60, 40
    circle, star = height / 3, height / 18
    stars = "".join(
        f'<polygon fill="#FFCC00" points="'
        f'{_star(width / 2 + circle * math.sin(k * math.pi / 6), height / 2 - circle * math.cos(k * math.pi / 6), star)}"/>'  # noqa: E501
        for k in range(12)
    )
    return mark_safe(  # noqa: S308 - the label is escaped, the rest is numbers
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<rect width="{width}" height="{height}" fill="#003399"/>{stars}</svg>'
    )
