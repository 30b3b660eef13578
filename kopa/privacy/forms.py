from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DataRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "The address you registered with or log in with. We send a link to it; only "
            "whoever reads that mailbox can open it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address such as name@example.org."),
        },
    )


class EraseForm(forms.Form):
    understood = forms.BooleanField(
        label=_(
            "I understand that everything shown on the previous page is erased and cannot be "
            "brought back."
        ),
        error_messages={"required": _("Tick the box to confirm, or go back.")},
    )
