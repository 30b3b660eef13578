from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from kopa.accounts import throttle
from kopa.accounts.models import Membership, Organisation, User
from kopa.accounts.services import ORGANISATION_FIELDS
from kopa.core.countries import country_choices
from kopa.core.i18n import language_choices


class LoginForm(auth_forms.AuthenticationForm):
    throttled = False

    error_messages = {
        "invalid_login": _("The email address or the password is incorrect. Check both."),
        "inactive": _("This account is not active."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True}
        )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict[str, Any]:
        # Counted before the password is checked: a refused attempt learns nothing.
        email = self.cleaned_data.get("username") or ""
        if self.request is not None and not throttle.login_allowed(self.request, email):
            self.throttled = True
            raise forms.ValidationError(TOO_MANY_ATTEMPTS, code="throttled")
        return super().clean()


TOO_MANY_ATTEMPTS = _(
    "There have been too many attempts to log in. Wait a quarter of an hour and try again, or "
    "choose a new password with the link below."
)


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )


class TwoFactorCodeForm(forms.Form):
    """The login's second step."""

    code = _code_field()


class TwoFactorSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("The six digits the app shows after you scanned the QR code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class PasswordAndCodeForm(forms.Form):
    """Turning the second step off or renewing recovery codes: who asks must prove both."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = _code_field()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also reaches invited people who have not set a password yet, in their own language."""

    def get_users(self, email: str) -> Any:
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        user = args[2]["user"] if len(args) > 2 else kwargs["context"]["user"]
        with override(user.preferred_language):
            super().send_mail(*args, **kwargs)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    preferred_language = forms.ChoiceField(
        label=_("Language for mail"),
        choices=language_choices,
        help_text=_("Messages from the platform are sent to you in this language."),
    )


class OrganisationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {"country": forms.Select, "original_language": forms.Select}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].widget.choices = country_choices()
        self.fields["original_language"].choices = language_choices()
        self.fields["original_language"].help_text = _(
            "The language the name and description were first written in."
        )
        self.fields["version"].initial = self.instance.version


class MembershipAddForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    preferred_language = forms.ChoiceField(
        label=_("Language for mail"), choices=language_choices, initial=settings.LANGUAGE_CODE
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
