from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils.translation import override

from kopa.accounts.tests.factories import make_organisation
from kopa.core.i18n import TranslatedFormField, TranslatedText


def render(template: str, **context) -> str:
    return Template("{% load kopa %}" + template).render(Context(context))


def test_it_shows_the_visitors_language_when_the_text_has_it():
    name = TranslatedText({"lv": "Bibliotēka", "en": "Library"}, original="lv")
    with override("en"):
        assert render("{{ name }}", name=name) == "Library"


def test_it_falls_back_to_the_original_language_and_marks_it():
    with override("uk"):
        name = TranslatedText({"lv": "Bibliotēka", "en": "Library"}, original="lv")
        assert render("{{ name }}", name=name) == '<span lang="lv">Bibliotēka</span>'


def test_it_falls_back_to_english_when_the_original_is_missing():
    with override("ru"):
        name = TranslatedText({"en": "Library", "et": "Raamatukogu"}, original="lv")
        assert name == "Library"
        assert name.lang == "en"
        assert name.is_fallback


def test_it_falls_back_to_any_language_when_english_is_missing_too():
    with override("uk"):
        name = TranslatedText({"et": "Raamatukogu"}, original="lv")
        assert render("{{ name }}", name=name) == '<span lang="et">Raamatukogu</span>'


def test_it_escapes_html_in_user_text():
    name = TranslatedText({"en": "<script>alert(1)</script>"}, original="en")
    with override("lv"):
        html = render("{{ name }}", name=name)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_python_code_reads_plain_text():
    with override("en"):
        name = TranslatedText({"lv": "Bibliotēka"}, original="lv")
        assert f"{name}" == "Bibliotēka"
        assert name.get("lv") == "Bibliotēka"
        assert name.is_fallback


def test_plain_text_has_no_markup_for_attributes_and_titles():
    name = TranslatedText({"lv": "Bibliotēka"}, original="lv")
    with override("en"):
        assert render('<a title="{{ name.text }}">', name=name) == '<a title="Bibliotēka">'


def test_paragraphs_carry_the_fallback_language():
    stored = {"lv": "Pirmā.\n\nOtrā <b>daļa</b>."}
    with override("en"):
        html = render("{{ text|paragraphs }}", text=TranslatedText(stored, original="lv"))
    assert html == '<p lang="lv">Pirmā.</p>\n<p lang="lv">Otrā &lt;b&gt;daļa&lt;/b&gt;.</p>'
    with override("lv"):
        html = render("{{ text|paragraphs }}", text=TranslatedText(stored, original="lv"))
    assert html.startswith("<p>Pirmā.</p>")


@pytest.mark.django_db
def test_a_model_field_reads_as_translations_with_the_records_original_language():
    organisation = make_organisation(
        name={"et": "Kärdla linna raamatukogu"}, original_language="et"
    )
    organisation.refresh_from_db()
    assert isinstance(organisation.name, TranslatedText)
    assert organisation.name.original == "et"
    with override("lv"):
        assert str(organisation.name) == "Kärdla linna raamatukogu"
        assert organisation.name.is_fallback


@pytest.mark.django_db
def test_a_model_rejects_unknown_language_codes():
    organisation = make_organisation()
    organisation.name = {"de": "Bibliothek"}
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "name" in error.value.message_dict


@pytest.mark.django_db
def test_empty_translations_are_not_stored():
    organisation = make_organisation(name={"en": "Library", "lv": ""})
    organisation.refresh_from_db()
    assert organisation.name.translations == {"en": "Library"}


def test_the_form_field_needs_at_least_one_language():
    field = TranslatedFormField()
    with pytest.raises(ValidationError):
        field.clean(["", "", "", "", ""])
    assert field.clean(["", "", "Library", "", ""]) == {"en": "Library"}


def test_the_form_widget_labels_each_input_with_its_language_in_itself():
    field = TranslatedFormField()
    html = field.widget.render("name", {"lv": "Bibliotēka"}, attrs={"id": "id_name"})
    for code, label in [("lv", "Latviešu"), ("et", "Eesti"), ("uk", "Українська")]:
        assert f'lang="{code}"' in html
        assert label in html
    assert 'value="Bibliotēka"' in html
