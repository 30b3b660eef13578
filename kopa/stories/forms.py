from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Membership, Organisation, User
from kopa.core.countries import country_choices
from kopa.core.forms import ModelMultipleChoiceField
from kopa.core.i18n import TranslatedFormField
from kopa.core.images import max_image_bytes
from kopa.programme.models import Activity
from kopa.stories.audio import max_audio_bytes
from kopa.stories.models import Consent, Holiday, Ingredient, Story, Teller, Theme
from kopa.stories.services import SCOPES


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    holiday = forms.ChoiceField(label=_("Holiday"), required=False)
    language = forms.ChoiceField(label=_("Told in"), required=False)
    activity = forms.ChoiceField(label=_("Told at"), required=False)

    def __init__(self, *args: Any, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["kind"].choices = anything + list(Story.Kind.choices)
        self.fields["theme"].choices = anything + [
            (t.code, t.label.text) for t in options["themes"]
        ]
        self.fields["holiday"].choices = anything + [
            (h.code, h.label.text) for h in options["holidays"]
        ]
        self.fields["language"].choices = anything + list(settings.LANGUAGES)
        self.fields["activity"].choices = anything + [
            (a.slug, a.title.text) for a in options["activities"]
        ]


STORY_FORM_FIELDS = [
    "kind",
    "title",
    "summary",
    "text",
    "original_language",
    "activity",
    "country",
    "town",
    "place_precision",
    "told_on",
    "date_precision",
    "themes",
    "holidays",
    "related",
    "visibility",
    "servings",
    "total_minutes",
]


class StoryForm(forms.ModelForm):
    """The story's own fields; `version` carries the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Story
        fields = STORY_FORM_FIELDS
        widgets = {
            "told_on": forms.DateInput(attrs={"type": "date"}),
            "themes": forms.CheckboxSelectMultiple,
            "holidays": forms.CheckboxSelectMultiple,
            "related": forms.CheckboxSelectMultiple,
        }
        field_classes = dict.fromkeys(("themes", "holidays", "related"), ModelMultipleChoiceField)

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].widget = forms.Select(choices=[("", "—"), *country_choices()])
        self.fields["activity"].queryset = Activity.objects.order_by("-starts_at", "slug")
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["holidays"].queryset = Holiday.objects.all()
        related = Story.objects.filter(organisation=organisation)
        if self.instance.pk:
            related = related.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
        self.fields["related"].queryset = related
        self.fields["themes"].label_from_instance = lambda theme: theme.label.text
        self.fields["holidays"].label_from_instance = lambda holiday: holiday.label.text
        self.fields["related"].label_from_instance = lambda story: story.title.text
        self.fields["activity"].label_from_instance = lambda activity: activity.title.text
        self.fields["original_language"].help_text = _("The language the teller told it in.")
        self.fields["servings"].help_text = _("Recipes only.")
        self.fields["total_minutes"].help_text = _("Recipes only.")

    def story_fields(self) -> dict[str, Any]:
        skip = {"themes", "holidays", "related"}
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in STORY_FORM_FIELDS and name not in skip
        }


class NewStoryForm(StoryForm):
    """A new story also names its organisation and its teller (as the teller wishes)."""

    organisation = forms.ModelChoiceField(label=_("Recorded by organisation"), queryset=None)
    teller_naming = forms.ChoiceField(
        label=_("How the teller is named"),
        choices=Teller.Naming.choices,
        widget=forms.RadioSelect,
        initial=Teller.Naming.ANONYMOUS,
    )
    teller_name = forms.CharField(label=_("Teller's name"), max_length=150, required=False)
    teller_pseudonym = forms.CharField(label=_("Pseudonym"), max_length=150, required=False)
    teller_email = forms.EmailField(
        label=_("Teller's email (optional)"),
        required=False,
        help_text=_("Used only to send the private link to withdraw consent."),
    )

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, organisation=None, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        self.fields["organisation"].label_from_instance = lambda org: org.name.text
        self.fields["related"].queryset = Story.objects.filter(organisation__in=organisations)
        self.order_fields(
            ["organisation", "teller_naming", "teller_name", "teller_pseudonym", "teller_email"]
        )


class IngredientForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=8, decimal_places=2, min_value=0, required=False
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Ingredient.Unit.choices, required=False)
    item = TranslatedFormField(label=_("Ingredient"), max_length=200, required=False)
    note = TranslatedFormField(label=_("Note"), max_length=200, required=False)


class StepForm(forms.Form):
    text = TranslatedFormField(label=_("Step"), multiline=True, max_length=2000, required=False)


# absolute_max: Django otherwise builds up to max_num + 1,000 forms for whatever TOTAL_FORMS a
# request claims, seconds of work per request (found by tests/fuzz/test_forms_logged_in.py).
IngredientFormSet = forms.formset_factory(
    IngredientForm, extra=3, max_num=60, absolute_max=60, validate_max=True
)
StepFormSet = forms.formset_factory(
    StepForm, extra=2, max_num=40, absolute_max=40, validate_max=True
)


def recipe_rows(ingredients: Any, steps: Any) -> tuple[list[dict], list[dict]]:
    """The filled rows of the two formsets, in order; empty rows are skipped."""
    ingredient_rows = [
        {key: row[key] for key in ("quantity", "unit", "item", "note")}
        for row in ingredients.cleaned_data
        if row.get("item")
    ]
    step_rows = [row["text"] for row in steps.cleaned_data if row.get("text")]
    return ingredient_rows, step_rows


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(
        label=_("Who consented"), choices=Consent.GivenBy.choices, widget=forms.RadioSelect
    )
    given_by_name = forms.CharField(label=_("Name of the person who consented"), max_length=150)
    given_on = forms.DateField(
        label=_("Date of consent"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label=_("How"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    form_file = forms.FileField(
        label=_("Signed form"),
        required=False,
        help_text=_("A PDF, JPEG or PNG of at most 10 MB. Only editors can open it."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    witness = forms.ModelChoiceField(label=_("Witnessed by"), queryset=None, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("The teller agreed to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(scope, Consent._meta.get_field(scope).verbose_name) for scope in SCOPES],
    )

    def __init__(self, *args: Any, story: Story, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = User.objects.filter(
            memberships__organisation=story.organisation,
            memberships__role=Membership.Role.COORDINATOR,
        ).order_by("full_name")
        self.fields["witness"].help_text = _("For oral consent: a coordinator who heard it.")


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = TranslatedFormField(label=_("Caption"), max_length=300)
    credit = forms.CharField(label=_("Photo by"), max_length=150, required=False)
    shows_others = forms.BooleanField(
        label=_("The photo shows people other than the teller"), required=False
    )
    others_consented = forms.BooleanField(
        label=_("Everyone else shown agreed to its publication"),
        required=False,
        help_text=_("Without their agreement the photo is never public."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _(
            "A JPEG, PNG or WebP file of at most %(limit)s. Location and camera details are "
            "removed before it is stored."
        ) % {"limit": filesizeformat(max_image_bytes())}


class AudioForm(forms.Form):
    recording = forms.FileField(
        label=_("Recording"),
        widget=forms.FileInput(attrs={"accept": "audio/mpeg,audio/ogg,audio/mp4,.m4a"}),
    )
    caption = TranslatedFormField(label=_("Caption"), max_length=300)
    credit = forms.CharField(label=_("Recorded by"), max_length=150, required=False)
    transcript = TranslatedFormField(
        label=_("Transcript"), multiline=True, max_length=40000, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recording"].help_text = _("An MP3, Ogg or M4A file of at most %(limit)s.") % {
            "limit": filesizeformat(max_audio_bytes())
        }


class BookForm(forms.Form):
    title = forms.CharField(label=_("Title of the book"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    stories = ModelMultipleChoiceField(
        label=_("Stories and recipes"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only items published for everyone under a consent that covers publication are "
            "printed; the book counts the ones left out."
        ),
    )

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stories"].queryset = Story.objects.filter(
            organisation__in=organisations
        ).order_by("kind", "-published_at", "-pk")
        self.fields["stories"].label_from_instance = lambda story: story.title.text


class TranslationCreditForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    translator = forms.CharField(label=_("Translated by"), max_length=150)
    translated_on = forms.DateField(
        label=_("Translated on"), widget=forms.DateInput(attrs={"type": "date"})
    )
