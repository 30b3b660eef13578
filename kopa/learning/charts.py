"""Server-rendered bar charts (SVG, no JavaScript); the page puts a data table beside each.

Only the geometry is computed here; `learning/includes/bar_chart.svg.html` draws it. A withheld
figure draws no bar, so a chart can never show what the table withholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kopa.core.aggregates import Figure

ROW_HEIGHT = 28
LABEL_WIDTH = 150
BAR_WIDTH = 260
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: int
    series: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH + 4


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Figure]]], *, maximum: float | None = None
) -> Chart:
    """One group of bars per row (one bar per series, e.g. before and now)."""
    values = [f.value for _label, figures in rows for f in figures if f.value is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    bars = []
    y = 0
    for label, figures in rows:
        for series, fig in enumerate(figures):
            width = 0 if fig.value is None else round(BAR_WIDTH * float(fig.value) / top)
            bars.append(
                Bar(
                    label=label if series == 0 else "",
                    value_text="–" if fig.value is None else _number(fig.value),
                    y=y,
                    width=width,
                    series=series,
                )
            )
            y += ROW_HEIGHT
        y += 6 if len(figures) > 1 else 0
    return Chart(bars=bars, height=max(y, ROW_HEIGHT))


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
