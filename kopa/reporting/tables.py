"""What a report is made of: sections of tables of cells, independent of how it is shown.

A report is built once per language (texts are translated while building) into `ReportData`,
which the dashboard, the XLSX workbook and the PDF all render. `ReportData` turns into JSON and
back without loss, which is what a frozen report stores.

A cell is text, a number, an amount of money, empty, or WITHHELD: a figure about fewer than
MIN_GROUP_SIZE people (kopa.core.aggregates). A withheld cell keeps neither the value nor the
number of people it was about, so nothing downstream (page, export, snapshot) can reveal it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kopa.core.aggregates import Figure, suppressed_label


class _Withheld:
    """The one marker for a suppressed figure."""

    def __repr__(self) -> str:
        return "WITHHELD"

    def __str__(self) -> str:
        return suppressed_label()


WITHHELD = _Withheld()


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}".replace(",", "\u202f")


Cell = str | int | float | Money | _Withheld | None


def cell(value: Any) -> Cell:
    """A report cell from a value; a Figure becomes its value or WITHHELD."""
    if isinstance(value, Figure):
        return WITHHELD if value.suppressed else value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # A bar chart of one numeric column against the first (label) column, when it helps.
    chart_column: int | None = None
    # Rows that sum up the others (shown in bold, left out of the chart).
    total_rows: int = 0

    def chart_items(self) -> list[tuple[str, float | None]]:
        """(label, value) for the chart; None for a withheld value."""
        if self.chart_column is None:
            return []
        rows = self.rows[: len(self.rows) - self.total_rows] if self.total_rows else self.rows
        items = []
        for row in rows:
            value = row[self.chart_column]
            if value is WITHHELD:
                items.append((cell_text(row[0]), None))
            elif isinstance(value, (int, float)):
                items.append((cell_text(row[0]), float(value)))
            elif isinstance(value, Money):
                items.append((cell_text(row[0]), float(value.amount)))
        return items


@dataclass
class Section:
    key: str
    title: str
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class ReportData:
    code: str
    title: str
    language: str
    project: str
    period_start: dt.date
    period_end: dt.date
    generated_at: dt.datetime
    funding_statement: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    # JSON, for frozen reports ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "language": self.language,
            "project": self.project,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "funding_statement": self.funding_statement,
            "facts": [list(fact) for fact in self.facts],
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "notes": section.notes,
                    "tables": [
                        {
                            "key": table.key,
                            "caption": table.caption,
                            "columns": table.columns,
                            "rows": [[_cell_json(value) for value in row] for row in table.rows],
                            "chart_column": table.chart_column,
                            "total_rows": table.total_rows,
                        }
                        for table in section.tables
                    ],
                }
                for section in self.sections
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportData:
        return cls(
            code=data["code"],
            title=data["title"],
            language=data["language"],
            project=data["project"],
            period_start=dt.date.fromisoformat(data["period_start"]),
            period_end=dt.date.fromisoformat(data["period_end"]),
            generated_at=dt.datetime.fromisoformat(data["generated_at"]),
            funding_statement=data["funding_statement"],
            facts=[(label, value) for label, value in data["facts"]],
            sections=[
                Section(
                    key=section["key"],
                    title=section["title"],
                    notes=list(section["notes"]),
                    tables=[
                        Table(
                            key=table["key"],
                            caption=table["caption"],
                            columns=list(table["columns"]),
                            rows=[
                                [_cell_from_json(value) for value in row] for row in table["rows"]
                            ],
                            chart_column=table["chart_column"],
                            total_rows=table["total_rows"],
                        )
                        for table in section["tables"]
                    ],
                )
                for section in data["sections"]
            ],
        )


def _cell_json(value: Cell) -> Any:
    if value is WITHHELD:
        return {"withheld": True}
    if isinstance(value, Money):
        return {"money": str(value.amount), "currency": value.currency}
    return value


def _cell_from_json(value: Any) -> Cell:
    if isinstance(value, dict):
        if value.get("withheld"):
            return WITHHELD
        return Money(Decimal(value["money"]), value["currency"])
    return value
