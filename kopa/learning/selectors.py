"""Reads: materials for a visitor, questionnaires, and results with small groups withheld.

Every figure computed from answers goes through `kopa.core.aggregates.figure`, so a group of
fewer than MIN_GROUP_SIZE people shows no number anywhere (pages, exports, the funder's report).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from kopa.accounts.permissions import is_circle_member
from kopa.core.aggregates import Figure, figure
from kopa.learning.models import (
    ActivityQuestionnaire,
    Answer,
    Domain,
    Material,
    QuestionnaireTemplate,
    Response,
    TemplateQuestion,
)
from kopa.programme.models import Activity, Project

# --- For the funder's report (kopa.reporting) -------------------------------------------------


@dataclass(frozen=True)
class DomainSummary:
    """Competence change in one domain, from the retrospective before/now ratings.

    `median_before` and `median_now` are medians over respondents of each person's mean rating
    (1–5) in the domain; `share_improved` is the percentage (0–100) of respondents whose "now"
    mean is higher than their "before" mean. All three are withheld under 5 respondents.
    """

    code: str
    label: str
    respondents: int
    median_before: Figure
    median_now: Figure
    share_improved: Figure


def competence_summary(
    *, project: Project, activity: Activity | None = None
) -> list[DomainSummary]:
    """One summary per domain that has at least one respondent, in the domains' order."""
    answers = Answer.objects.filter(
        question__kind=TemplateQuestion.Kind.RETRO,
        response__questionnaire__activity__project=project,
        before__isnull=False,
        value__isnull=False,
    )
    if activity is not None:
        answers = answers.filter(response__questionnaire__activity=activity)
    return domain_summaries(
        answers.values_list("response_id", "question__domain", "before", "value")
    )


def domain_summaries(rows: Iterable[tuple[int, str, int, int]]) -> list[DomainSummary]:
    """The summaries from (response id, domain, before, now) rows."""
    pairs: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for response_id, domain, before, now in rows:
        pairs[domain][response_id].append((before, now))
    summaries = []
    for code, label in Domain.choices:
        people = pairs.get(code)
        if not people:
            continue
        befores = [statistics.fmean(b for b, _n in ratings) for ratings in people.values()]
        nows = [statistics.fmean(n for _b, n in ratings) for ratings in people.values()]
        improved = sum(now > before for before, now in zip(befores, nows, strict=True))
        count = len(people)
        summaries.append(
            DomainSummary(
                code=code,
                label=str(label),
                respondents=count,
                median_before=figure(round(statistics.median(befores), 1), people=count),
                median_now=figure(round(statistics.median(nows), 1), people=count),
                share_improved=figure(round(100 * improved / count), people=count),
            )
        )
    return summaries


def materials_summary(*, project: Project) -> dict[str, int]:
    """Number of materials of the project by kind code; every kind is present, 0 included."""
    counts = dict(
        Material.objects.filter(project=project)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {code: counts.get(code, 0) for code in Material.Kind.values}


def response_count(*, project: Project) -> int:
    """Questionnaire responses given for the project's activities."""
    return Response.objects.filter(questionnaire__activity__project=project).count()


# --- Materials --------------------------------------------------------------------------------


def materials_visible_to(user: Any) -> QuerySet[Material]:
    """Public materials for everyone; circle-only ones too for members of the support circle."""
    materials = Material.objects.select_related("organisation", "activity")
    if not is_circle_member(user):
        materials = materials.filter(visibility=Material.Visibility.PUBLIC)
    return materials


def material_list(
    *,
    user: Any,
    ids: list[int] | None = None,
    kind: str = "",
    theme: str = "",
    language: str = "",
    target_group: Any = None,
    country: str = "",
) -> QuerySet[Material]:
    materials = materials_visible_to(user).prefetch_related("target_groups")
    if ids is not None:
        materials = materials.filter(pk__in=ids)
    if kind:
        materials = materials.filter(kind=kind)
    if theme:
        materials = materials.filter(theme=theme)
    if language:
        # JSON lists: a containment lookup is not portable to SQLite, so match the quoted code.
        materials = materials.filter(languages__icontains=f'"{language}"')
    if target_group is not None:
        materials = materials.filter(target_groups=target_group)
    if country:
        materials = materials.filter(country=country)
    return materials


def material_detail(*, user: Any, pk: int) -> Material | None:
    return materials_visible_to(user).prefetch_related("target_groups").filter(pk=pk).first()


# --- Questionnaires and results ---------------------------------------------------------------


def questionnaires_of(activity: Activity) -> QuerySet[ActivityQuestionnaire]:
    return (
        activity.questionnaires.select_related("template")
        .annotate(response_total=Count("responses"))
        .order_by("created", "id")
    )


def templates() -> QuerySet[QuestionnaireTemplate]:
    return QuestionnaireTemplate.objects.all()


@dataclass
class Bucket:
    label: str
    count: Figure


@dataclass
class QuestionResult:
    question: TemplateQuestion
    respondents: int
    buckets: list[Bucket] = field(default_factory=list)
    before_buckets: list[Bucket] = field(default_factory=list)
    median: Figure | None = None
    median_before: Figure | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return (
            self.median is not None
            and self.median.suppressed
            or any(b.count.suppressed for b in self.buckets)
        )


@dataclass(frozen=True)
class LinkedChange:
    """Change in one domain between a person's pre-test and their follow-up, linked by the code
    they made up: `people` linked in the domain, the median of each person's change of mean
    rating (follow-up minus pre-test, one decimal) and the share (0–100) whose rating went up;
    both withheld under 5 people."""

    code: str
    label: str
    people: int
    median_change: Figure
    share_improved: Figure


@dataclass
class Results:
    responses: int
    questions: list[QuestionResult]
    domains: list[DomainSummary]
    linked_codes: Figure
    linked_changes: list[LinkedChange] = field(default_factory=list)


def results(
    *, questionnaires: QuerySet[ActivityQuestionnaire], with_texts: bool = False
) -> Results:
    """Results of answers to these questionnaires (of one template), without any name.

    Three queries whatever the size: the questions, the answers, the response count.
    """
    template_ids = set(questionnaires.values_list("template_id", flat=True))
    questions = list(
        TemplateQuestion.objects.filter(template_id__in=template_ids).order_by(
            "template_id", "position", "id"
        )
    )
    rows = Answer.objects.filter(response__questionnaire__in=questionnaires).values_list(
        "response_id", "question_id", "value", "before", "text"
    )
    by_question: dict[int, list[tuple[int, int | None, int | None, str]]] = defaultdict(list)
    domain_rows = []
    kinds = {q.pk: q for q in questions}
    for response_id, question_id, value, before, text in rows:
        by_question[question_id].append((response_id, value, before, text))
        question = kinds.get(question_id)
        if (
            question is not None
            and question.kind == TemplateQuestion.Kind.RETRO
            and value is not None
            and before is not None
        ):
            domain_rows.append((response_id, question.domain, before, value))
    counts = Response.objects.filter(questionnaire__in=questionnaires).aggregate(
        total=Count("id"),
        coded=Count("participant_code_hash", filter=~Q(participant_code_hash=""), distinct=True),
    )
    out = []
    for question in questions:
        answers = by_question.get(question.pk, [])
        out.append(_question_result(question, answers, with_texts=with_texts))
    return Results(
        responses=counts["total"],
        questions=out,
        domains=domain_summaries(domain_rows),
        linked_codes=figure(counts["coded"], people=counts["coded"]),
        linked_changes=pre_followup_changes(questionnaires=questionnaires),
    )


def pre_followup_changes(*, questionnaires: QuerySet[ActivityQuestionnaire]) -> list[LinkedChange]:
    """Per domain, people whose follow-up among these questionnaires has the same code as a
    pre-test of the same template in the same project (the pre-test may be at an activity the
    set leaves out: the follow-up's people are the ones described). A person's earliest pre-test
    and latest follow-up count. One query; nothing about anyone leaves it but the figures."""
    Phase = ActivityQuestionnaire.Phase
    followups = questionnaires.filter(phase=Phase.FOLLOWUP)
    pretests = ActivityQuestionnaire.objects.filter(
        phase=Phase.PRE,
        template__in=followups.values("template"),
        activity__project__in=followups.values("activity__project"),
    )
    rows = (
        Answer.objects.filter(
            Q(response__questionnaire__in=followups) | Q(response__questionnaire__in=pretests),
            question__kind=TemplateQuestion.Kind.RETRO,
            value__isnull=False,
        )
        .exclude(response__participant_code_hash="")
        .exclude(question__domain="")
        .values_list(
            "response__questionnaire__activity__project",
            "response__participant_code_hash",
            "response__questionnaire__phase",
            "response__created",
            "response_id",
            "question__domain",
            "value",
        )
    )
    # (project, code) -> phase -> (created, response id) -> domain -> ratings
    people: dict[tuple[int, str], dict[str, dict[tuple[Any, int], dict[str, list[int]]]]] = (
        defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list))))
    )
    for project, code, phase, created, response_id, domain, value in rows:
        people[(project, code)][phase][(created, response_id)][domain].append(value)
    changes: dict[str, list[float]] = defaultdict(list)
    for phases in people.values():
        if Phase.PRE not in phases or Phase.FOLLOWUP not in phases:
            continue
        first = phases[Phase.PRE][min(phases[Phase.PRE])]
        last = phases[Phase.FOLLOWUP][max(phases[Phase.FOLLOWUP])]
        for domain in first.keys() & last.keys():
            changes[domain].append(statistics.fmean(last[domain]) - statistics.fmean(first[domain]))
    linked = []
    for code, label in Domain.choices:
        deltas = changes.get(code)
        if not deltas:
            continue
        count = len(deltas)
        improved = sum(delta > 0 for delta in deltas)
        linked.append(
            LinkedChange(
                code=code,
                label=str(label),
                people=count,
                median_change=figure(round(statistics.median(deltas), 1), people=count),
                share_improved=figure(round(100 * improved / count), people=count),
            )
        )
    return linked


def _question_result(
    question: TemplateQuestion,
    answers: list[tuple[int, int | None, int | None, str]],
    *,
    with_texts: bool,
) -> QuestionResult:
    Kind = TemplateQuestion.Kind
    if question.kind == Kind.TEXT:
        texts = [text for _r, _v, _b, text in answers if text.strip()]
        return QuestionResult(
            question=question, respondents=len(texts), texts=texts if with_texts else []
        )
    values = [value for _r, value, _b, _t in answers if value is not None]
    people = len(values)
    result = QuestionResult(question=question, respondents=people)
    if question.kind == Kind.CHOICE:
        labels = question.choice_list()
        result.buckets = [
            Bucket(label=label, count=figure(values.count(index), people=people))
            for index, label in enumerate(labels)
        ]
        return result
    scale = range(1, question.scale_max + 1)
    result.buckets = [
        Bucket(label=str(point), count=figure(values.count(point), people=people))
        for point in scale
    ]
    result.median = figure(statistics.median(values) if values else None, people=people)
    befores = [before for _r, _v, before, _t in answers if before is not None]
    # A pre-test or follow-up asks only "now": no empty "before" column then.
    if question.kind == Kind.RETRO and befores:
        result.before_buckets = [
            Bucket(label=str(point), count=figure(befores.count(point), people=len(befores)))
            for point in scale
        ]
        result.median_before = figure(
            statistics.median(befores) if befores else None, people=len(befores)
        )
    return result
