"""Countries (ISO 3166-1) and languages (ISO 639-1), named in the visitor's language from CLDR."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kopa.core.i18n import current_language

# CLDR groupings and placeholders that are not countries.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


@cache
def _territories(language: str) -> dict[str, str]:
    names = Locale.parse(language).territories
    # Two letters are countries; CLDR also lists regions such as "001" and sub-regions.
    return {
        code: name
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


def country_name(code: str, language: str | None = None) -> str:
    return _territories(language or current_language()).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    names = _territories(current_language())
    return sorted(names.items(), key=lambda item: item[1])


def validate_country(code: str) -> None:
    if code not in _territories("en"):
        raise ValidationError(_("Choose a country from the list."), code="invalid_country")


@cache
def language_names(language: str) -> dict[str, str]:
    """Two-letter language codes with their names in `language` (for working languages)."""
    names = Locale.parse(language).languages
    return {code: name for code, name in names.items() if len(code) == 2 and code.isalpha()}


def language_name(code: str, language: str | None = None) -> str:
    return language_names(language or current_language()).get(code, code)


# Offered as checkboxes on forms: the UI languages first, then the region's neighbours. Data
# from elsewhere (imports, the admin) may hold any ISO 639-1 code.
COMMON_LANGUAGES = ["lv", "et", "uk", "ru", "en", "lt", "pl", "be", "fi", "sv", "da", "de"]


def spoken_language_choices() -> list[tuple[str, str]]:
    names = language_names(current_language())
    return [(code, names.get(code, code)) for code in COMMON_LANGUAGES]
