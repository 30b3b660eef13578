"""This domain's pages for the browser and accessibility tests (see tests/browser/conftest.py)."""

from __future__ import annotations

from tests.browser.site_pages import Placeholder, SitePage

PAGES: list[SitePage] = []

PLACEHOLDERS: dict[str, Placeholder] = {}
