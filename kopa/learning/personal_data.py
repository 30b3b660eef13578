"""What learning holds on a person (the personal-data contract, docs/privacy.md).

Questionnaire responses carry no name; a response given through a personal link points at the
registration it came through, so the person's registrations (by e-mail) reach their responses.
Erasure deletes their free-text answers (words can identify) and unlinks the rest from the
registration, so the ratings still count in results but lead to no one. Materials an account
added keep their text (published work of the organisation) and lose the link to the account.

The registrations are found by e-mail, so this module must be erased before the programme's,
which overwrites the registrations' addresses.

Retention (counted from the day the questionnaire closes): the link from a response to its
registration is needed only while the personal link may still answer or edit, so it goes after
30 days; free-text answers, the only answers whose words can identify someone, after a year,
when the coordinators have read them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopa.core.personal_data import RetentionRule
from kopa.learning.models import Answer, Material, Response

if TYPE_CHECKING:
    from kopa.accounts.models import User


def _responses(email: str) -> QuerySet[Response]:
    return Response.objects.filter(
        registration__email=email.strip().lower(), registration__isnull=False
    )


def _answer_record(answer: Answer) -> dict[str, Any]:
    question = answer.question
    record: dict[str, Any] = {_("Question"): question.text.text}
    if answer.text:
        record[_("Answer")] = answer.text
    if question.kind == "choice" and answer.value is not None:
        choices = question.choice_list()
        record[_("Answer")] = choices[answer.value] if answer.value < len(choices) else answer.value
    elif answer.value is not None:
        record[_("Answer")] = answer.value
    if answer.before is not None:
        record[_("Before the programme")] = answer.before
    return record


def personal_data(*, email: str, user: User | None) -> dict[str, list[dict]]:
    responses = (
        _responses(email)
        .select_related("questionnaire__activity", "questionnaire__template")
        .prefetch_related("answers__question")
    )
    out: dict[str, list[dict]] = {}
    records = [
        {
            _("Activity"): response.questionnaire.activity.title.text,
            _("Questionnaire"): response.questionnaire.template.title.text,
            _("Answered"): response.created.isoformat(),
            _("Answers"): [_answer_record(answer) for answer in response.answers.all()],
        }
        for response in responses
    ]
    if records:
        out[_("Questionnaire answers")] = records
    if user is not None:
        materials = [
            {_("Title"): material.title.text, _("Added"): material.created.isoformat()}
            for material in Material.objects.filter(created_by=user)
        ]
        if materials:
            out[_("Learning materials you added")] = materials
    return out


def _drop_texts(answers: QuerySet[Answer]) -> int:
    """Remove the words of these answers; a free-text answer with a rating beside it keeps the
    rating."""
    texts = answers.exclude(text="")
    deleted = texts.filter(value__isnull=True, before__isnull=True).delete()[0]
    return deleted + texts.update(text="")


def erase_personal_data(*, email: str, user: User | None) -> dict[str, int]:
    responses = _responses(email)
    result = {
        "learning.free_text_answers_deleted": _drop_texts(
            Answer.objects.filter(response__in=responses)
        ),
        "learning.responses_unlinked": responses.update(registration=None),
    }
    if user is not None:
        result["learning.materials_unlinked"] = Material.objects.filter(created_by=user).update(
            created_by=None
        )
    return result


# --- retention ----------------------------------------------------------------------------------


def _closed_before(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _unlink_responses(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    old = Response.objects.filter(
        registration__isnull=False, questionnaire__closes_at__lt=_closed_before(now, days)
    )
    return old.count() if dry_run else old.update(registration=None)


def _drop_old_texts(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    old = Answer.objects.filter(
        response__questionnaire__closes_at__lt=_closed_before(now, days)
    ).exclude(text="")
    return old.count() if dry_run else _drop_texts(old)


def retention_rules() -> list[RetentionRule]:
    return [
        RetentionRule(
            kind="learning.response_links",
            description=gettext_lazy("questionnaire responses linked to a registration"),
            default_days=30,
            effect="anonymised",
            apply=_unlink_responses,
        ),
        RetentionRule(
            kind="learning.free_text_answers",
            description=gettext_lazy("free-text answers to questionnaires"),
            default_days=365,
            effect="removed",
            apply=_drop_old_texts,
        ),
    ]
