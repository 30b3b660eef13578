"""Domain rules: materials (who may add and edit them, files), questionnaires and answers."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import (
    can_edit_content,
    can_manage_organisation,
    is_project_admin,
    require,
)
from kopa.core.audit import audit_log
from kopa.core.i18n import language_codes
from kopa.core.mail import send_templated_mail
from kopa.learning.files import CheckedFile, check_upload
from kopa.learning.models import (
    ActivityQuestionnaire,
    Answer,
    Material,
    QuestionnaireTemplate,
    Response,
    TemplateQuestion,
)
from kopa.programme.models import Activity, Registration, TargetGroup
from kopa.programme.services import can_manage_activity

logger = logging.getLogger(__name__)

MATERIAL_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "original_language",
    "languages",
    "theme",
    "activity",
    "licence",
    "url",
    "country",
    "source_organisation",
    "visibility",
)
# How long after an activity its questionnaire takes answers, unless the coordinator says.
DEFAULT_OPEN_DAYS = 60


class EditConflict(Exception):
    """Someone else saved the material after this editor opened it."""


class AnswerError(Exception):
    """A questionnaire link that cannot be used; `code` says why, `message` is for the person."""

    def __init__(self, code: str, message: Any):
        super().__init__(code)
        self.code = code
        self.message = message


# --- Materials --------------------------------------------------------------------------------


def can_edit_material(user: Any, organisation: Organisation) -> bool:
    """Editors and coordinators of the publishing organisation, and project admins."""
    return can_edit_content(user, organisation)


def editable_organisations(user: Any) -> list[Organisation]:
    if is_project_admin(user):
        return list(Organisation.objects.order_by("slug"))
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        org
        for org in Organisation.objects.filter(memberships__user=user).distinct().order_by("slug")
        if can_edit_content(user, org)
    ]


def _store(checked: CheckedFile) -> tuple[str, str]:
    key = uuid.uuid4().hex
    name = f"learning-materials/{key}/{checked.name}"
    default_storage.save(name, ContentFile(checked.data))
    return key, checked.name


def _delete_file(key: str, name: str) -> None:
    if not key:
        return
    try:
        default_storage.delete(f"learning-materials/{key}/{name}")
    except OSError:
        logger.warning("could not delete the material file %s/%s", key, name)


def material_save(
    *,
    actor: Any,
    material: Material,
    target_groups: Iterable[TargetGroup] = (),
    upload: Any = None,
    expected_version: int | None = None,
) -> Material:
    """Create (no pk) or update a material; checks the file's bytes before writing anything.

    Raises PermissionDenied, ValidationError (nothing stored) or EditConflict.
    """
    require(can_edit_material(actor, material.organisation))
    checked = check_upload(upload) if upload is not None else None
    creating = material.pk is None
    if material.kind == Material.Kind.FILE and checked is None and not material.file_key:
        raise ValidationError({"upload": _("Choose the file to upload.")})
    material.full_clean(exclude=["project"])
    old_file = (material.file_key, material.file_name)
    stored: tuple[str, str] | None = None
    try:
        with transaction.atomic():
            if not creating:
                current = Material.objects.select_for_update().get(pk=material.pk)
                require(can_edit_material(actor, current.organisation))
                if expected_version is not None and current.version != expected_version:
                    raise EditConflict
                material.version = current.version + 1
            if checked is not None:
                stored = _store(checked)
                material.file_key, material.file_name = stored
                material.file_type = checked.content_type
                material.file_size = len(checked.data)
            if creating:
                material.created_by = actor
            material.save()
            material.target_groups.set(list(target_groups))
            audit_log(
                action="learning.material.created" if creating else "learning.material.updated",
                actor=actor,
                target=material,
                data={"kind": material.kind, "visibility": material.visibility},
            )
            transaction.on_commit(lambda: index_material(material))
            if stored is not None and old_file[0]:
                transaction.on_commit(lambda: _delete_file(*old_file))
    except BaseException:
        if stored is not None:
            _delete_file(*stored)
            material.file_key, material.file_name = old_file
        raise
    return material


def material_delete(*, actor: Any, material: Material) -> None:
    require(can_edit_material(actor, material.organisation))
    key, name, pk = material.file_key, material.file_name, material.pk
    with transaction.atomic():
        audit_log(
            action="learning.material.deleted",
            actor=actor,
            target=material,
            data={"title": material.title.text},
        )
        material.delete()
        transaction.on_commit(lambda: _delete_file(key, name))
        transaction.on_commit(lambda: _unindex(pk))


def search_key(pk: int) -> str:
    return f"learning.material:{pk}"


def index_material(material: Material) -> None:
    """Put the material in the shared multilingual search (every translation of its texts)."""
    from kopa.core.search import index_document

    texts = {}
    for name in ("title", "summary", "body"):
        value = getattr(material, name)
        for code, text in value.translations.items():
            texts[f"{name}" if code == material.original_language else f"{name}_{code}"] = text
    texts["organization"] = material.source_organisation
    texts["location"] = material.country_name
    base = {"title": 3.0, "summary": 1.5, "body": 1.0}
    # Translations weigh like the original field (their names carry a language suffix).
    weights = {name: base.get(name.split("_")[0], 1.0) for name in texts}
    # The theme's name in every language, so "робота з перекладачами" finds a Latvian text.
    theme_names = []
    for code in language_codes():
        with override(code):
            theme_names.append(str(material.get_theme_display()))
    index_document(
        key=search_key(material.pk),
        kind="learning.material",
        texts={k: v for k, v in texts.items() if v},
        extra_terms=theme_names,
        categories=[material.theme],
        weights=weights,
    )


def _unindex(pk: int) -> None:
    from kopa.core.search import remove_document

    remove_document(key=search_key(pk))


# --- Questionnaire templates written by coordinators -------------------------------------------

# The kinds a coordinator writes; "before and now" statements belong to the shipped
# self-assessment, whose results compare only because everyone asks the same.
OWN_QUESTION_KINDS = (
    TemplateQuestion.Kind.SCALE,
    TemplateQuestion.Kind.CHOICE,
    TemplateQuestion.Kind.TEXT,
)
ANSWERED_MESSAGE = _(
    "This questionnaire already has answers: its questions can be corrected and new ones added, "
    "but a question cannot be removed or change its kind, scale or number of choices. Make a "
    "copy to change more."
)


class TemplateConflict(Exception):
    """Someone else changed the template after this editor opened it."""


def template_organisations(user: Any) -> list[Organisation]:
    """Organisations for which the user may write templates: those they coordinate (project
    admins: all)."""
    if is_project_admin(user):
        return list(Organisation.objects.order_by("slug"))
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        Organisation.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.COORDINATOR
        )
        .distinct()
        .order_by("slug")
    )


def can_edit_template(user: Any, template: QuestionnaireTemplate) -> bool:
    if template.is_shipped:
        return False
    if is_project_admin(user):
        return True
    return template.organisation is not None and can_manage_organisation(
        user, template.organisation
    )


def template_is_answered(template: QuestionnaireTemplate) -> bool:
    return Response.objects.filter(questionnaire__template=template).exists()


def _locked_template(
    template: QuestionnaireTemplate, *, actor: Any, expected_version: int | None
) -> QuestionnaireTemplate:
    """The template's row, locked for this transaction, after the permission and version checks;
    its version is raised (the caller saves it)."""
    current = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    require(can_edit_template(actor, current))
    if expected_version is not None and current.version != expected_version:
        raise TemplateConflict
    current.version += 1
    return current


def template_save(
    *, actor: Any, template: QuestionnaireTemplate, expected_version: int | None = None
) -> QuestionnaireTemplate:
    """Create (no pk) or update a template's title, introduction and organisation."""
    require(
        template.organisation is not None and template.organisation in template_organisations(actor)
    )
    creating = template.pk is None
    if creating:
        template.kind = QuestionnaireTemplate.Kind.FEEDBACK
        template.code = _template_code(template)
    template.full_clean()
    with transaction.atomic():
        if not creating:
            current = _locked_template(template, actor=actor, expected_version=expected_version)
            template.version = current.version
        template.save()
        audit_log(
            action="learning.template.created" if creating else "learning.template.updated",
            actor=actor,
            target=template,
            data={"organisation": template.organisation_id},
        )
    return template


def _template_code(template: QuestionnaireTemplate) -> str:
    return f"{slugify(template.title.text)[:40] or 'questionnaire'}-{uuid.uuid4().hex[:8]}"


def _choice_counts(question: TemplateQuestion) -> dict[str, int]:
    return {
        language: len([line for line in text.splitlines() if line.strip()])
        for language, text in question.choices.translations.items()
        if text.strip()
    }


def _breaks_answers(old: TemplateQuestion, new: TemplateQuestion) -> bool:
    """Answers store a rating or a choice's position: they keep their meaning only while the
    kind, the scale and the number of choices stay."""
    return (
        old.kind != new.kind
        or old.scale_max != new.scale_max
        or set(_choice_counts(old).values()) != set(_choice_counts(new).values())
    )


def template_question_save(
    *,
    actor: Any,
    template: QuestionnaireTemplate,
    question: TemplateQuestion,
    expected_version: int | None = None,
) -> TemplateQuestion:
    """Add (no pk) or change a question; on an answered template only in ways that keep the
    answers' meaning (ANSWERED_MESSAGE)."""
    require(can_edit_template(actor, template))
    if question.kind not in OWN_QUESTION_KINDS:
        raise ValidationError({"kind": _("Choose a rating scale, a choice or free text.")})
    if (
        question.kind == TemplateQuestion.Kind.CHOICE
        and len(set(_choice_counts(question).values())) > 1
    ):
        raise ValidationError({"choices": _("Write the same number of choices in every language.")})
    question.template = template
    question.domain = ""
    with transaction.atomic():
        current = _locked_template(template, actor=actor, expected_version=expected_version)
        if question.pk is None:
            question.position = current.questions.count()
            question.code = f"q-{uuid.uuid4().hex[:8]}"
        else:
            old = TemplateQuestion.objects.get(pk=question.pk, template=current)
            if template_is_answered(current) and _breaks_answers(old, question):
                raise ValidationError(ANSWERED_MESSAGE, code="answered")
        question.full_clean()
        question.save()
        current.save(update_fields=["version"])
        template.version = current.version
        audit_log(
            action="learning.template.question_saved",
            actor=actor,
            target=current,
            data={"question": question.pk, "kind": question.kind},
        )
    return question


def template_question_delete(
    *, actor: Any, question: TemplateQuestion, expected_version: int | None = None
) -> None:
    template = question.template
    require(can_edit_template(actor, template))
    with transaction.atomic():
        current = _locked_template(template, actor=actor, expected_version=expected_version)
        if template_is_answered(current):
            # Deleting the question would delete its answers with it.
            raise ValidationError(ANSWERED_MESSAGE, code="answered")
        audit_log(
            action="learning.template.question_deleted",
            actor=actor,
            target=current,
            data={"question": question.pk},
        )
        question.delete()
        current.save(update_fields=["version"])
        template.version = current.version


def template_copy(
    *, actor: Any, template: QuestionnaireTemplate, organisation: Organisation
) -> QuestionnaireTemplate:
    """A new template of `organisation` with the same texts and questions, free to change."""
    require(organisation in template_organisations(actor))
    require(template.is_shipped or can_edit_template(actor, template))
    if template.kind != QuestionnaireTemplate.Kind.FEEDBACK:
        raise ValidationError(
            _(
                "The competence self-assessment is the same everywhere, so that its results "
                "can be compared: it cannot be copied."
            ),
            code="competence",
        )
    questions = list(template.questions.order_by("position", "id"))
    with transaction.atomic():
        copy = QuestionnaireTemplate(
            kind=template.kind,
            title=template.title,
            intro=template.intro,
            original_language=template.original_language,
            organisation=organisation,
        )
        copy.code = _template_code(copy)
        copy.save()
        TemplateQuestion.objects.bulk_create(
            TemplateQuestion(
                template=copy,
                code=question.code,
                position=question.position,
                kind=question.kind,
                text=question.text,
                choices=question.choices,
                scale_max=question.scale_max,
                required=question.required,
                original_language=question.original_language,
            )
            for question in questions
        )
        audit_log(
            action="learning.template.copied",
            actor=actor,
            target=copy,
            data={"from": template.pk, "organisation": organisation.pk},
        )
    return copy


def templates_for(activity: Activity) -> QuerySet[QuestionnaireTemplate]:
    """What an activity's coordinators may attach: the shipped templates and those of the
    activity's organisers, each with at least one question."""
    return (
        QuestionnaireTemplate.objects.filter(
            Q(is_shipped=True) | Q(organisation__in=activity.organisers.all())
        )
        .filter(questions__isnull=False)
        .distinct()
        .order_by("-is_shipped", "kind", "pk")
    )


# --- Questionnaires ---------------------------------------------------------------------------


def questionnaire_attach(
    *,
    actor: Any,
    activity: Activity,
    template: QuestionnaireTemplate,
    phase: str = ActivityQuestionnaire.Phase.AFTER,
    closes_at: dt.datetime | None = None,
    allow_editing: bool = False,
) -> ActivityQuestionnaire:
    require(can_manage_activity(actor, activity))
    if not templates_for(activity).filter(pk=template.pk).exists():
        raise ValidationError(
            _("This questionnaire cannot be used for this activity."), code="template"
        )
    if closes_at is None:
        end = activity.ends_at or activity.starts_at or timezone.now()
        closes_at = max(end, timezone.now()) + dt.timedelta(days=DEFAULT_OPEN_DAYS)
    questionnaire = ActivityQuestionnaire(
        activity=activity,
        template=template,
        phase=phase,
        closes_at=closes_at,
        allow_editing=allow_editing,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            questionnaire.save()
            audit_log(
                action="learning.questionnaire.attached",
                actor=actor,
                target=questionnaire,
                data={"activity": activity.pk, "template": template.code, "phase": phase},
            )
    except IntegrityError:
        raise ValidationError(
            _("This questionnaire is already attached to the activity for that moment."),
            code="duplicate",
        ) from None
    return questionnaire


def _invitees(questionnaire: ActivityQuestionnaire) -> list[Registration]:
    """Confirmed registrations that have not answered; only those who came, once attendance
    was taken."""
    registrations = questionnaire.activity.registrations.filter(
        status=Registration.Status.CONFIRMED
    ).exclude(questionnaire_responses__questionnaire=questionnaire)
    if registrations.filter(attended_at__isnull=False).exists():
        registrations = registrations.filter(attended_at__isnull=False)
    return list(registrations.order_by("id"))


def _send_invitations(
    questionnaire: ActivityQuestionnaire, registrations: list[Registration]
) -> None:
    from kopa.learning.links import answer_url

    for registration in registrations:
        transaction.on_commit(
            lambda r=registration: send_templated_mail(
                template="learning/mail/invitation",
                to=r.email,
                language=r.language,
                context={
                    "registration": r,
                    "activity": questionnaire.activity,
                    "questionnaire": questionnaire,
                    "answer_url": answer_url(questionnaire, r),
                },
            )
        )


def invitations_send(
    *, actor: Any, questionnaire: ActivityQuestionnaire, now: dt.datetime | None = None
) -> int:
    """The post-activity mail, sent by a coordinator: each confirmed registration that has not
    answered gets its personal link, after commit, in its own language. Returns how many."""
    now = now or timezone.now()
    require(can_manage_activity(actor, questionnaire.activity))
    if not questionnaire.is_open(now):
        raise AnswerError("expired", _("This questionnaire no longer takes answers."))
    registrations = _invitees(questionnaire)
    with transaction.atomic():
        ActivityQuestionnaire.objects.filter(pk=questionnaire.pk).update(invited_at=now)
        audit_log(
            action="learning.questionnaire.invited",
            actor=actor,
            target=questionnaire,
            data={"count": len(registrations)},
        )
        _send_invitations(questionnaire, registrations)
    return len(registrations)


def invitations_due(*, now: dt.datetime) -> QuerySet[ActivityQuestionnaire]:
    """Questionnaires answered after an activity that has ended, still open, never sent."""
    return (
        ActivityQuestionnaire.objects.filter(
            phase=ActivityQuestionnaire.Phase.AFTER,
            invited_at__isnull=True,
            closes_at__gt=now,
            activity__ends_at__lte=now,
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity", "template")
        .order_by("activity__ends_at", "id")
    )


def invitations_send_due(*, questionnaire: ActivityQuestionnaire, now: dt.datetime) -> int:
    """The timer's post-activity mail for one questionnaire; 0 when it already went out
    (idempotent: the mark and the mail commit together)."""
    with transaction.atomic():
        marked = ActivityQuestionnaire.objects.filter(
            pk=questionnaire.pk, invited_at__isnull=True
        ).update(invited_at=now)
        if not marked:
            return 0
        registrations = _invitees(questionnaire)
        audit_log(
            action="learning.questionnaire.invited",
            target=questionnaire,
            data={"count": len(registrations), "automatic": True},
        )
        _send_invitations(questionnaire, registrations)
    return len(registrations)


def participant_code_hash(code: str) -> str:
    """A keyed hash of the made-up code: the same code gives the same hash, the hash gives
    nothing back, and without the site's secret key a list of likely codes cannot be tried."""
    normalised = "".join(code.split()).casefold()
    if not normalised:
        return ""
    return salted_hmac("kopa.learning.participant-code", normalised, algorithm="sha256").hexdigest()


def questions_for(questionnaire: ActivityQuestionnaire) -> list[TemplateQuestion]:
    return list(questionnaire.template.questions.order_by("position", "id"))


def asks_before(questionnaire: ActivityQuestionnaire) -> bool:
    """Only the questionnaire after an activity asks "before the programme" (retrospective)."""
    return questionnaire.phase == ActivityQuestionnaire.Phase.AFTER


def clean_answers(
    *, questionnaire: ActivityQuestionnaire, answers: Mapping[int, Mapping[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Check every answer against its question; raises ValidationError keyed by question id."""
    errors: dict[str, str] = {}
    cleaned: dict[int, dict[str, Any]] = {}
    with_before = asks_before(questionnaire)
    for question in questions_for(questionnaire):
        given = answers.get(question.pk) or {}
        row: dict[str, Any] = {"value": None, "before": None, "text": ""}
        if question.kind == TemplateQuestion.Kind.TEXT:
            text = str(given.get("text") or "").strip()
            if len(text) > 2000:
                errors[str(question.pk)] = _("Keep the answer under 2000 characters.")
                continue
            row["text"] = text
        else:
            top = (
                len(question.choice_list()) - 1
                if question.kind == TemplateQuestion.Kind.CHOICE
                else question.scale_max
            )
            bottom = 0 if question.kind == TemplateQuestion.Kind.CHOICE else 1
            names = (
                ["value", "before"] if question.kind == TemplateQuestion.Kind.RETRO else ["value"]
            )
            if not with_before:
                names = ["value"]
            for name in names:
                value = given.get(name)
                if value in (None, ""):
                    continue
                if (
                    not isinstance(value, int)
                    or isinstance(value, bool)
                    or not (bottom <= value <= top)
                ):
                    errors[str(question.pk)] = _("Choose one of the given answers.")
                    break
                row[name] = value
        if question.required and row["value"] is None and not row["text"]:
            errors.setdefault(str(question.pk), _("Answer this question."))
        if row["value"] is not None or row["before"] is not None or row["text"]:
            cleaned[question.pk] = row
    if errors:
        raise ValidationError(errors)
    return cleaned


def existing_response(
    questionnaire: ActivityQuestionnaire, registration: Registration | None
) -> Response | None:
    if registration is None:
        return None
    return Response.objects.filter(questionnaire=questionnaire, registration=registration).first()


def response_submit(
    *,
    questionnaire: ActivityQuestionnaire,
    registration: Registration | None,
    answers: Mapping[int, Mapping[str, Any]],
    code: str = "",
    language: str,
    now: dt.datetime | None = None,
    is_demo: bool = False,
) -> Response:
    """Store one person's answers: all of them or none. One response per registration; a second
    one replaces the first only when the questionnaire allows editing."""
    now = now or timezone.now()
    if not questionnaire.is_open(now):
        raise AnswerError("expired", _("This questionnaire no longer takes answers."))
    cleaned = clean_answers(questionnaire=questionnaire, answers=answers)
    if not cleaned:
        raise ValidationError(_("Answer at least one question."), code="empty")
    code_hash = participant_code_hash(code) if questionnaire.template.asks_code else ""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            response = None
            if registration is not None:
                response = (
                    Response.objects.select_for_update()
                    .filter(questionnaire=questionnaire, registration=registration)
                    .first()
                )
            if response is not None:
                if not questionnaire.allow_editing:
                    raise AnswerError(
                        "answered", _("You have already answered this questionnaire. Thank you!")
                    )
                response.answers.all().delete()
                response.participant_code_hash = code_hash or response.participant_code_hash
                response.language = language
                response.save()
                action = "learning.response.updated"
            else:
                response = Response.objects.create(
                    questionnaire=questionnaire,
                    registration=registration,
                    participant_code_hash=code_hash,
                    language=language,
                    created=now,
                    is_demo=is_demo,
                )
                action = "learning.response.created"
            Answer.objects.bulk_create(
                Answer(response=response, question_id=pk, **row) for pk, row in cleaned.items()
            )
            # No actor and nothing about the person: the log says only that an answer came.
            audit_log(action=action, target=response, data={"questionnaire": questionnaire.pk})
    except IntegrityError:
        # Two submissions of the same link at once: the first one won.
        raise AnswerError(
            "answered", _("You have already answered this questionnaire. Thank you!")
        ) from None
    return response
