from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.core.countries import country_choices, spoken_language_choices
from kopa.core.forms import ModelMultipleChoiceField
from kopa.core.i18n import language_choices
from kopa.learning.models import (
    ActivityQuestionnaire,
    Material,
    QuestionnaireTemplate,
    TemplateQuestion,
    Theme,
)
from kopa.learning.services import asks_before, questions_for, templates_for
from kopa.programme.models import Activity, TargetGroup


class MaterialFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    target_group = forms.ModelChoiceField(
        label=_("For"), queryset=TargetGroup.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *Material.Kind.choices]
        self.fields["theme"].choices = [("", _("All")), *Theme.choices]
        self.fields["language"].choices = [("", _("All")), *spoken_language_choices()]
        self.fields["target_group"].queryset = TargetGroup.objects.all()
        self.fields["target_group"].label_from_instance = lambda group: group.name.text


class MaterialForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "PDF, Word, PowerPoint, Excel, OpenDocument, or a JPEG, PNG or WebP photo. "
            "Photos are stored without their camera and location data."
        ),
    )
    url = forms.URLField(
        label=_("Address (link)"), required=False, max_length=500, assume_scheme="https"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Material
        fields = (
            "organisation",
            "kind",
            "title",
            "summary",
            "body",
            "original_language",
            "languages",
            "theme",
            "target_groups",
            "activity",
            "licence",
            "url",
            "country",
            "source_organisation",
            "visibility",
        )
        widgets = {"target_groups": forms.CheckboxSelectMultiple}
        # an id beyond the database's integers is an unknown choice, not a 500
        field_classes = {"target_groups": ModelMultipleChoiceField}

    def __init__(
        self, *args: Any, organisations: list[Organisation], activities: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in organisations]
        )
        self.fields["organisation"].label_from_instance = lambda org: org.name.text
        self.fields["languages"] = forms.MultipleChoiceField(
            label=_("Languages of the material"),
            choices=spoken_language_choices(),
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
            initial=self.instance.languages if self.instance.pk else [],
        )
        self.fields["activity"].queryset = activities
        self.fields["activity"].label_from_instance = lambda activity: activity.title.text
        self.fields["target_groups"].label_from_instance = lambda group: group.name.text
        self.fields["country"] = forms.ChoiceField(
            label=_("Country (for a good practice)"),
            choices=[("", "—"), *country_choices()],
            required=False,
        )
        self.fields["visibility"].widget = forms.RadioSelect(
            choices=self.fields["visibility"].choices
        )
        self.fields["version"].initial = self.instance.version
        self.fields["body"].help_text = _("For a text material: the text itself.")
        self.fields["source_organisation"].help_text = _(
            "For a good practice: the organisation whose experience it is."
        )

    def _post_clean(self) -> None:
        # The project is set by the view; the service validates the whole record.
        exclude = self._get_validation_exclusions()
        exclude.add("project")
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields)
            self.instance.full_clean(exclude=exclude, validate_unique=False)
        except forms.ValidationError as error:
            self._update_errors(error)


class AttachForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=QuestionnaireTemplate.objects.none()
    )
    phase = forms.ChoiceField(
        label=_("When it is answered"), choices=ActivityQuestionnaire.Phase.choices
    )
    allow_editing = forms.BooleanField(
        label=_("People may change their answers with their link"), required=False
    )

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates_for(activity)
        self.fields["template"].label_from_instance = lambda template: template.title.text


class TemplateForm(forms.ModelForm):
    """A coordinator's own questionnaire: whose it is, its title and introduction."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = QuestionnaireTemplate
        fields = ("organisation", "title", "intro", "original_language")

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in organisations]
        )
        self.fields["organisation"].required = True
        self.fields["organisation"].label_from_instance = lambda org: org.name.text
        self.fields["intro"].help_text = _("Shown above the questions: what the answers are for.")
        self.fields["original_language"].label = _("Original language")
        self.fields["original_language"].choices = language_choices()
        self.fields["version"].initial = self.instance.version


class TemplateQuestionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of answer"),
        choices=[
            (kind.value, kind.label)
            for kind in (
                TemplateQuestion.Kind.SCALE,
                TemplateQuestion.Kind.CHOICE,
                TemplateQuestion.Kind.TEXT,
            )
        ],
    )
    scale_max = forms.IntegerField(
        label=_("Highest point of the rating scale"),
        min_value=2,
        max_value=10,
        initial=5,
        help_text=_("The scale goes from 1 to this number."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    class Meta:
        model = TemplateQuestion
        fields = ("kind", "text", "choices", "scale_max", "required", "original_language")

    def __init__(self, *args: Any, template: QuestionnaireTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choices"].help_text = _(
            "For a choice: one per line, in the same order in every language."
        )
        self.fields["original_language"].label = _("Original language")
        self.fields["original_language"].choices = language_choices()
        self.fields["version"].initial = template.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == TemplateQuestion.Kind.CHOICE and not any(
            (cleaned.get("choices") or {}).values()
        ):
            self.add_error("choices", _("Write the choices, one per line."))
        return cleaned


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Your personal code"),
            min_length=4,
            max_length=40,
            help_text=_(
                "Make up a code only you will remember, for example the first letters of a song "
                "and a number. Use the same code next time. We never store it, only a scrambled "
                "form of it, and never with your name."
            ),
            **kwargs,
        )


SCALE_HELP = _("1 = not at all, 5 = very much")


def _scale(label: str, top: int, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(str(i), str(i)) for i in range(1, top + 1)],
        coerce=int,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={"invalid_choice": _("Choose one of the given answers.")},
    )


class AnswerForm(forms.Form):
    """One field (two for a before/now statement) per question of the questionnaire."""

    def __init__(self, *args: Any, questionnaire: ActivityQuestionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.questions = questions_for(questionnaire)
        self.with_before = asks_before(questionnaire)
        if questionnaire.template.asks_code:
            self.fields["code"] = CodeField(required=True)
        for question in self.questions:
            self._add(question)

    def _add(self, question: TemplateQuestion) -> None:
        Kind = TemplateQuestion.Kind
        name = f"q{question.pk}"
        text = question.text.text
        if question.kind == Kind.TEXT:
            self.fields[name] = forms.CharField(
                label=text, required=question.required, max_length=2000, widget=forms.Textarea
            )
        elif question.kind == Kind.CHOICE:
            self.fields[name] = forms.TypedChoiceField(
                label=text,
                choices=[(str(i), label) for i, label in enumerate(question.choice_list())],
                coerce=int,
                required=question.required,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the given answers.")},
            )
        elif question.kind == Kind.SCALE:
            self.fields[name] = _scale(text, question.scale_max, required=question.required)
        else:
            if self.with_before:
                self.fields[f"{name}_before"] = _scale(
                    _("Before the programme"), question.scale_max, required=question.required
                )
            self.fields[name] = _scale(_("Now"), question.scale_max, required=question.required)

    def groups(self) -> list[dict[str, Any]]:
        """The questions with their bound fields, for the template's fieldsets."""
        out = []
        for question in self.questions:
            name = f"q{question.pk}"
            fields = [self[name]]
            if f"{name}_before" in self.fields:
                fields.insert(0, self[f"{name}_before"])
            out.append({"question": question, "fields": fields})
        return out

    def answers(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        out: dict[int, dict[str, Any]] = {}
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == TemplateQuestion.Kind.TEXT:
                out[question.pk] = {"text": data.get(name, "")}
            else:
                out[question.pk] = {
                    "value": _none(data.get(name)),
                    "before": _none(data.get(f"{name}_before")),
                }
        return out

    @classmethod
    def initial_from(cls, response: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for answer in response.answers.all():
            name = f"q{answer.question_id}"
            if answer.text:
                initial[name] = answer.text
            if answer.value is not None:
                initial[name] = str(answer.value)
            if answer.before is not None:
                initial[f"{name}_before"] = str(answer.before)
        return initial


def _none(value: Any) -> Any:
    return None if value in ("", None) else value


def activity_choices(project: Any) -> Any:
    return Activity.objects.filter(project=project).order_by("planned_start", "position")
