from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopa.core.countries import country_choices, spoken_language_choices
from kopa.programme.models import Activity, Question, TargetGroup

OTHER_GROUP = "other"


class RegistrationForm(forms.Form):
    """Name, contact, group, languages, the activity's own questions, and explicit consent."""

    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("Your confirmation and your private link are sent here."),
    )
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"))
    participant_group = forms.ChoiceField(label=_("I take part as"))
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Choose one or more; this helps the organisers plan interpreting."),
    )
    consent = forms.BooleanField(
        label=_("I agree that my registration is handled as the privacy notice describes."),
        error_messages={"required": _("Registration needs your agreement to the privacy notice.")},
    )

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["country"].choices = [("", "—"), *country_choices()]
        groups = activity.target_groups.all() or TargetGroup.objects.all()
        self.fields["participant_group"].choices = [
            *((str(group.pk), group.name.text) for group in groups),
            (OTHER_GROUP, _("Other")),
        ]
        self.fields["languages"].choices = spoken_language_choices()
        self.question_fields = []
        for question in activity.questions.all():
            name = f"q_{question.pk}"
            self.fields[name] = question_field(question)
            self.question_fields.append(name)
        # Consent last, after every question.
        self.order_fields([*(n for n in self.fields if n != "consent"), "consent"])

    def answers(self) -> dict[str, Any]:
        return {name[2:]: self.cleaned_data.get(name) for name in self.question_fields}

    def participant_group_id(self) -> int | None:
        value = self.cleaned_data["participant_group"]
        return None if value == OTHER_GROUP else int(value)


def question_field(question: Question) -> forms.Field:
    label = question.label.text
    if question.kind == Question.Kind.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=question.required,
            choices=[
                *([] if question.required else [("", "—")]),
                *((str(i), text) for i, text in enumerate(question.choice_list())),
            ],
            widget=forms.RadioSelect if question.required else forms.Select,
        )
    if question.kind == Question.Kind.YES_NO:
        return forms.ChoiceField(
            label=label,
            required=question.required,
            choices=[("yes", _("Yes")), ("no", _("No"))],
            widget=forms.RadioSelect,
        )
    return forms.CharField(
        label=label,
        required=question.required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswersForm(forms.Form):
    """The activity's questions alone, for changing answers through the private link."""

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_fields = []
        for question in activity.questions.all():
            name = f"q_{question.pk}"
            self.fields[name] = question_field(question)
            self.question_fields.append(name)

    def answers(self) -> dict[str, Any]:
        return {name[2:]: self.cleaned_data.get(name) for name in self.question_fields}


class ProgrammeFilterForm(forms.Form):
    """Filters of the public programme list; unknown values are ignored, never an error page."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Working language"), required=False)
    group = forms.ChoiceField(label=_("For"), required=False)
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))],
    )

    def __init__(
        self,
        *args: Any,
        kinds: Any,
        countries: list[tuple[str, str]],
        languages: list[tuple[str, str]],
        groups: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["kind"].choices = everything + [(k.code, k.name.text) for k in kinds]
        self.fields["country"].choices = everything + countries
        self.fields["language"].choices = everything + languages
        self.fields["group"].choices = everything + [(g.code, g.name.text) for g in groups]
