"""Forms of the people of the circle and of the directory's editors; errors in the page's language.

Every text here is plain text: templates escape it, and nothing a person types is ever rendered
as HTML.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from kopa.circle.models import MemberProfile, Organization, Service, TaxonomyTerm
from kopa.circle.services import SUGGESTION_FIELDS, WEEKDAY_CODES, HoursRow, ServiceEdit
from kopa.core.countries import country_choices, spoken_language_choices
from kopa.core.i18n import TranslatedFormField, language_choices

# --- people ---------------------------------------------------------------------------------------


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "organisation",
            "role",
            "expertise",
            "original_language",
            "languages",
            "region",
            "offers_peer_support",
            "visible",
            "accepts_messages",
        ]
        labels = {
            "role": _("Your role"),
            "offers_peer_support": _(
                "I offer a shoulder: colleagues may write to me when the work gets heavy"
            ),
            "visible": _("Show my profile to the members of the circle"),
            "accepts_messages": _("Members may write to me through the platform"),
        }
        help_texts = {
            "role": _("For example: librarian, social worker, volunteer interpreter."),
            "region": _("Where you work, for example Valmiera or Hiiumaa."),
            "accepts_messages": _(
                "Messages reach you by mail; your address is never shown to the sender."
            ),
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # TranslatedField's form field takes its label from the model, not from Meta.labels.
        self.fields["expertise"].label = _("What you know about and can help colleagues with")
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda org: org.name.text
        self.fields["original_language"].choices = language_choices()
        self.fields["languages"].choices = spoken_language_choices()
        self.initial["languages"] = self.instance.language_codes if self.instance.pk else []


class PeopleFilterForm(forms.Form):
    """Filters of the people list; unknown values are ignored, never an error page."""

    language = forms.ChoiceField(label=_("Speaks"), required=False)
    region = forms.ChoiceField(label=_("Town or region"), required=False)
    shoulder = forms.BooleanField(label=_("Offers a shoulder to colleagues"), required=False)

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        self.fields["language"].choices = everyone + spoken_language_choices()
        self.fields["region"].choices = everyone + [(r, r) for r in regions]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent by mail with your name. It is not kept on the platform."),
    )
    share_address = forms.BooleanField(
        label=_("Show them my email address so that they can answer me directly"),
        required=False,
        help_text=_(
            "Without this, they see only your name, and your profile if you have a visible one."
        ),
    )


# --- the directory's editors ---------------------------------------------------------------------

DAY_CHOICES = [(code, WEEKDAYS[index]) for index, code in enumerate(WEEKDAY_CODES)]
NEW_ORGANISATION = "new"


class ServiceForm(forms.Form):
    """What an editor edits of a service (see services.ServiceEdit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    original_language = forms.ChoiceField(
        label=_("Language the texts are written in"),
        help_text=_("Texts in other languages are translations of it."),
    )
    name = TranslatedFormField(label=_("Name of the service"), max_length=300)
    description = TranslatedFormField(label=_("Description"), multiline=True, required=False)
    eligibility_description = TranslatedFormField(
        label=_("Who can use it"), multiline=True, required=False
    )
    fees_description = TranslatedFormField(label=_("Fees"), multiline=True, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Service.Status.choices)
    organization_name = forms.CharField(
        label=_("Organisation"),
        max_length=300,
        required=False,
        help_text=_(
            "The organisation that gives the service, by its name. A name the directory does "
            "not know yet adds a new organisation."
        ),
    )
    terms = forms.MultipleChoiceField(
        label=_("Categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the service is given in"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
    )
    free_of_charge = forms.BooleanField(label=_("Free of charge"), required=False)
    documents = forms.CharField(
        label=_("Documents to bring"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in the language of the texts."),
    )
    address_1 = forms.CharField(label=_("Street and house"), max_length=300, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=40, required=False)
    city = forms.CharField(label=_("Town"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Decimal degrees, for example 57.5386."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("Decimal degrees, for example 25.4263."),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, with the country code: +371 …"),
    )
    url = forms.URLField(label=_("Website"), required=False, max_length=500, assume_scheme="https")
    email = forms.EmailField(label=_("Email of the service"), required=False)
    verified = forms.BooleanField(
        label=_("I checked this information today (mark it verified)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["original_language"].choices = language_choices()
        # The platform's categories, and any other term the entry already has (from a feed).
        linked = [value for value in self.initial.get("terms") or [] if value]
        terms = (
            TaxonomyTerm.objects.filter(Q(is_platform=True) | Q(pk__in=linked))
            .select_related("parent")
            .order_by("-is_platform", "position", "code", "id")
        )
        self.fields["terms"].choices = [
            (
                str(term.pk),
                f"{term.parent.name.text} › {term.name.text}" if term.parent else term.name.text,
            )
            for term in terms
        ]
        self.fields["languages"].choices = spoken_language_choices()
        self.fields["country"].choices = [("", "—"), *country_choices()]

    @classmethod
    def initial_from(
        cls, edit: ServiceEdit, *, version: int | None, organization: Organization | None
    ) -> dict[str, Any]:
        return {
            **{
                name: getattr(edit, name)
                for name in (
                    "original_language",
                    "name",
                    "description",
                    "eligibility_description",
                    "fees_description",
                    "status",
                    "free_of_charge",
                    "address_1",
                    "postal_code",
                    "city",
                    "country",
                    "latitude",
                    "longitude",
                    "url",
                    "email",
                )
            },
            "version": version,
            "organization_name": organization.name.text if organization else "",
            "terms": [str(pk) for pk in edit.terms],
            "languages": edit.languages,
            "documents": "\n".join(edit.documents),
            "phones": "\n".join(edit.phones),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        broken = self.has_error("latitude") or self.has_error("longitude")
        if (lat is None) != (lon is None) and not broken:
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        address = [cleaned.get(n) for n in ("address_1", "city")]
        if any(address) and not (all(address) and cleaned.get("country")):
            self.add_error("address_1", _("Give the street, the town and the country together."))
        if (lat is not None or lon is not None) and not cleaned.get("address_1"):
            self.add_error("address_1", _("Coordinates belong to an address: give it too."))
        return cleaned

    def edit(self, hours: list[HoursRow]) -> ServiceEdit:
        data = self.cleaned_data
        return ServiceEdit(
            name=data["name"],
            original_language=data["original_language"],
            description=data.get("description") or {},
            eligibility_description=data.get("eligibility_description") or {},
            fees_description=data.get("fees_description") or {},
            status=data["status"],
            url=data.get("url") or "",
            email=data.get("email") or "",
            terms=[uuid.UUID(pk) for pk in data.get("terms") or []],
            languages=list(data.get("languages") or []),
            free_of_charge=bool(data.get("free_of_charge")),
            documents=_lines(data.get("documents")),
            address_1=data.get("address_1") or "",
            postal_code=data.get("postal_code") or "",
            city=data.get("city") or "",
            country=data.get("country") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            phones=_lines(data.get("phones")),
            hours=hours,
        )


def _term_label(term: TaxonomyTerm) -> str:
    if term.parent is None:
        return term.name.text
    return f"{term.parent.name.text} › {term.name.text}"


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class HoursForm(forms.Form):
    """One row of regular opening hours (local time at the service's place)."""

    days = forms.MultipleChoiceField(
        label=_("Days"),
        required=False,
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-row"}),
    )
    opens_at = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=_("Closes"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Earlier than the opening time: open past midnight."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        filled = [bool(cleaned.get(n)) for n in ("days", "opens_at", "closes_at")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the days, the opening and the closing time."))
        return cleaned

    def row(self) -> HoursRow | None:
        data = self.cleaned_data
        if not data.get("days"):
            return None
        order = {code: index for index, code in enumerate(WEEKDAY_CODES)}
        days = tuple(sorted(data["days"], key=order.__getitem__))
        return HoursRow(days, data["opens_at"], data["closes_at"])


# absolute_max: else Django builds up to 1,014 forms for a forged TOTAL_FORMS (as in stories).
HoursFormSet = forms.formset_factory(
    HoursForm, extra=2, max_num=14, absolute_max=14, validate_max=True
)


def hours_initial(edit: ServiceEdit) -> list[dict[str, Any]]:
    return [
        {"days": list(row.days), "opens_at": row.opens_at, "closes_at": row.closes_at}
        for row in edit.hours
    ]


class SuggestionForm(forms.Form):
    note = forms.CharField(
        label=_("What should the directory say, and how do you know?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    name = forms.CharField(label=_("Name of the service"), max_length=300, required=False)
    organization = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    description = forms.CharField(
        label=_("What it offers"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=_("Street and house"), max_length=300, required=False)
    city = forms.CharField(label=_("Town"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=100, required=False)
    website = forms.CharField(label=_("Website"), max_length=500, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=500, required=False)
    languages = forms.CharField(label=_("Languages it is given in"), max_length=300, required=False)
    cost = forms.CharField(label=_("Cost"), max_length=300, required=False)

    def proposed(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in SUGGESTION_FIELDS}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not accepted"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the person who suggested it."),
    )
