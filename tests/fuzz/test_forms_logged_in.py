"""Every form a logged-in person posts, fuzzed with hypothesis: no input gives a 500, and an answer
that refuses the input (a form error, or any 4xx) has written nothing.

The forms are found as the access matrix finds pages: every URL pattern of the project
(tests/access/urls.py) is fetched as each logged-in role of its world (tests/access/world.py:
the demo content plus a registration, photos, a questionnaire link, a frozen report) wherever
the matrix says that role gets the page, and every POST form on it is collected with its fields,
their kinds, options and initial values (tests/fuzz/forms.py). A form is sent by the first role
that reached it (member, editor, coordinator of another organisation, coordinator, project
admin). Left out: the forms the public fuzzer sends (tests/fuzz/test_forms.py: login,
registration, questionnaire answers, …) and Django's administration (its own forms, for
project admins only).

Each example runs in a transaction that is rolled back, with the role's session cookie put back
and an empty cache: every example starts from the same world, logged in, whatever the one
before it deleted, cancelled or logged out, and no rate limit turns the run into a series of
429s.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings

from tests.access.matrix import expected_for
from tests.access.urls import project_patterns
from tests.access.world import LOGINS, World, build_world
from tests.fuzz.forms import Form, discover, forms_of, shown, typed_payloads

EXAMPLES_PER_FORM = 25
ROLES = ("member", "editor", "coordinator_other", "coordinator", "admin")
FORM_ERROR = re.compile(rb'class="(?:errorlist|form-errors)"')
# Tables a request writes whatever it answers: the session of the logged-in client.
ALWAYS_WRITTEN = {"django_session"}


# A failing example is printed; hypothesis warns when it holds a 70,000-character value.
OVERLARGE_REPR = "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"

RUN: Counter[str] = Counter()
STATUS: Counter[int] = Counter()
SECONDS: dict[str, float] = {}
LOGGED_OUT: Counter[str] = Counter()  # examples answered with the login page, per URL name


def reachable_forms(world: World) -> list[tuple[str, Form]]:
    """(role, form) for every POST form a logged-in role reaches, once per view and fields."""
    public = {resolve(form.action).view_name for form in discover(world.clients["anonymous"])}
    found: dict[tuple, tuple[str, Form]] = {}
    for pattern in project_patterns():
        expected = expected_for(pattern.key)
        # Pages end in a slash; files, exports, feeds and the API do not (and have no forms).
        if pattern.key.startswith(("admin:", "route:admin")) or not pattern.route.endswith("/"):
            continue
        if expected is None:
            continue  # a URL without a row in the matrix: tests/access/test_matrix.py says so
        for role in ROLES:
            if expected[role] != 200:
                continue
            path = pattern.path(world.values(pattern.key, pattern.parameters, role), "en")
            response = world.clients[role].get(path)
            if response.streaming or not response["Content-Type"].startswith("text/html"):
                continue
            for form in forms_of(path, response.content.decode()).forms:
                view = resolve(form.action).view_name
                if form.method == "POST" and view not in public:
                    found.setdefault((view, form.names), (role, form))
    return sorted(found.values(), key=lambda pair: (pair[1].action, pair[1].names))


def row_counter() -> Callable[[], dict[str, int]]:
    """A function giving the number of rows in every table, in one query."""
    tables = sorted(set(connection.introspection.table_names()) - ALWAYS_WRITTEN)
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608

    def row_counts() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")  # noqa: S608
            return dict(zip(tables, cursor.fetchone(), strict=True))

    return row_counts


def fuzzer(world: World, role: str, form: Form):
    from kopa.accounts.models import User

    client = world.clients[role]
    client.force_login(User.objects.get(email=LOGINS[role]))
    # Each example is rolled back, a logout's deleted session included; only the client's
    # cookie needs to be put back.
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    row_counts = row_counter()
    view = resolve(form.action).view_name

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        # The first failing example is reported as found: shrinking 70,000-character values
        # would take minutes.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(data=typed_payloads(form))
    def fuzz(data):
        cache.clear()
        with transaction.atomic():
            client.cookies[django_settings.SESSION_COOKIE_NAME] = session
            before = row_counts()
            response = client.post(form.action, data)
            status = response.status_code
            refused = status >= 400 or (
                status == 200
                and not response.streaming
                and bool(FORM_ERROR.search(response.content))
            )
            after = row_counts() if refused and status < 500 else before
            transaction.set_rollback(True)
        RUN[form.label] += 1
        STATUS[status] += 1
        if response.get("Location", "").startswith("/en/accounts/login/"):
            LOGGED_OUT[view] += 1
        assert status < 500, f"{role}: {form.label} {shown(data)}\n{_where(response)}"
        written = {table: after[table] - n for table, n in before.items() if after[table] != n}
        assert not written, f"{role}: {form.label} {status} wrote {written}: {shown(data)}"

    return fuzz


def _where(response) -> str:
    """The exception behind a 500: the project's frames it passed through, and its message."""
    if not getattr(response, "exc_info", None):
        return ""
    kind, error, trace = response.exc_info
    frames = [
        f"  {frame.filename.split('/kopa/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(trace)
        if "/kopa/" in frame.filename and "site-packages" not in frame.filename
    ]
    return "\n".join([*frames, f"  {kind.__name__}: {str(error)[:300]}"])


@pytest.fixture
def world(db, settings, tmp_path):
    settings.KOPA_SEARCH_EMBEDDINGS = False
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    # The world's participant has attended, so the check-in page shows no button: not yet.
    registration = world.objects["registration"]
    type(registration).objects.filter(pk=registration.pk).update(attended_at=None)
    return world


@pytest.fixture
def quiet_logs():
    """Django logs each refused request (thousands of lines with 70,000-character values), and
    WeasyPrint each character its fonts lack in a PDF made of fuzzed text."""
    loggers = [
        logging.getLogger(name) for name in ("django.request", "django.security", "weasyprint")
    ]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger in loggers:
        logger.setLevel(logging.NOTSET)


@pytest.mark.filterwarnings(OVERLARGE_REPR)
def test_no_logged_in_form_answers_any_input_with_a_500_or_half_saves(quiet_logs, world):
    started, cpu = time.perf_counter(), time.process_time()
    forms = reachable_forms(world)
    discovery = time.perf_counter() - started
    by_role: defaultdict[str, list[str]] = defaultdict(list)
    for role, form in forms:
        by_role[role].append(form.label)
    labels = {form.label for _role, form in forms}
    # Forms of every domain, and of each role, must be among those found.
    for expected in (
        "/en/accounts/",
        "/en/organisations/",
        "/en/programme/manage/",
        "/en/programme/check-in/",
        "/en/directory/manage/",
        "/en/directory/people/",
        "/en/stories/manage/",
        "/en/learning/",
        "/en/reports/",
    ):
        assert any(expected in label for label in labels), expected
    assert set(by_role) >= {"member", "editor", "coordinator_other", "coordinator"}, by_role
    for world_client in world.clients.values():
        world_client.raise_request_exception = False  # a 500 is seen as a response, reported

    failures = []
    for role, form in forms:
        form_started = time.perf_counter()
        try:
            fuzzer(world, role, form)()
        except AssertionError as error:
            failures.append(str(error))
        SECONDS[form.label] = SECONDS.get(form.label, 0) + time.perf_counter() - form_started

    print(
        f"\nhypothesis, logged in: {len(forms)} forms, {sum(RUN.values())} examples in "
        f"{time.perf_counter() - started:.0f} s ({time.process_time() - cpu:.0f} s of CPU; "
        f"forms found in {discovery:.1f} s): "
        + "; ".join(f"{role}: {', '.join(labels)}" for role, labels in by_role.items())
        + "; slowest "
        + ", ".join(
            f"{label} {seconds:.1f} s"
            for label, seconds in sorted(SECONDS.items(), key=lambda item: -item[1])[:5]
        )
        + "; responses "
        + ", ".join(f"{status}: {count}" for status, count in sorted(STATUS.items()))
    )
    # Every example ran logged in: only logging out everywhere leads to the login page.
    assert set(LOGGED_OUT) <= {"accounts:logout_everywhere"}, LOGGED_OUT
    assert not failures, "\n\n".join(failures)
