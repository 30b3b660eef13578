"""The directory's map: loaded only on request, drawn from the page's own data, accessible."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LANGUAGES, axe_violations, demo_service, describe_violations


@pytest.fixture
def local_tiles(settings: Any) -> None:
    # Tiles from the site itself: the test never reaches out to a tile server (they 404 here).
    settings.KOPA_MAP_TILES = "/static/no-tiles/{z}/{x}/{y}.png"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_map_loads_on_request_and_passes_axe(
    page: Any, page_errors: list[str], demo_data: None, local_tiles: None, language: str
) -> None:
    demo_service()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"/{language}/directory/")
    assert not any("leaflet" in url for url in requested), "Leaflet loaded before it was asked for"
    page.locator(".directory-map-show").click()
    marker = page.locator(".directory-map-canvas .leaflet-marker-icon")
    marker.first.wait_for()
    assert marker.count() >= 1
    # several services may share a spot; a click on the first marker must reach it anyway
    marker.first.dispatch_event("click")
    popup_link = page.locator(".leaflet-popup-content a")
    assert "/directory/services/" in (popup_link.get_attribute("href") or "")
    # axe measures contrast as painted: wait for the popup's fade-in to end
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page_errors, "; ".join(page_errors)


def test_without_javascript_there_is_no_map_and_the_list_is_whole(
    new_page: Any, demo_data: None
) -> None:
    demo_service()
    page = new_page(java_script_enabled=False)
    page.goto("/en/directory/")
    assert page.locator("#directory-map").is_hidden()
    assert page.locator("main .card h3 a").count() >= 1
