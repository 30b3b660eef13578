"""What a person sees and does in the browser: the language switcher, the first visit's language,
the skip link, pages without JavaScript, text in a fallback language, and printing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from .conftest import LANGUAGES, demo_coordinator, demo_service

# Each language as it names itself on the switcher.
LANGUAGE_NAMES = {
    "lv": "Latviešu",
    "et": "Eesti",
    "en": "English",
    "uk": "Українська",
    "ru": "Русский",
}
# A browser set up in each language, as a person's would be.
BROWSER_LOCALES = {"lv": "lv-LV", "et": "et-EE", "en": "en-GB", "uk": "uk-UA", "ru": "ru-RU"}


def html_lang(page: Any) -> str | None:
    return page.locator("html").get_attribute("lang")


def in_viewport(page: Any, locator: Any) -> bool:
    """Whether the element is on screen, larger than a pixel, and not transparent or hidden."""
    box = locator.bounding_box()
    size = page.viewport_size
    if box is None or box["width"] <= 1 or box["height"] <= 1:
        return False
    on_screen = (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )
    shown = locator.evaluate(
        """(element) => {
            const style = getComputedStyle(element);
            return style.visibility !== "hidden" && Number(style.opacity) > 0
                && !["rect(0px, 0px, 0px, 0px)", "rect(1px, 1px, 1px, 1px)"].includes(style.clip);
        }"""
    )
    return on_screen and shown


def test_every_language_has_its_own_name() -> None:
    assert set(LANGUAGE_NAMES) == set(LANGUAGES) == set(BROWSER_LOCALES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_names_each_language_in_itself(
    page: Any, demo_data: None, language: str
) -> None:
    page.goto(f"/{language}/organisations/")
    links = page.locator("nav a[hreflang]")
    shown = [
        (link.get_attribute("hreflang"), link.inner_text().strip(), link.get_attribute("lang"))
        for link in links.all()
    ]
    assert shown == [(code, LANGUAGE_NAMES[code], code) for code in LANGUAGES]
    current = page.locator("nav a[hreflang][aria-current]")
    assert current.count() == 1 and current.get_attribute("hreflang") == language


def test_switching_language_keeps_the_page(page: Any, demo_data: None) -> None:
    page.goto("/en/organisations/")
    with page.expect_navigation():
        page.get_by_role("link", name="Українська", exact=True).click()
    assert page.evaluate("() => location.pathname") == "/uk/organisations/"
    assert html_lang(page) == "uk"


@pytest.mark.parametrize("language", LANGUAGES)
def test_first_visit_follows_the_browsers_language(
    new_page: Callable[..., Any], demo_data: None, language: str
) -> None:
    page = new_page(locale=BROWSER_LOCALES[language])
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.evaluate("() => location.pathname") == f"/{language}/"
    assert html_lang(page) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_skip_link_is_first_and_moves_focus_to_main(
    page: Any, demo_data: None, language: str
) -> None:
    page.goto(f"/{language}/organisations/")
    main_id = page.locator("main").get_attribute("id")
    assert main_id, "<main> needs an id for the skip link to point at"
    skip_link = page.locator(f"a[href='#{main_id}']").first
    assert not in_viewport(page, skip_link), "the skip link shows before it has focus"

    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({tag: document.activeElement.tagName, href: document.activeElement.getAttribute"
        "('href'), text: document.activeElement.textContent.trim()})"
    )
    assert focused["href"] == f"#{main_id}", f"the first Tab reaches {focused}, not the skip link"
    assert focused["text"], "the skip link has no text"
    assert in_viewport(page, skip_link), "the skip link stays hidden when it has focus"

    page.keyboard.press("Enter")
    active = page.evaluate("() => [document.activeElement.tagName, document.activeElement.id]")
    assert active == ["MAIN", main_id], f"after the skip link, focus is on {active}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_wrong_password_without_javascript_shows_a_neutral_error(
    new_page: Callable[..., Any], demo_data: None, language: str
) -> None:
    from kopa.accounts.forms import LoginForm

    _organisation, email = demo_coordinator()
    page = new_page(java_script_enabled=False)
    shown = []
    for attempt_email in (email, "nobody-at-all@demo.kopa.invalid"):
        page.goto(f"/{language}/accounts/login/")
        form = page.locator("main form").filter(has=page.locator("input[type=password]"))
        form.locator("input[name=username]").fill(attempt_email)
        form.locator("input[type=password]").fill("not-the-password")
        with page.expect_navigation() as navigation:
            form.locator("[type=submit]").click()
        assert navigation.value.status == 200
        assert page.url.endswith(f"/{language}/accounts/login/")
        assert html_lang(page) == language

        error = page.locator("main [role=alert]")
        assert error.count() == 1, "one error message, announced (role=alert)"
        shown.append(" ".join(error.inner_text().split()))
        # Next to the form: above its first field, and within the form's column.
        error_box = error.bounding_box()
        field_box = page.locator("main input[name=username]").bounding_box()
        assert error_box and field_box
        assert error_box["y"] + error_box["height"] <= field_box["y"] + 1
        assert abs(error_box["x"] - field_box["x"]) < 200

    with translation.override(language):
        expected = str(LoginForm.error_messages["invalid_login"])
    with translation.override("en"):
        english = str(LoginForm.error_messages["invalid_login"])
    assert shown[0] == shown[1], "the error tells a known address from an unknown one"
    assert shown[0] == expected
    if language != "en":
        assert expected != english, f"the login error is not translated into {language}"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_text_in_a_fallback_language_carries_its_lang(
    page: Any, demo_data: None, language: str
) -> None:
    from kopa.accounts.models import Organisation

    name = "Reading Room Named Only In English"
    Organisation.objects.create(
        slug="english-only-reading-room",
        name={"en": name},
        original_language="en",
        kind=Organisation.Kind.LIBRARY,
        country="LV",
    )
    for path in (
        f"/{language}/organisations/",
        f"/{language}/organisations/english-only-reading-room/",
    ):
        page.goto(path)
        assert html_lang(page) == language
        text = page.locator("main").get_by_text(name, exact=True).first
        marked = text.evaluate("(element) => element.closest('[lang]').getAttribute('lang')")
        assert marked == "en", f"{path}: {name!r} is inside lang={marked!r}"


def test_print_leaves_out_the_header(page: Any, demo_data: None) -> None:
    page.goto("/en/organisations/")
    header = page.locator("body > header")
    assert header.is_visible()
    page.emulate_media(media="print")
    assert header.is_hidden(), "the site header is printed"
    assert page.locator("main h1").is_visible(), "the page's content is not printed"


@pytest.mark.parametrize("path", ["/uk/directory/?q=jurista", "/uk/directory/services/{service}/"])
def test_the_directory_fits_a_small_phone_without_javascript(
    new_page: Callable[..., Any], demo_data: None, path: str
) -> None:
    page = new_page(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    response = page.goto(path.format(service=demo_service()))
    assert response is not None and response.status == 200
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{path}: the page is {width}px wide at 320px"
    assert page.locator("main h1").is_visible()
    if "?q=" in path:
        assert page.locator("main .card h3 a").count() >= 1, "the search found nothing"
