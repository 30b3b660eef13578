"""Every UI string has a translation in every language, and the compiled catalogs are current.

Each app keeps its strings in its own catalog (kopa/<app>/locale/); the strings of files outside
the apps (kopa/settings.py) are in kopa/locale/.

Strings are extracted in pure Python (Babel for Python code, Django's own templatize for templates)
so the test needs no GNU gettext on the machine.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

KOPA = Path(__file__).resolve().parents[2]
LOCALE = KOPA / "locale"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def source_files() -> list[Path]:
    files = []
    for path in sorted(KOPA.rglob("*")):
        parts = set(path.relative_to(KOPA).parts)
        if "tests" in parts or "migrations" in parts or "locale" in parts:
            continue
        if path.suffix in {".py", ".html", ".txt"} and (
            path.suffix == ".py" or "templates" in parts
        ):
            files.append(path)
    return files


def extract(path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every translatable string in one file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        # templatize keeps the template's indentation, which Python's tokenizer (unlike
        # xgettext) rejects when it dedents oddly; the strings are all we need.
        text = "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).splitlines())
    found = set()
    for _line, funcname, messages, _comments in extract_python(
        io.BytesIO(text.encode("utf-8")), KEYWORDS.keys(), [], {}
    ):
        if not isinstance(messages, tuple):
            messages = (messages,)
        if funcname.startswith(("pgettext", "npgettext")):
            context, msgid = messages[0], messages[1]
        else:
            context, msgid = None, messages[0]
        if isinstance(msgid, str) and msgid:
            found.add((context, msgid))
    return found


def locale_of(path: Path) -> Path:
    """The locale directory whose catalog must hold the strings of a source file."""
    parts = path.relative_to(KOPA).parts
    return KOPA / parts[0] / "locale" if len(parts) > 1 else LOCALE


def ui_strings(locale: Path | None = None) -> set[tuple[str | None, str]]:
    """The strings of every source file, or of those whose catalog is in `locale`."""
    strings: set[tuple[str | None, str]] = set()
    for path in source_files():
        if locale is None or locale_of(path) == locale:
            strings |= extract(path)
    return strings


def catalogs() -> list[Path]:
    return sorted({locale_of(path) for path in source_files()})


def catalog(locale: Path, language: str):
    with (locale / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=language.replace("-", "_"))


LANGUAGES = [code for code, _name in settings.LANGUAGES]
CATALOGS = [
    pytest.param(locale, language, id=f"{locale.relative_to(KOPA.parent)}-{language}")
    for locale in catalogs()
    for language in LANGUAGES
]


def test_the_extractor_finds_the_ui_strings():
    strings = {msgid for _context, msgid in ui_strings()}
    assert "Skip to main content" in strings  # a template
    assert "Choose a country from the list." in strings  # Python code
    assert len(strings) > 100


@pytest.mark.parametrize(("locale", "language"), CATALOGS)
def test_every_ui_string_is_translated(locale, language):
    po = catalog(locale, language)
    missing, empty, fuzzy = [], [], []
    for context, msgid in sorted(ui_strings(locale), key=lambda item: item[1]):
        message = po.get(msgid, context=context)
        if message is None:
            missing.append(msgid)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            empty.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
    problems = {"missing (run `make messages`)": missing, "untranslated": empty, "fuzzy": fuzzy}
    assert not any(problems.values()), f"{locale} {language}: " + "; ".join(
        f"{kind}: {items[:10]}" for kind, items in problems.items() if items
    )


@pytest.mark.parametrize(("locale", "language"), CATALOGS)
def test_the_compiled_catalog_matches_the_source(locale, language):
    po = catalog(locale, language)
    mo_path = locale / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if message.pluralizable:
            singular, plural = message.id
            got = (
                compiled.npgettext(message.context, singular, plural, 1)
                if message.context
                else (compiled.ngettext(singular, plural, 1))
            )
            if got != message.string[0]:
                stale.append(singular)
        else:
            got = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else compiled.gettext(message.id)
            )
            if got != message.string:
                stale.append(message.id)
    assert not stale, f"{locale} {language}: recompile with `make messages`: {stale[:10]}"
