from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kopa.accounts.models import Organisation
from kopa.learning.models import (
    ActivityQuestionnaire,
    Answer,
    Material,
    QuestionnaireTemplate,
    Response,
    TemplateQuestion,
)
from kopa.programme.models import Activity
from kopa.programme.tests.factories import make_activity


def feedback_template() -> QuestionnaireTemplate:
    # Shipped by migration 0002, so it exists in every test database.
    return QuestionnaireTemplate.objects.get(code="activity-feedback")


def competence_template() -> QuestionnaireTemplate:
    return QuestionnaireTemplate.objects.get(code="competence-self-assessment")


def held_activity(**fields: Any) -> Activity:
    fields.setdefault("starts_at", timezone.now() - dt.timedelta(days=1))
    fields.setdefault("status", Activity.Status.HELD)
    return make_activity(**fields)


def attach(
    activity: Activity, template: QuestionnaireTemplate, **fields: Any
) -> ActivityQuestionnaire:
    fields.setdefault("closes_at", timezone.now() + dt.timedelta(days=30))
    return ActivityQuestionnaire.objects.create(activity=activity, template=template, **fields)


def respond(
    questionnaire: ActivityQuestionnaire,
    answers: dict[str, Any],
    *,
    registration: Any = None,
    code_hash: str = "",
) -> Response:
    """answers: question code -> value, text, or (before, now)."""
    response = Response.objects.create(
        questionnaire=questionnaire, registration=registration, participant_code_hash=code_hash
    )
    questions = {q.code: q for q in questionnaire.template.questions.all()}
    for code, given in answers.items():
        question = questions[code]
        if isinstance(given, tuple):
            Answer.objects.create(
                response=response, question=question, before=given[0], value=given[1]
            )
        elif isinstance(given, str):
            Answer.objects.create(response=response, question=question, text=given)
        else:
            Answer.objects.create(response=response, question=question, value=given)
    return response


def network_codes() -> list[str]:
    return list(
        TemplateQuestion.objects.filter(
            template__code="competence-self-assessment", domain="network"
        ).values_list("code", flat=True)
    )


def make_material(organisation: Organisation, **fields: Any) -> Material:
    fields.setdefault("project", make_activity().project)
    fields.setdefault("kind", Material.Kind.TEXT)
    fields.setdefault("title", {"en": "Listening well", "lv": "Labi klausīties"})
    fields.setdefault("summary", {"en": "How to listen."})
    fields.setdefault("theme", "conversation")
    fields.setdefault("licence", "cc-by-4.0")
    return Material.objects.create(organisation=organisation, **fields)
