"""The coordinator's participant list as CSV and XLSX, headed in the coordinator's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kopa.core.countries import country_name, language_name
from kopa.programme.models import Activity, Registration

# A spreadsheet runs a cell that starts with one of these as a formula: CSV injection.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def registration_table(
    activity: Activity, registrations: Iterable[Registration]
) -> tuple[list[str], list[list[object]]]:
    questions = list(activity.questions.all())
    header = [
        _("Name"),
        _("Email address"),
        _("Organisation"),
        _("Country"),
        _("Group"),
        _("Languages"),
        _("Status"),
        _("Registered"),
        _("Attended"),
        *(question.label.text for question in questions),
    ]
    rows = []
    for registration in registrations:
        answers = []
        for question in questions:
            value = registration.answers.get(str(question.pk))
            if isinstance(value, bool):
                value = _("Yes") if value else _("No")
            elif isinstance(value, int):
                choices = question.choice_list()
                value = choices[value] if value < len(choices) else value
            answers.append("" if value is None else value)
        group = registration.participant_group
        rows.append(
            [
                registration.name,
                registration.email,
                registration.organisation_name,
                country_name(registration.country),
                group.name.text if group else _("Other"),
                ", ".join(language_name(code) for code in registration.languages),
                registration.get_status_display(),
                registration.created.strftime("%Y-%m-%d %H:%M"),
                registration.attended_at.strftime("%Y-%m-%d %H:%M")
                if registration.attended_at
                else "",
                *answers,
            ]
        )
    return header, rows


def as_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def as_xlsx(header: list[str], rows: list[list[object]], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "Registrations"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(cell) for cell in row])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
