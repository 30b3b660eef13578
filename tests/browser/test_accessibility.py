"""WCAG 2.1 A and AA, as axe-core checks them, on every page in every language, and the home page
on a 320 px wide screen (WCAG 1.4.10 reflow: no scrolling sideways)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import LANGUAGES, PAGES, SitePage, axe_violations, describe_violations

NARROW = {"width": 320, "height": 640}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("site_page", PAGES, ids=[site_page.name for site_page in PAGES])
def test_page_has_no_axe_violations(
    visit: Callable[[SitePage, str], Any],
    site_tab: Any,
    site_tab_errors: list[str],
    site_page: SitePage,
    language: str,
) -> None:
    visit(site_page, language)
    page = site_tab
    assert page.evaluate("() => document.documentElement.lang") == language
    violations = axe_violations(page)
    assert not violations, (
        f"{page.url}: {len(violations)} accessibility rule(s) broken:\n"
        + describe_violations(violations)
    )
    assert not site_tab_errors, f"{page.url}: " + "; ".join(site_tab_errors)


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_fits_a_320px_screen(
    new_page: Callable[..., Any], demo_data: None, language: str
) -> None:
    page = new_page(viewport=NARROW)
    response = page.goto(f"/{language}/")
    assert response is not None and response.status == 200
    widths = page.evaluate(
        "() => ({document: document.documentElement.scrollWidth, body: document.body.scrollWidth})"
    )
    if widths["document"] > NARROW["width"]:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll("body *")]
                .filter((element) => element.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 5)
                .map((element) => element.tagName.toLowerCase()
                    + (element.id ? "#" + element.id : "")
                    + (element.className && typeof element.className === "string"
                        ? "." + element.className.trim().split(/\\s+/).join(".") : "")
                    + " (" + Math.round(element.getBoundingClientRect().right) + "px)")""",
            NARROW["width"],
        )
        pytest.fail(
            f"/{language}/ at 320 px scrolls sideways: scrollWidth {widths['document']}px; "
            f"elements reaching past 320 px: {', '.join(wide)}"
        )
    violations = axe_violations(page)
    assert not violations, (
        f"/{language}/ at 320 px: {len(violations)} accessibility rule(s) broken:\n"
        + describe_violations(violations)
    )
