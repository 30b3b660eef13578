from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopa.core.countries import country_choices, spoken_language_choices
from kopa.core.forms import ModelMultipleChoiceField
from kopa.core.timezones import is_time_zone
from kopa.programme.models import Activity, FewerOpportunities, Question, TargetGroup
from kopa.programme.services import ACTIVITY_FIELDS

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
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
        help_text=_("Choose one or more; this helps the organisers plan interpreting."),
    )
    fewer_opportunities = forms.MultipleChoiceField(
        label=_("Optional: do you face fewer opportunities?"),
        required=False,
        choices=FewerOpportunities.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The programme's funder, Erasmus+, asks how many participants face fewer "
            "opportunities, to see whether it reaches the people it is meant for. Answering is "
            "optional and changes nothing in your registration. The organisers never see your "
            "answer: only counts of five people or more reach the report. You can remove it "
            "at any time from your registration's private page, and it is erased with your data."
        ),
    )
    fewer_opportunities_consent = forms.BooleanField(
        label=_("I agree that what I ticked above is recorded for these counts."),
        required=False,
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
        # The optional declaration and then the consent last, after every question.
        last = ["fewer_opportunities", "fewer_opportunities_consent", "consent"]
        self.order_fields([*(n for n in self.fields if n not in last), *last])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("fewer_opportunities") and not cleaned.get("fewer_opportunities_consent"):
            # Not silently dropped: the person meant to say something, so they choose.
            self.add_error(
                "fewer_opportunities_consent",
                _("Tick this agreement to have your answer recorded, or clear the boxes above."),
            )
        return cleaned

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


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


TIME_ZONE_CHOICES = [
    (zone, zone.replace("_", " "))
    for zone in sorted(zoneinfo.available_timezones())
    if zone.startswith("Europe/")
]


class ActivityForm(forms.ModelForm):
    """What a coordinator edits. Times are entered in the venue's time zone."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Local time at the venue."),
    )
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DateTimeLocalInput())
    registration_opens_at = forms.DateTimeField(
        label=_("Registration opens"), required=False, widget=DateTimeLocalInput()
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"), required=False, widget=DateTimeLocalInput()
    )
    working_languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [
            *ACTIVITY_FIELDS[:5],  # kind, title, theme, purpose, original language
            "organisers",
            "target_groups",
            *ACTIVITY_FIELDS[5:],
        ]
        widgets = {
            "organisers": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "country": forms.Select,
        }
        field_classes = {  # an id beyond the database's integers is an unknown choice
            "organisers": ModelMultipleChoiceField,
            "target_groups": ModelMultipleChoiceField,
        }

    TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kopa.core.i18n import language_choices

        self.fields["organisers"].queryset = organisers
        self.fields["organisers"].label_from_instance = lambda org: org.name.text
        self.fields["target_groups"].label_from_instance = lambda group: group.name.text
        self.fields["kind"].label_from_instance = lambda kind: kind.name.text
        self.fields["country"].widget.choices = country_choices()
        self.fields["original_language"].choices = language_choices()
        self.fields["working_languages"].choices = spoken_language_choices()
        self.fields["time_zone"].widget = forms.Select(choices=TIME_ZONE_CHOICES)
        self.fields["version"].initial = self.instance.version
        zone = self.instance.zone() if self.instance.pk else None
        for name in self.TIME_FIELDS:
            value = getattr(self.instance, name)
            if value is not None and zone is not None:
                self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone")
        if is_time_zone(zone_name):  # else the model's validator says what is wrong
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in self.TIME_FIELDS:
                value = cleaned.get(name)
                if value is not None:
                    cleaned[name] = value.replace(tzinfo=None).replace(tzinfo=zone)
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The end must come after the start."))
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        if cleaned.get("status") == Activity.Status.OPEN and not starts:
            self.add_error("starts_at", _("An activity open for registration needs a start time."))
        return cleaned


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["label", "kind", "choices", "required"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == Question.Kind.CHOICE and not any(
            (cleaned.get("choices") or {}).values()
        ):
            self.add_error("choices", _("Write the choices, one per line."))
        return cleaned


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: Any, groups: Any, countries: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kopa.core.countries import country_name
        from kopa.programme.models import Registration

        everyone = [("", _("All"))]
        self.fields["status"].choices = everyone + list(Registration.Status.choices)
        self.fields["group"].choices = (
            everyone + [(str(g.pk), g.name.text) for g in groups] + [(OTHER_GROUP, _("Other"))]
        )
        self.fields["country"].choices = everyone + [(c, country_name(c)) for c in countries]


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=0,
        max_value=100000,
        help_text=_("Leave empty when there is no limit."),
    )
