"""Translatable user-entered content: one JSON object per field, {language code: text}.

Reading a TranslatedField gives a TranslatedText: a str in the active language. In a template,
`{{ activity.title }}` shows the text in the visitor's language, else in the record's original
language, else in English, else in any language it has; text shown in another language than the
page's is wrapped in an element with its own `lang` attribute so screen readers pronounce it
right. Use `.text` for the plain string (attributes, <title>, mail subjects) and the `paragraphs`
filter for long text.

Why JSON per field: names, titles and purposes are short and read together with their record.
Text that must be searched per language (directory services, stories) gets its own search index
built from these values, so the storage stays simple (see docs/i18n.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

FALLBACK_LANGUAGE = "en"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in language_codes() else settings.LANGUAGE_CODE


class TranslatedText(str):
    """The text of one translatable field, chosen for the active language when it is read.

    It is a str (so templates escape it through `__html__`, which adds the `lang` mark), and it
    carries every translation (`.translations`), the language shown (`.lang`) and the plain text
    (`.text`).
    """

    lang: str
    original: str | None
    translations: dict[str, str]

    def __new__(
        cls,
        translations: Mapping[str, str] | None = None,
        original: str | None = None,
        language: str | None = None,
    ) -> TranslatedText:
        values = {k: v for k, v in (translations or {}).items() if isinstance(v, str) and v}
        wanted = language or current_language()
        chosen = ""
        chosen_lang = wanted
        for code in [wanted, original, FALLBACK_LANGUAGE, *sorted(values)]:
            if code and values.get(code):
                chosen, chosen_lang = values[code], code
                break
        value = super().__new__(cls, chosen)
        value.lang = chosen_lang
        value.original = original
        value.translations = values
        value.wanted = wanted
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (TranslatedText, (self.translations, self.original, self.wanted))

    @property
    def text(self) -> str:
        return str.__str__(self)

    @property
    def is_fallback(self) -> bool:
        return self.lang != self.wanted

    def get(self, language: str, default: str = "") -> str:
        return self.translations.get(language, default)

    def __html__(self) -> SafeString:
        if not self.is_fallback:
            return escape(self.text)
        return format_html('<span lang="{}">{}</span>', self.lang, self.text)

    def paragraphs(self) -> SafeString:
        """Long text as <p> elements; blank lines separate paragraphs."""
        return text_paragraphs(self.text, self.lang if self.is_fallback else None)


def text_paragraphs(text: str, lang: str | None = None) -> SafeString:
    """Plain text into escaped <p> elements, each with `lang` when the text is in another one."""
    blocks = [block.strip() for block in str(text).split("\n\n") if block.strip()]
    if lang is None:
        return format_html_join("\n", "<p>{}</p>", ((block,) for block in blocks))
    return format_html_join("\n", '<p lang="{}">{}</p>', ((lang, block) for block in blocks))


def raw_translations(value: Any) -> Any:
    """The stored {language: text} behind a value read from a TranslatedField."""
    return value.translations if isinstance(value, TranslatedText) else value


class TranslationsDescriptor(DeferredAttribute):
    """Reading gives a TranslatedText in the active language; the dict stays in __dict__.

    A data descriptor (it has __set__), so it runs on every read, after the language of the
    request or the mail is active.
    """

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        raw = super().__get__(instance, cls)
        original = getattr(instance, self.field.original_language_field, None)
        return TranslatedText(raw if isinstance(raw, Mapping) else {}, original)

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = raw_translations(value)


def validate_translations(value: Any) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError(_("Enter the text as language: text pairs."), code="invalid")
    unknown = sorted(set(value) - set(language_codes()))
    if unknown:
        raise ValidationError(
            _("Language codes not known: %(codes)s."),
            code="unknown_language",
            params={"codes": ", ".join(unknown)},
        )
    if any(not isinstance(text, str) for text in value.values()):
        raise ValidationError(_("Every translation must be text."), code="invalid")


class TranslatedField(models.JSONField):
    """A text field with one value per UI language; see the module docstring."""

    descriptor_class = TranslationsDescriptor

    def __init__(
        self,
        *args: Any,
        original_language_field: str = "original_language",
        multiline: bool = False,
        max_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.original_language_field = original_language_field
        self.multiline = multiline
        self.text_max_length = max_length
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.original_language_field != "original_language":
            kwargs["original_language_field"] = self.original_language_field
        if self.multiline:
            kwargs["multiline"] = True
        if self.text_max_length is not None:
            kwargs["max_length"] = self.text_max_length
        if kwargs.get("default") is dict:
            del kwargs["default"]
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        return model_instance.__dict__.get(self.attname)

    def value_from_object(self, obj: models.Model) -> Any:
        return obj.__dict__.get(self.attname)

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        return super().clean(raw_translations(value), model_instance)

    def get_prep_value(self, value: Any) -> Any:
        value = raw_translations(value)
        if isinstance(value, Mapping):
            value = {code: text for code, text in value.items() if text}
        return super().get_prep_value(value)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        validate_translations(value)
        if not self.blank and not any(value.values()):
            raise ValidationError(self.error_messages["blank"], code="blank")
        if self.text_max_length:
            for text in value.values():
                if len(text) > self.text_max_length:
                    raise ValidationError(
                        _("Keep each translation to %(limit)d characters or fewer."),
                        code="max_length",
                        params={"limit": self.text_max_length},
                    )

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults = {
            "form_class": TranslatedFormField,
            "required": not self.blank,
            "multiline": self.multiline,
            "max_length": self.text_max_length,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("encoder", None)
        defaults.pop("decoder", None)
        return form_class(label=self.verbose_name, help_text=self.help_text, **defaults)


class TranslatedWidget(forms.MultiWidget):
    """One input per language, each labelled with the language's own name and its lang."""

    template_name = "core/widgets/translated.html"

    def __init__(self, *, multiline: bool = False, attrs: dict[str, Any] | None = None):
        self.multiline = multiline
        widget = forms.Textarea(attrs={"rows": 4}) if multiline else forms.TextInput()
        super().__init__([widget] * len(language_codes()), attrs)

    def decompress(self, value: Any) -> list[str]:
        value = value if isinstance(value, Mapping) else {}
        return [value.get(code, "") for code in language_codes()]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, (code, name) in zip(
            context["widget"]["subwidgets"], language_choices(), strict=True
        ):
            subwidget["attrs"]["lang"] = code
            subwidget["language_code"] = code
            subwidget["language_name"] = name
        return context


class TranslatedFormField(forms.MultiValueField):
    def __init__(
        self,
        *,
        multiline: bool = False,
        max_length: int | None = None,
        required: bool = True,
        **kwargs: Any,
    ) -> None:
        fields = [
            forms.CharField(required=False, max_length=max_length, strip=True)
            for _code in language_codes()
        ]
        kwargs.pop("widget", None)
        super().__init__(
            fields,
            widget=TranslatedWidget(multiline=multiline),
            require_all_fields=False,
            required=required,
            **kwargs,
        )

    def compress(self, data_list: Iterable[str]) -> dict[str, str]:
        return {
            code: text
            for code, text in zip(language_codes(), data_list or [], strict=False)
            if text
        }


# Each language named in itself, as on the switcher (Django's own list writes some in lower case).
LANGUAGE_NAMES_LOCAL = {
    "lv": "Latviešu",
    "et": "Eesti",
    "en": "English",
    "uk": "Українська",
    "ru": "Русский",
}


def language_choices() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES_LOCAL.get(code, code)) for code in language_codes()]
