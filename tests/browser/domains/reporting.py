"""This domain's pages for the browser and accessibility tests (see tests/browser/conftest.py).

The reports are about the seeded Kopā tālāk project (slug kopa-talak), whose grant record and
demo allocations `kopa seed --demo` loads; its partner Valmiera library's coordinator and the
demo project admin may see them.
"""

from __future__ import annotations

from tests.browser.site_pages import Placeholder, SitePage

PAGES: list[SitePage] = [
    SitePage("reports", "/reports/", login="admin"),
    SitePage("report-dashboard", "/reports/kopa-talak/", login="admin"),
    SitePage(
        "report-dashboard-empty",
        "/reports/kopa-talak/?start=2030-01-01&end=2030-12-31",
        login="coordinator",
    ),
    SitePage("report-grant", "/reports/kopa-talak/grant/", login="coordinator"),
    SitePage("report-allocations", "/reports/kopa-talak/allocations/", login="coordinator"),
    SitePage("report-dissemination", "/reports/kopa-talak/dissemination/", login="admin"),
]

PLACEHOLDERS: dict[str, Placeholder] = {}
