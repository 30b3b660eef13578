"""A report as an XLSX workbook (one sheet per section) and as a PDF (WeasyPrint).

Both render a `ReportData`, live or from a frozen snapshot, so what they show is exactly what
the dashboard shows, withheld figures included.
"""

from __future__ import annotations

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kopa.core.aggregates import MIN_GROUP_SIZE, suppressed_label
from kopa.programme.documents import attachment_filename, css_counter_content, render_pdf
from kopa.reporting.charts import MAX_BARS, bar_chart, eu_emblem
from kopa.reporting.reports import emblem_text
from kopa.reporting.tables import WITHHELD, Cell, Money, ReportData, cell_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\ ."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _xlsx_value(value: Cell) -> object:
    if value is WITHHELD:
        return suppressed_label()
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, str):
        return safe_text(value)
    return value


BOLD = Font(bold=True)
MONEY_FORMAT = "#,##0.00"


def report_xlsx(data: ReportData) -> bytes:
    """A cover sheet, then one sheet per section. Rows are appended and counted here: openpyxl's
    `max_row` scans the sheet, and per-cell styles are set only where they say something."""
    with translation.override(data.language):
        workbook = Workbook()
        taken: set[str] = set()
        cover = workbook.active
        cover.title = sheet_title(_("Report"), taken)
        cover.append([safe_text(data.title)])
        cover["A1"].font = Font(bold=True, size=14)
        for label, value in data.facts:
            cover.append([safe_text(label), safe_text(value)])
        cover.append([])
        cover.append([safe_text(data.funding_statement)])
        cover.column_dimensions["A"].width = 28
        cover.column_dimensions["B"].width = 60
        for section in data.sections:
            sheet = workbook.create_sheet(sheet_title(section.title, taken))
            sheet.append([safe_text(section.title)])
            sheet["A1"].font = Font(bold=True, size=13)
            row_number = 1
            for note in section.notes:
                sheet.append([safe_text(note)])
                row_number += 1
            widths: dict[int, int] = {}
            for table in section.tables:
                sheet.append([])
                sheet.append([safe_text(table.caption)])
                sheet.cell(row=row_number + 2, column=1).font = BOLD
                sheet.append([safe_text(column) for column in table.columns])
                row_number += 3
                for column, title in enumerate(table.columns, start=1):
                    sheet.cell(row=row_number, column=column).font = BOLD
                    widths[column] = max(widths.get(column, 10), len(title))
                first_total = len(table.rows) - table.total_rows
                for index, row in enumerate(table.rows):
                    sheet.append([_xlsx_value(value) for value in row])
                    row_number += 1
                    for column, value in enumerate(row, start=1):
                        if isinstance(value, Money):
                            sheet.cell(row=row_number, column=column).number_format = MONEY_FORMAT
                        if index >= first_total:
                            sheet.cell(row=row_number, column=column).font = BOLD
                        widths[column] = max(widths[column], len(cell_text(value)))
            for column, width in widths.items():
                sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def report_pdf(data: ReportData) -> bytes:
    with translation.override(data.language):
        return render_pdf(
            "reporting/pdf/report.html",
            {
                "data": data,
                "charts": {
                    table.key: bar_chart(table.chart_items(), title=table.caption)
                    for section in data.sections
                    for table in section.tables
                    if 0 < len(table.chart_items()) <= MAX_BARS
                },
                "min_group_size": MIN_GROUP_SIZE,
                "emblem": eu_emblem(label=emblem_text()),
                "emblem_text": emblem_text(),
                "page_counter": css_counter_content(_("Page %(page)s of %(pages)s")),
            },
        )


def filename(data: ReportData, extension: str) -> str:
    stem = f"{data.code}-{data.period_start:%Y%m%d}-{data.period_end:%Y%m%d}-{data.language}"
    return attachment_filename(stem).removesuffix(".pdf") + "." + extension
