"""Learning materials, questionnaires attached to activities, and the answers to them.

Answers are anonymous towards everyone who reads results: a response may point at the
registration it came through (so one registration answers once), but results, exports and
the competence summary never read that link, and the participant's self-made code is kept only
as a keyed hash (`participant_code_hash`) that links a pre-test, a post-test and a follow-up.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.core.countries import country_name, language_name, validate_country
from kopa.core.i18n import TranslatedField
from kopa.programme.models import (
    Activity,
    Project,
    Registration,
    TargetGroup,
    validate_language_list,
)


class Theme(models.TextChoices):
    """The shipped list of themes; labels are translated in this app's catalog."""

    CONVERSATION = "conversation", _("The art of conversation")
    STORYTELLING = "storytelling", _("Storytelling")
    INTERPRETERS = "interpreters", _("Working with interpreters")
    TRAUMA = "trauma", _("Trauma awareness")
    REFERRAL = "referral", _("Referral routes")
    INTERCULTURAL = "intercultural", _("Intercultural dialogue")
    LANGUAGE = "language", _("Language learning")
    NETWORK = "network", _("Working in a network")


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY_NC = "cc-by-nc-4.0", "CC BY-NC 4.0"
    CC0 = "cc0-1.0", _("Public domain (CC0)")
    RESERVED = "all-rights-reserved", _("All rights reserved (ask the author)")


class Material(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        TEXT = "text", _("Text")
        GOOD_PRACTICE = "good_practice", _("Good practice from another country")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CIRCLE = "circle", _("Members of the support circle only")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="materials")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="learning_materials",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = TranslatedField(_("title"), max_length=200)
    summary = TranslatedField(_("summary"), multiline=True, max_length=2000)
    body = TranslatedField(_("text"), multiline=True, blank=True, max_length=20000)
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    languages = models.JSONField(
        _("languages of the material"),
        default=list,
        blank=True,
        validators=[validate_language_list],
    )
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("for"), blank=True, related_name="learning_materials"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("from the activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_materials",
    )
    licence = models.CharField(_("licence"), max_length=24, choices=Licence.choices)
    url = models.URLField(_("address (link)"), blank=True, max_length=500)
    # Good practices: where it comes from.
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country]
    )
    source_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    visibility = models.CharField(
        _("who can see it"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # The uploaded file: `learning-materials/<file_key>/<file_name>`; never under a public
    # media prefix, so it is reachable only through the material's own view.
    file_key = models.CharField(max_length=32, blank=True, editable=False)
    file_name = models.CharField(max_length=120, blank=True, editable=False)
    file_type = models.CharField(max_length=100, blank=True, editable=False)
    file_size = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("added"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learning material")
        verbose_name_plural = _("learning materials")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["project", "kind"])]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def country_name(self) -> str:
        return country_name(self.country) if self.country else ""

    @property
    def language_names(self) -> list[str]:
        return [language_name(code) for code in self.languages]

    @property
    def storage_name(self) -> str:
        return f"learning-materials/{self.file_key}/{self.file_name}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.kind == self.Kind.LINK and not self.url:
            errors["url"] = ValidationError(_("A link needs its address."), code="required")
        if self.kind == self.Kind.GOOD_PRACTICE and not self.country:
            errors["country"] = ValidationError(
                _("Say which country the good practice comes from."), code="required"
            )
        if self.activity_id and self.project_id and self.activity.project_id != self.project_id:
            errors["activity"] = ValidationError(
                _("Choose an activity of this project."), code="invalid"
            )
        if errors:
            raise ValidationError(errors)


class Domain(models.TextChoices):
    """The five competence domains of the self-assessment."""

    SITUATION = "situation", _("Refugees' situation and referral routes")
    CONVERSATION = "conversation", _("Conversation, including through an interpreter")
    STORIES = "stories", _("Collecting and telling stories ethically")
    INTERCULTURAL = "intercultural", _("Intercultural attitudes")
    NETWORK = "network", _("Working in a network")


class QuestionnaireTemplate(models.Model):
    """A questionnaire coordinators attach to activities; the shipped ones come from data/."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Feedback")
        COMPETENCE = "competence", _("Competence self-assessment")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = TranslatedField(_("title"), max_length=200)
    intro = TranslatedField(_("introduction"), multiline=True, blank=True, max_length=2000)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # The self-assessment asks for a made-up code that links the answers across time.
    asks_code = models.BooleanField(default=False)
    is_shipped = models.BooleanField(default=False, editable=False)
    # The organisation whose coordinators wrote it and may change it; the shipped ones have none
    # and are read-only (a copy can be changed).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaire_templates",
    )
    # Optimistic locking: every change to the template or its questions raises it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return str(self.title)


class TemplateQuestion(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Rating scale")
        CHOICE = "choice", _("One choice from a list")
        TEXT = "text", _("Free text")
        # An "I can …" statement rated twice: as it was before the programme, and now.
        RETRO = "retro", _("Before the programme and now")

    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    domain = models.CharField(max_length=16, choices=Domain.choices, blank=True)
    text = TranslatedField(_("question"), max_length=400)
    # One choice per line, the same order in every language.
    choices = TranslatedField(_("choices"), multiline=True, blank=True, max_length=2000)
    scale_max = models.PositiveSmallIntegerField(default=5)
    required = models.BooleanField(default=False)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="question_code_once")
        ]

    def __str__(self) -> str:
        return str(self.text)

    def choice_list(self) -> list[str]:
        return [line.strip() for line in str(self.choices).splitlines() if line.strip()]


class ActivityQuestionnaire(models.Model):
    """A template attached to one activity, for one moment of the programme."""

    class Phase(models.TextChoices):
        AFTER = "after", _("After the activity")
        PRE = "pre", _("Before the first activity (pre-test)")
        FOLLOWUP = "followup", _("Follow-up, months later")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="questionnaires")
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.PROTECT, related_name="attached"
    )
    phase = models.CharField(
        _("when it is answered"), max_length=10, choices=Phase.choices, default=Phase.AFTER
    )
    closes_at = models.DateTimeField(_("answers accepted until"))
    allow_editing = models.BooleanField(
        _("people may change their answers with their link"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    # When the post-activity mail with the personal links went out (`kopa send_questionnaires`
    # or the coordinator's button); the timer sends it once.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("questionnaire of an activity")
        verbose_name_plural = _("questionnaires of activities")
        ordering = ["activity", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "template", "phase"], name="questionnaire_once_per_phase"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.activity}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.closes_at


class Response(models.Model):
    questionnaire = models.ForeignKey(
        ActivityQuestionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    # Only so that one registration answers once; results never read it (module docstring).
    registration = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaire_responses",
    )
    participant_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["questionnaire", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "registration"],
                condition=models.Q(registration__isnull=False),
                name="one_response_per_registration",
            )
        ]

    def __str__(self) -> str:
        # Never the person: a response is anonymous wherever it is shown.
        return f"#{self.pk} · {self.questionnaire_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(TemplateQuestion, on_delete=models.CASCADE, related_name="answers")
    # scale: the rating; choice: the index; retro: the rating now.
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    # retro: the rating as it was before the programme.
    before = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}/{self.before}"
