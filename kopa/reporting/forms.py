from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.programme.models import Activity
from kopa.reporting.models import DisseminationEntry, Grant

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A report longer than this is a typo in a year, not a real grant period.
MAX_PERIOD_DAYS = 20 * 366


class GrantForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Grant
        fields = [
            "programme",
            "action",
            "call_year",
            "agreement_number",
            "national_agency",
            "start_date",
            "end_date",
            "currency",
            "lump_sum",
            "external_cofinancing",
            "municipal_contribution",
        ]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The period must end on or after its first day."))
        return data


class AllocationForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Partner"))
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        label=_("Activity"),
        required=False,
        empty_label=_("— the partner's general costs —"),
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=12, decimal_places=2)
    purpose = forms.CharField(label=_("What it pays for"), max_length=200, required=False)

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(
            partnerships__project=grant.project
        ).order_by("slug")
        self.fields["activity"].queryset = Activity.objects.filter(project=grant.project).order_by(
            "planned_start", "position", "slug"
        )
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": grant.currency}


class DisseminationForm(forms.ModelForm):
    link = forms.URLField(label=_("link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = DisseminationEntry
        fields = ["date", "kind", "title", "language", "link", "reach", "eu_visibility"]
        widgets = {"date": DATE_INPUT}


class ActivityNoteForm(forms.Form):
    changed = forms.BooleanField(label=_("Held, but not as planned"), required=False)
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("What changed or why it did not take place, for the funder's report."),
    )
    language = forms.ChoiceField(
        label=_("Language of the justification"), choices=settings.LANGUAGES
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("changed") and not (data.get("justification") or "").strip():
            self.add_error("justification", _("Say what changed and why."))
        return data


class PeriodForm(forms.Form):
    """The period a report covers, from the address (?from=…&until=…)."""

    report = forms.ChoiceField(label=_("Report"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)

    def __init__(
        self, *args: Any, reports: list[tuple[str, str]], grant: Grant, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grant = grant
        self.fields["report"].choices = reports
        self.fields["start"].initial = grant.start_date
        self.fields["end"].initial = grant.end_date

    def clean_defaults(self) -> dict[str, Any]:
        """What an unbound form means: the first report over the whole grant period."""
        return {
            "report": self.fields["report"].choices[0][0],
            "start": self.grant.start_date,
            "end": self.grant.end_date,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["report"] = data.get("report") or self.fields["report"].choices[0][0]
        start: dt.date = data.get("start") or self.grant.start_date
        end: dt.date = data.get("end") or self.grant.end_date
        if end < start:
            raise forms.ValidationError(_("The period must end on or after its first day."))
        if (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most twenty years."))
        data["start"], data["end"] = start, end
        return data


class ExportForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the export"), choices=settings.LANGUAGES)
