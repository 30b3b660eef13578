"""Funders' reports as registered classes.

A report is a subclass of `Report` with a `code`, a `title`, `applies_to(grant)` and
`sections(context)`, decorated with `@register`. The dashboard offers every registered report that
applies to the project's grant; adding another funder's report is one more class in one more
module (imported from `kopa.reporting.apps`), without touching the others (docs/reporting.md).

Sections are built from the domains' data at the moment of asking, in the active language, and
every count of people goes through kopa.core.aggregates (withheld under MIN_GROUP_SIZE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopa.core.aggregates import figure
from kopa.core.countries import country_name, language_name
from kopa.programme.models import Activity, FewerOpportunities, TargetGroup
from kopa.reporting import selectors
from kopa.reporting.models import Grant
from kopa.reporting.tables import Money, ReportData, Section, Table, cell


class NoData(Exception):
    """Nothing happened in the requested period: no activity and no dissemination."""


@dataclass
class ReportContext:
    grant: Grant
    start: dt.date
    end: dt.date
    today: dt.date
    activities: list[Activity] = field(default_factory=list)

    @property
    def project(self) -> Any:
        return self.grant.project

    @property
    def activity_ids(self) -> list[int]:
        return [activity.pk for activity in self.activities]

    def money(self, amount: Decimal | None) -> Money:
        return Money(amount or Decimal("0"), self.grant.currency)


class Report:
    """One funder's report. Subclasses set `code` and `title` and build `sections`."""

    code: ClassVar[str]
    title: ClassVar[Any]

    @classmethod
    def applies_to(cls, grant: Grant) -> bool:
        return True

    def sections(self, context: ReportContext) -> list[Section]:
        raise NotImplementedError

    def facts(self, context: ReportContext) -> list[tuple[str, str]]:
        grant = context.grant
        return [
            (_("Project"), str(grant.project.name)),
            (_("Programme"), " ".join(part for part in (grant.programme, grant.action) if part)),
            (_("Call year"), str(grant.call_year or "")),
            (_("Grant agreement number"), grant.agreement_number),
            (_("National agency"), grant.national_agency),
            (
                _("Grant period"),
                f"{date_format(grant.start_date)} – {date_format(grant.end_date)}",
            ),
            (_("Reported period"), f"{date_format(context.start)} – {date_format(context.end)}"),
        ]

    def build(
        self,
        *,
        grant: Grant,
        start: dt.date,
        end: dt.date,
        language: str,
        now: dt.datetime | None = None,
    ) -> ReportData:
        """The report in one language; raises NoData for a period in which nothing happened."""
        now = now or timezone.now()
        with translation.override(language):
            context = ReportContext(
                grant=grant,
                start=start,
                end=end,
                today=timezone.localdate(now),
                activities=selectors.activities_in_period(
                    project=grant.project, start=start, end=end
                ),
            )
            if (
                not context.activities
                and not selectors.dissemination(grant=grant, start=start, end=end).exists()
            ):
                raise NoData
            return ReportData(
                code=self.code,
                title=str(self.title),
                language=language,
                project=str(grant.project.name),
                period_start=start,
                period_end=end,
                generated_at=now,
                funding_statement=funding_statement(grant),
                facts=[(label, value) for label, value in self.facts(context) if value],
                sections=self.sections(context),
            )


REGISTRY: dict[str, type[Report]] = {}
ReportT = TypeVar("ReportT", bound=type[Report])


def register(report: ReportT) -> ReportT:
    if report.code in REGISTRY and REGISTRY[report.code] is not report:
        raise ValueError(f"two reports are registered as {report.code!r}")
    REGISTRY[report.code] = report
    return report


def reports_for(grant: Grant) -> list[type[Report]]:
    return [report for report in REGISTRY.values() if report.applies_to(grant)]


def report_for(grant: Grant, code: str) -> Report | None:
    report = REGISTRY.get(code)
    return report() if report is not None and report.applies_to(grant) else None


def funding_statement(grant: Grant) -> str:
    """The EU funding statement and disclaimer, in the active language."""
    authority = grant.national_agency or _("the granting authority")
    return _(
        "Funded by the European Union. Views and opinions expressed are however those of the "
        "author(s) only and do not necessarily reflect those of the European Union or "
        "%(authority)s. Neither the European Union nor the granting authority can be held "
        "responsible for them."
    ) % {"authority": authority}


def emblem_text() -> str:
    """The words beside the EU emblem."""
    return _("Funded by the European Union")


# The Erasmus+ small-scale partnership (KA210) final report -------------------------------------


OUTCOME_LABELS: dict[str, Callable[[], str]] = {
    "held": lambda: _("Held"),
    "changed": lambda: _("Held with changes"),
    "not_held": lambda: _("Not held"),
    "to_come": lambda: _("Still to come"),
}


def outcome(activity: Activity, *, today: dt.date) -> str:
    """held, changed (held, but not as planned), not_held, or to_come."""
    note = getattr(activity, "note", None)
    if activity.status == Activity.Status.HELD:
        start = activity.local_start()
        outside = start is not None and not (
            activity.planned_start <= start.date() <= activity.planned_end
        )
        return "changed" if outside or (note is not None and note.changed) else "held"
    if activity.status == Activity.Status.CANCELLED or activity.planned_end < today:
        return "not_held"
    return "to_come"


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


@register
class ErasmusKA210FinalReport(Report):
    code = "erasmus-ka210-final"
    title = gettext_lazy("Erasmus+ small-scale partnership (KA210): final report")

    @classmethod
    def applies_to(cls, grant: Grant) -> bool:
        return grant.programme.lower().startswith("erasmus") and grant.action.upper().startswith(
            "KA210"
        )

    def sections(self, context: ReportContext) -> list[Section]:
        return [
            self.plan(context),
            self.participants(context),
            self.results(context),
            self.dissemination(context),
            self.budget(context),
        ]

    # Activity plan against reality ------------------------------------------------------------

    def plan(self, context: ReportContext) -> Section:
        from kopa.learning.models import Material

        materials = dict(
            Material.objects.filter(activity__in=context.activity_ids)
            .values("activity")
            .annotate(n=Count("id"))
            .values_list("activity", "n")
        )
        shares = _allocations_by_activity(context.grant)
        table = Table(
            key="plan",
            caption=_("Planned activities and what happened"),
            columns=[
                _("Activity"),
                _("Kind"),
                _("Planned"),
                _("Held on"),
                _("Status"),
                _("Justification"),
                _("Venue"),
                _("Organisers"),
                _("Allocated share (%(currency)s)") % {"currency": context.grant.currency},
                _("Agenda"),
                _("Attendance"),
                _("Photos"),
                _("Materials"),
            ],
        )
        counts: dict[str, int] = dict.fromkeys(OUTCOME_LABELS, 0)
        for activity in context.activities:
            state = outcome(activity, today=context.today)
            counts[state] += 1
            start = activity.local_start()
            note = activity.note
            venue = ", ".join(part for part in (str(activity.venue), activity.country_name) if part)
            table.rows.append(
                [
                    str(activity.title),
                    str(activity.kind.name),
                    _planned(activity),
                    date_format(start.date()) if start else "",
                    OUTCOME_LABELS[state](),
                    note.justification if note is not None else "",
                    venue,
                    ", ".join(str(organiser.name) for organiser in activity.organisers.all()),
                    context.money(shares.get(activity.pk)),
                    _yes(bool(str(activity.agenda).strip())),
                    cell(figure(activity.attended_count, people=activity.attended_count)),
                    activity.photo_count,
                    materials.get(activity.pk, 0),
                ]
            )
        summary = Table(
            key="plan-summary",
            caption=_("Activities by status"),
            columns=[_("Status"), _("Activities")],
            rows=[[OUTCOME_LABELS[key](), counts[key]] for key in OUTCOME_LABELS],
            chart_column=1,
        )
        return Section(
            key="plan",
            title=_("Activity plan and reality"),
            notes=[
                _(
                    "Attendance counts people whose attendance was recorded at check-in. "
                    "“Held with changes” means held on a date outside the plan, or marked as "
                    "changed by a coordinator with the justification shown."
                )
            ],
            tables=[summary, table],
        )

    # Participants, without names ----------------------------------------------------------------

    def participants(self, context: ReportContext) -> Section:
        ids = context.activity_ids
        groups = {group.pk: group for group in TargetGroup.objects.all()}
        by_group = selectors.participants_by_group(activity_ids=ids)
        by_country = selectors.participants_by_country(activity_ids=ids)
        first, returning = selectors.first_time_and_returning(
            project=context.project, activity_ids=ids, end=context.end
        )
        total_label = _("Total")
        group_rows = [
            [str(groups[key].name) if key in groups else _("Other"), cell(fig)]
            for key, fig in by_group.rows
        ]
        country_rows = [[country_name(key), cell(fig)] for key, fig in by_country.rows]
        fewer = selectors.participants_fewer_opportunities(activity_ids=ids)
        categories = dict(FewerOpportunities.Category.choices)
        fewer_rows = [[str(categories[code]), cell(fig)] for code, fig in fewer.rows]
        activity_rows = [
            [
                str(activity.title),
                cell(figure(activity.attended_count, people=activity.attended_count)),
            ]
            for activity in context.activities
            if activity.attended_count
        ]
        return Section(
            key="participants",
            title=_("Participants"),
            notes=[
                _(
                    "Attendances as recorded at check-in; no names. A person who came to two "
                    "activities counts in both."
                ),
                _(
                    "Participants facing fewer opportunities: as declared by the participants "
                    "themselves when registering, only by those who agreed to its recording. "
                    "One person may name several categories, so the categories do not add up "
                    "to the total."
                ),
            ],
            tables=[
                Table(
                    key="by-group",
                    caption=_("Attendances by target group"),
                    columns=[_("Target group"), _("Attendances")],
                    rows=[*group_rows, [total_label, cell(by_group.total)]],
                    chart_column=1,
                    total_rows=1,
                ),
                Table(
                    key="by-country",
                    caption=_("Attendances by country"),
                    columns=[_("Country"), _("Attendances")],
                    rows=[*country_rows, [total_label, cell(by_country.total)]],
                    chart_column=1,
                    total_rows=1,
                ),
                Table(
                    key="by-activity",
                    caption=_("Attendances by activity"),
                    columns=[_("Activity"), _("Attendances")],
                    rows=activity_rows,
                    chart_column=1,
                ),
                Table(
                    key="fewer-opportunities",
                    caption=_("Attendances of participants facing fewer opportunities"),
                    columns=[_("Category"), _("Attendances")],
                    rows=[
                        *fewer_rows,
                        [_("At least one category"), cell(fewer.total)],
                    ],
                    chart_column=1,
                    total_rows=1,
                ),
                Table(
                    key="returning",
                    caption=_("People who attended: first time and returning"),
                    columns=[_("People"), _("Count")],
                    rows=[
                        [_("Their only activity of the project so far"), cell(first)],
                        [_("Came to more than one activity"), cell(returning)],
                    ],
                    chart_column=1,
                ),
            ],
        )

    # Results ------------------------------------------------------------------------------------

    def results(self, context: ReportContext) -> Section:
        from kopa.learning.models import Material
        from kopa.learning.selectors import (
            competence_summary,
            materials_summary,
            response_count,
        )
        from kopa.stories.selectors import published_counts

        project = context.project
        kinds = dict(Material.Kind.choices)
        materials = materials_summary(project=project)
        stories = published_counts(project=project)
        domains = competence_summary(project=project)
        responses = response_count(project=project)
        circle = selectors.support_circle_size()

        return Section(
            key="results",
            title=_("Results"),
            notes=[
                _(
                    "Competence change comes from the participants' retrospective self-assessment "
                    "(“before the programme” and “now”, 1 to 5): medians of each person's mean "
                    "in the domain, and the share of people whose “now” is higher."
                )
            ],
            tables=[
                Table(
                    key="materials",
                    caption=_("Learning materials produced"),
                    columns=[_("Kind"), _("Materials")],
                    rows=[
                        *[[str(kinds.get(code, code)), n] for code, n in materials.items()],
                        [_("Total"), sum(materials.values())],
                    ],
                    chart_column=1,
                    total_rows=1,
                ),
                Table(
                    key="stories",
                    caption=_("Stories and recipes published, by language"),
                    columns=[_("Language"), _("Published")],
                    rows=[
                        [language_name(code), n]
                        for code, n in sorted(stories.items(), key=lambda item: -item[1])
                    ],
                    chart_column=1,
                ),
                Table(
                    key="competence",
                    caption=_("Competence change by domain"),
                    columns=[
                        _("Domain"),
                        _("Respondents"),
                        _("Median before"),
                        _("Median now"),
                        _("Improved (%)"),
                    ],
                    rows=[
                        [
                            summary.label,
                            cell(figure(summary.respondents, people=summary.respondents)),
                            cell(summary.median_before),
                            cell(summary.median_now),
                            cell(summary.share_improved),
                        ]
                        for summary in domains
                    ],
                    chart_column=4,
                ),
                Table(
                    key="circle",
                    caption=_("The support circle"),
                    columns=[_("Measure"), _("Count")],
                    rows=[
                        [_("Questionnaire responses"), cell(figure(responses, people=responses))],
                        [_("Members of the support circle"), cell(circle["members"])],
                        [_("Organisations in the circle"), circle["organisations"]],
                        [_("Services in the directory"), circle["services"]],
                    ],
                ),
                Table(
                    key="services-by-country",
                    caption=_("Directory services by country"),
                    columns=[_("Country"), _("Services")],
                    rows=[[country_name(code), n] for code, n in circle["services_by_country"]],
                    chart_column=1,
                ),
            ],
        )

    # Dissemination ------------------------------------------------------------------------------

    def dissemination(self, context: ReportContext) -> Section:
        from kopa.reporting.models import DisseminationEntry

        entries = list(
            selectors.dissemination(grant=context.grant, start=context.start, end=context.end)
        )
        kinds = dict(DisseminationEntry.Kind.choices)
        summary = []
        for code, label in DisseminationEntry.Kind.choices:
            of_kind = [entry for entry in entries if entry.kind == code]
            summary.append(
                [
                    str(label),
                    len(of_kind),
                    sum(entry.reach or 0 for entry in of_kind),
                    sum(entry.eu_visibility for entry in of_kind),
                ]
            )
        return Section(
            key="dissemination",
            title=_("Dissemination"),
            tables=[
                Table(
                    key="dissemination-summary",
                    caption=_("Dissemination by kind"),
                    columns=[_("Kind"), _("Entries"), _("Reach"), _("With EU visibility")],
                    rows=summary,
                    chart_column=2,
                ),
                Table(
                    key="dissemination-log",
                    caption=_("Dissemination log"),
                    columns=[
                        _("Date"),
                        _("Kind"),
                        _("Title"),
                        _("Link"),
                        _("Reach"),
                        _("EU visibility rules applied"),
                    ],
                    rows=[
                        [
                            entry.date.isoformat(),
                            str(kinds[entry.kind]),
                            entry.title,
                            entry.link,
                            entry.reach,
                            _yes(entry.eu_visibility),
                        ]
                        for entry in entries
                    ],
                ),
            ],
        )

    # Budget -------------------------------------------------------------------------------------

    def budget(self, context: ReportContext) -> Section:
        grant = context.grant
        allocations = list(selectors.allocations(grant=grant))
        allocated = sum((a.amount for a in allocations), Decimal("0"))
        by_partner: dict[Any, Decimal] = {}
        for allocation in allocations:
            by_partner[allocation.partner] = (
                by_partner.get(allocation.partner, 0) + allocation.amount
            )
        money = context.money
        no_activity = _("Partner's general costs")
        return Section(
            key="budget",
            title=_("Budget"),
            notes=[
                _(
                    "A lump-sum grant is paid for the work done, not against invoices: these are "
                    "the partners' shares of the lump sum as agreed among them."
                )
            ],
            tables=[
                Table(
                    key="funding",
                    caption=_("Funding"),
                    columns=[_("Source"), _("Amount")],
                    rows=[
                        [_("Lump sum"), money(grant.lump_sum)],
                        [_("External co-financing"), money(grant.external_cofinancing)],
                        [_("Municipal contribution"), money(grant.municipal_contribution)],
                        [_("Allocated of the lump sum"), money(allocated)],
                        [_("Not yet allocated"), money(grant.lump_sum - allocated)],
                    ],
                ),
                Table(
                    key="by-partner",
                    caption=_("Lump sum by partner"),
                    columns=[_("Partner"), _("Amount")],
                    rows=[
                        *[
                            [str(partner.name), money(amount)]
                            for partner, amount in sorted(
                                by_partner.items(), key=lambda item: item[0].slug
                            )
                        ],
                        [_("Total"), money(allocated)],
                    ],
                    chart_column=1,
                    total_rows=1,
                ),
                Table(
                    key="allocations",
                    caption=_("Allocations by partner and activity"),
                    columns=[_("Partner"), _("Activity"), _("What it pays for"), _("Amount")],
                    rows=[
                        *[
                            [
                                str(a.partner.name),
                                str(a.activity.title) if a.activity else no_activity,
                                a.purpose,
                                money(a.amount),
                            ]
                            for a in allocations
                        ],
                        [_("Total"), "", "", money(allocated)],
                    ],
                    total_rows=1,
                ),
            ],
        )


def _planned(activity: Activity) -> str:
    if activity.planned_precision == Activity.Precision.DAY:
        if activity.planned_start == activity.planned_end:
            return date_format(activity.planned_start)
        return f"{date_format(activity.planned_start)} – {date_format(activity.planned_end)}"
    if activity.planned_precision == Activity.Precision.MONTH:
        start = date_format(activity.planned_start, "YEAR_MONTH_FORMAT")
        end = date_format(activity.planned_end, "YEAR_MONTH_FORMAT")
        return start if start == end else f"{start} – {end}"
    start_year, end_year = activity.planned_start.year, activity.planned_end.year
    return str(start_year) if start_year == end_year else f"{start_year}–{end_year}"


def _allocations_by_activity(grant: Grant) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for activity_id, amount in grant.allocations.filter(activity__isnull=False).values_list(
        "activity", "amount"
    ):
        totals[activity_id] = totals.get(activity_id, Decimal("0")) + amount
    return totals
