"""Results as a table for CSV and XLSX: the same withheld figures as the page, no free text.

Free-text answers stay on the coordinators' page: a file travels further than a screen.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kopa.core.aggregates import Figure
from kopa.learning.selectors import Results


def _cell(value: Figure | None) -> object:
    if value is None:
        return ""
    return str(value) if value.suppressed else value.value


def results_table(found: Results) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Question"),
        _("Answer"),
        _("Before the programme"),
        _("Now or answer count"),
        _("People who answered"),
    ]
    rows: list[list[object]] = []
    for result in found.questions:
        text = result.question.text.text
        if not result.buckets:
            rows.append([text, _("Free text"), "", "", result.respondents])
            continue
        befores = result.before_buckets or [None] * len(result.buckets)
        for bucket, before in zip(result.buckets, befores, strict=True):
            rows.append(
                [
                    text,
                    bucket.label,
                    _cell(before.count) if before else "",
                    _cell(bucket.count),
                    result.respondents,
                ]
            )
        if result.median is not None:
            rows.append([text, _("Median"), _cell(result.median_before), _cell(result.median), ""])
    for domain in found.domains:
        rows.append(
            [
                domain.label,
                _("Median"),
                _cell(domain.median_before),
                _cell(domain.median_now),
                domain.respondents,
            ]
        )
        rows.append([domain.label, _("Improved (%)"), "", _cell(domain.share_improved), ""])
    for change in found.linked_changes:
        # The change in the "now" column, the linked people in the last.
        rows.append(
            [
                change.label,
                _("Median change from the pre-test to the follow-up"),
                "",
                _cell(change.median_change),
                change.people,
            ]
        )
        rows.append(
            [
                change.label,
                _("Improved from the pre-test to the follow-up (%)"),
                "",
                _cell(change.share_improved),
                "",
            ]
        )
    return header, rows
