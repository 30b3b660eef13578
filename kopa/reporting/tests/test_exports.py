from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from kopa.reporting.charts import bar_chart
from kopa.reporting.exports import report_xlsx, sheet_title
from kopa.reporting.tables import WITHHELD, Money, ReportData, Section, Table


def data(rows):
    return ReportData(
        code="test",
        title="=cmd|'/c calc'!A1",
        language="en",
        project="P",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        generated_at=dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
        funding_statement="Funded by the European Union.",
        sections=[
            Section(key="s", title="Dissemination", tables=[Table("t", "T", ["a", "b"], rows)])
        ],
    )


def test_text_that_a_spreadsheet_would_run_is_kept_as_text():
    workbook = load_workbook(
        io.BytesIO(
            report_xlsx(
                data([['=HYPERLINK("http://x")', 3], ["@SUM(A1)", Money(Decimal("12.50"))]])
            )
        )
    )
    values = [cell for row in workbook["Dissemination"].iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://x")' in values and "'@SUM(A1)" in values
    assert workbook["Report"]["A1"].value.startswith("'=")
    assert 12.5 in values


def test_a_report_survives_its_json_round_trip_with_withheld_cells():
    original = data([["Finland", WITHHELD], ["Latvia", 7], ["Sum", Money(Decimal("1.10"), "EUR")]])
    again = ReportData.from_json(original.to_json())
    assert again.sections[0].tables[0].rows == original.sections[0].tables[0].rows
    assert again.sections[0].tables[0].rows[0][1] is WITHHELD
    assert "Finland" in str(original.to_json()) and "people" not in str(original.to_json())


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_title("Plan: what/why?", taken) == "Plan  what why"
    long = "A" * 40
    assert sheet_title(long, taken) == "A" * 31
    assert sheet_title(long, taken) == "A" * 27 + " (2)"


def test_a_chart_draws_a_withheld_bar_as_words_and_escapes_labels():
    svg = str(bar_chart([("<b>Latvia</b>", 7.0), ("Finland", None)], title="By country"))
    assert "&lt;b&gt;Latvia" in svg and "withheld" in svg and 'role="img"' in svg
    assert svg.count("<rect") == 1
