"""The browser harness: Debian's Chromium driven by sync Playwright against pytest-django's
live server, with the demo content seeded in each test's database, and axe-core for
accessibility checks.

Every test under tests/browser gets the `browser` marker and is skipped, with the reason, when
Chromium or axe-core is missing. Playwright's own browser downloads are never used.

The pages every test visits are listed once, in PAGES below: a new page is one more line there.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from .site_pages import Placeholder, SitePage

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DEMO_PASSWORD = "kopa-demo"
DEMO_EMAIL_DOMAIN = "@demo.kopa.invalid"
# The organisation whose pages are visited, if the demo content has it with a coordinator;
# otherwise the first demo organisation that has one.
PREFERRED_ORGANISATION = "valmiera-library"


# Every page a person can reach with the demo content. Domains append their pages here.
PAGES: list[SitePage] = [
    SitePage("home", "/"),
    SitePage("organisation-list", "/organisations/"),
    SitePage("organisation-detail", "/organisations/{organisation}/"),
    SitePage("login", "/accounts/login/"),
    SitePage("password-reset", "/accounts/password-reset/"),
    SitePage("not-found", "/no-such-page/", status=404),
    SitePage("profile", "/accounts/profile/", login="coordinator"),
    SitePage("two-factor", "/accounts/two-factor/", login="coordinator"),
    SitePage("two-factor-code", "/accounts/two-factor/code/"),
    SitePage("organisation-edit", "/organisations/{organisation}/edit/", login="coordinator"),
    SitePage("organisation-people", "/organisations/{organisation}/people/", login="coordinator"),
    SitePage("privacy", "/privacy/"),
    SitePage("programme", "/programme/"),
    SitePage("programme-past", "/programme/?when=past"),
    SitePage("project-plan", "/programme/plan/"),
    SitePage("activity", "/programme/{activity}/"),
    SitePage("register", "/programme/{activity}/register/"),
    SitePage("registration", "/programme/r/{registration}/"),
    SitePage("certificate-verify", "/programme/certificates/{certificate}/"),
    SitePage("manage-list", "/programme/manage/", login="coordinator"),
    SitePage("manage-activity", "/programme/manage/{activity}/", login="coordinator"),
    SitePage("manage-edit", "/programme/manage/{activity}/edit/", login="coordinator"),
    SitePage("manage-questions", "/programme/manage/{activity}/questions/", login="coordinator"),
    SitePage("manage-photos", "/programme/manage/{activity}/photos/", login="coordinator"),
    SitePage("manage-cancel", "/programme/manage/{activity}/cancel/", login="coordinator"),
    SitePage("manage-new", "/programme/manage/new/", login="coordinator"),
    SitePage("directory", "/directory/"),
    SitePage("directory-search", "/directory/?q=bibliot%C4%93ka"),
    SitePage("directory-service", "/directory/services/{service}/"),
    # The people of the circle and keeping the directory true (kopa/circle; fixed demo ids).
    SitePage("circle-people", "/directory/people/", login="member"),
    SitePage(
        "circle-person", "/directory/people/be589804-876a-5e28-b4de-d713ae847e8c/", login="member"
    ),
    SitePage("circle-profile-edit", "/directory/people/me/", login="member"),
    SitePage(
        "circle-message",
        "/directory/people/be589804-876a-5e28-b4de-d713ae847e8c/write/",
        login="member",
    ),
    SitePage("circle-suggest", "/directory/suggest/", login="member"),
    SitePage("circle-suggest-correction", "/directory/services/{service}/suggest/", login="member"),
    SitePage("circle-manage", "/directory/manage/", login="editor"),
    SitePage("circle-manage-new", "/directory/manage/new/", login="editor"),
    SitePage("circle-manage-edit", "/directory/manage/services/{service}/", login="editor"),
    SitePage("circle-manage-review", "/directory/manage/review/", login="editor"),
    SitePage("circle-manage-suggestions", "/directory/manage/suggestions/", login="editor"),
    SitePage(
        "circle-manage-suggestion",
        "/directory/manage/suggestions/4e868ab9-39bf-5790-908c-b053225bf7f9/",
        login="coordinator",
    ),
]

# Each domain lists its own pages and the placeholders they use in tests/browser/domains/<name>.py:
# `PAGES: list[SitePage]` and `PLACEHOLDERS: dict[str, Placeholder]`.
DOMAINS = ("stories", "learning", "reporting", "privacy")
PLACEHOLDERS: dict[str, Placeholder] = {}
for _domain in DOMAINS:
    _module = importlib.import_module(f"tests.browser.domains.{_domain}")
    PAGES += _module.PAGES
    PLACEHOLDERS |= _module.PLACEHOLDERS


def demo_registration(activity_slug: str) -> tuple[str, str]:
    """(private token, certificate code) of an attended registration for the activity."""
    from django.utils import timezone

    from kopa.core.models import PrivacyNotice
    from kopa.programme import services
    from kopa.programme.documents import certificate_code
    from kopa.programme.links import private_token
    from kopa.programme.models import Activity, Registration

    activity = Activity.objects.get(slug=activity_slug)
    email = "olena@demo.kopa.invalid"
    # The shared site keeps its data from test to test: one registration serves them all.
    registration = activity.registrations.filter(email=email).first() or (
        services.registration_create(
            activity=activity,
            name="Olena Demo",
            email=email,
            country="UA",
            language="uk",
            consent_notice=PrivacyNotice.objects.order_by("-version").first(),
        )
    )
    Registration.objects.filter(pk=registration.pk).update(attended_at=timezone.now())
    registration.refresh_from_db()
    return private_token(registration), certificate_code(registration)


def demo_service() -> str:
    """The id of a new directory service, imported the way a feed would be."""
    from kopa.circle.tests.factories import make_service

    return str(make_service(assured_date="2026-10-01").pk)


def demo_activity(organisation_slug: str) -> str:
    from kopa.programme.models import Activity

    activity = (
        Activity.objects.filter(organisers__slug=organisation_slug, status="open", is_demo=True)
        .order_by("starts_at")
        .first()
    )
    if activity is None:
        raise AssertionError(f"the demo content has no open activity of {organisation_slug}")
    return activity.slug


def missing_tools() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    if not AXE_SCRIPT.exists():
        missing.append(f"{AXE_SCRIPT.relative_to(ROOT)} is missing (run `npm ci`)")
    return "; ".join(missing) or None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    reason = missing_tools()
    ours = [item for item in items if here in Path(item.path).resolve().parents]
    if ours and reason and os.environ.get("KOPA_REQUIRE_BROWSER_TESTS", "").lower() == "true":
        # CI sets this: there, browser tests that silently skip would hide broken pages.
        raise pytest.UsageError(f"KOPA_REQUIRE_BROWSER_TESTS is set but {reason}")
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(
                pytest.mark.skip(reason=f"browser tests need Chromium and axe-core: {reason}")
            )


# --- Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _page_opener(browser: Any, base_url: str) -> tuple[Callable[..., Any], list[Any]]:
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("base_url", base_url)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    return open_page, contexts


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a new browser context; keyword arguments go to `browser.new_context`
    (viewport, locale, java_script_enabled, extra_http_headers...). Closed after the test."""
    open_page, contexts = _page_opener(browser, live_server.url)
    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page in a fresh context: no cookies, 1280×900, the site's Content-Security-Policy on."""
    return new_page()


def watch_errors(page: Any) -> list[str]:
    """What breaks silently for a visitor of `page`: uncaught script errors and anything the
    Content-Security-Policy blocks (an inline style or script, a resource from elsewhere)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.type}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return errors


@pytest.fixture
def page_errors(page: Any) -> list[str]:
    return watch_errors(page)


# --- The shared site: demo content seeded once, for tests that only look ----------------------


@pytest.fixture(scope="session")
def site_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A live server of its own, outside pytest-django's `live_server`: that one makes every test
    transactional, which empties the database after each test, and seeding the demo content
    again for each of the hundreds of page × language visits would take most of the CI's time.
    Tests on this server only look at pages (and make what a page needs, idempotently)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        # pytest-django sets up the test database only when some selected test asks for `db` or
        # `live_server`; when these pages are all that runs, it is set up here.
        own = None
        if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
            own = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        yield server
        server._live_server_modified_settings.disable()
        server.stop()
        if own is not None:
            teardown_databases(own, verbosity=0)


@pytest.fixture(scope="module")
def shared_database(site_server: Any, django_db_blocker: Any) -> Iterator[None]:
    """Empties the database after the module's tests, as the other tests expect to find it."""
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def shared_site(site_server: Any, shared_database: None, django_db_blocker: Any) -> Iterator[Any]:
    """The shared server with the demo content in its database: seeded the first time, and again
    after a transactional test emptied the database."""
    from kopa.accounts.models import User

    with django_db_blocker.unblock():
        if not User.objects.filter(email=f"admin{DEMO_EMAIL_DOMAIN}").exists():
            call_command("seed", "--demo", verbosity=0)
        yield site_server


@pytest.fixture
def site_tab(browser: Any, shared_site: Any) -> Iterator[Any]:
    """A page in a fresh browser context on the shared site (as `page` is on `live_server`)."""
    open_page, contexts = _page_opener(browser, shared_site.url)
    yield open_page()
    for context in contexts:
        context.close()


@pytest.fixture
def site_tab_errors(site_tab: Any) -> list[str]:
    return watch_errors(site_tab)


# --- Data -------------------------------------------------------------------------------------


@pytest.fixture
def demo_data(live_server: Any) -> None:
    """The demo content (`kopa seed --demo`) in this test's database; live-server tests use a
    transactional database, emptied after each test, so every test seeds its own."""
    call_command("seed", "--demo", verbosity=0)


def demo_coordinator(organisation_slug: str | None = None) -> tuple[str, str]:
    """(organisation slug, email) of a demo coordinator, preferring PREFERRED_ORGANISATION."""
    from kopa.accounts.models import Membership

    coordinators = Membership.objects.filter(
        role=Membership.Role.COORDINATOR,
        user__is_active=True,
        user__email__endswith=DEMO_EMAIL_DOMAIN,
    ).select_related("organisation", "user")
    if organisation_slug:
        coordinators = coordinators.filter(organisation__slug=organisation_slug)
    choices = sorted(
        coordinators,
        key=lambda m: (m.organisation.slug != PREFERRED_ORGANISATION, m.organisation.slug, m.pk),
    )
    if not choices:
        raise AssertionError(
            "the demo content has no coordinator with an email ending in "
            f"{DEMO_EMAIL_DOMAIN}{f' for {organisation_slug}' if organisation_slug else ''}"
        )
    return choices[0].organisation.slug, choices[0].user.email


def demo_person(role: str) -> str:
    """The email of a demo person who is a project admin ("admin"), or who has the membership
    role `role` ("editor", "member") in some organisation."""
    from kopa.accounts.models import Membership, User

    people = User.objects.filter(is_active=True, email__endswith=DEMO_EMAIL_DOMAIN)
    if role == "admin":
        people = people.filter(is_project_admin=True)
    elif role in Membership.Role.values:
        people = people.filter(memberships__role=role, is_project_admin=False)
    else:
        raise ValueError(f"unknown login {role!r}")
    email = people.order_by("email").values_list("email", flat=True).first()
    if email is None:
        raise AssertionError(f"the demo content has no {role} with an email in {DEMO_EMAIL_DOMAIN}")
    return email


def log_in(page: Any, email: str, language: str = "en", password: str = DEMO_PASSWORD) -> None:
    """Log in through the site's own login form, as a person would (as nobody before)."""
    page.context.clear_cookies()
    page.goto(f"/{language}/accounts/login/")
    form = page.locator("main form").filter(has=page.locator("input[type=password]"))
    form.locator("input[name=username]").fill(email)
    form.locator("input[type=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    if "/accounts/login/" in page.url:
        errors = page.locator("main [role=alert], main .errorlist").all_inner_texts()
        raise AssertionError(f"logging in as {email} failed: {errors or page.url}")


@pytest.fixture
def visit(site_tab: Any, shared_site: Any) -> Callable[[SitePage, str], Any]:
    """Open a SitePage in a language in `site_tab`, on the shared site, logging in first when it
    needs to; checks the status and that the browser stayed on the page's address. Returns the
    Playwright response."""
    page = site_tab

    def open_site_page(site_page: SitePage, language: str) -> Any:
        organisation, coordinator = demo_coordinator()
        values = {"organisation": organisation}
        if "{activity}" in site_page.path or "{registration}" in site_page.path:
            values["activity"] = demo_activity(organisation)
        if "{registration}" in site_page.path or "{certificate}" in site_page.path:
            values["registration"], values["certificate"] = demo_registration(
                demo_activity(organisation)
            )
        if "{service}" in site_page.path:
            values["service"] = demo_service()
        for name, placeholder in PLACEHOLDERS.items():
            if "{" + name + "}" in site_page.path:
                values[name] = placeholder(organisation)
        path = f"/{language}{site_page.path.format(**values)}"
        if site_page.login == "coordinator":
            log_in(page, coordinator, language)
        elif site_page.login is not None:
            log_in(page, demo_person(site_page.login), language)
        response = page.goto(path)
        assert response is not None, path
        assert response.status == site_page.status, (
            f"{path}: HTTP {response.status}, expected {site_page.status}"
        )
        final_path = page.evaluate("() => location.pathname")
        assert final_path == path.split("?")[0], f"{path}: ended on {final_path}"
        return response

    return open_site_page


# --- axe-core ---------------------------------------------------------------------------------


@cache
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Any, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page for WCAG 2.1 A and AA; return its violations.

    The site's Content-Security-Policy (script-src 'self') blocks `page.add_script_tag(content=)`
    ("Executing inline script violates ... script-src 'self'"). Instead of a context with
    `bypass_csp=True`, which would also apply whatever inline script or style the policy blocks
    for visitors and so check a page nobody sees, axe's source is evaluated through the DevTools
    protocol, which the page's policy does not govern: the page is checked as it is served.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations;
        }""",
        tags or AXE_TAGS,
    )


def describe_violations(violations: list[dict[str, Any]], nodes: int = 3) -> str:
    """One block per violated rule: id, impact, help, how many elements, the first targets and
    what axe says is wrong with the first of them."""
    lines = []
    for violation in violations:
        found = violation.get("nodes", [])
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')} "
            f"— {len(found)} element(s); {violation.get('helpUrl', '')}"
        )
        for node in found[:nodes]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    at {target}")
        if found and found[0].get("failureSummary"):
            summary = " ".join(found[0]["failureSummary"].split())
            lines.append(f"    first: {summary[:300]}")
    return "\n".join(lines)
