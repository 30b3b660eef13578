"""Every public form fuzzed with hypothesis: no input gives a 500.

The forms are found the way a visitor finds them: the public pages of the demo site are fetched
in English and every <form> on them (its action, method and field names) is collected. Each
then receives generated values for its fields through the Django test client: empty, arbitrary
Unicode (controls, NUL, right-to-left marks, astral characters), huge, and values that look like
attacks or near-misses (markup, SQL, paths, numbers and dates out of range). Fields are left out
and unknown ones added at random. The cache is cleared before each example, so the rate limits
do not end the fuzzing with a polite 429 after the first few.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES_PER_FORM = 50

# Public pages whose forms anyone can fill in (their own links are followed one step for the
# activity pages, where the registration form is).
START_PAGES = [
    "/en/",
    "/en/programme/",
    "/en/accounts/login/",
    "/en/accounts/password-reset/",
    "/en/directory/",
    "/en/directory/suggest/",
    "/en/stories/",
    "/en/learning/",
    "/en/my-data/",
]
SKIP_FIELDS = {"csrfmiddlewaretoken"}


@dataclass(frozen=True)
class Form:
    page: str
    action: str
    method: str
    fields: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.action}"


class _Forms(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href", "").startswith("/en/"):
            self.links.append(values["href"])
        if tag == "form":
            action = urljoin(self.page, values.get("action") or self.page)
            self._open = {
                "action": urlsplit(action).path,
                "method": (values.get("method") or "get").upper(),
                "fields": [],
            }
        elif tag in {"input", "select", "textarea", "button"} and self._open is not None:
            name = values.get("name")
            if name and name not in SKIP_FIELDS and name not in self._open["fields"]:
                self._open["fields"].append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open is not None:
            self.forms.append(
                Form(
                    page=self.page,
                    action=self._open["action"],
                    method=self._open["method"],
                    fields=tuple(self._open["fields"]),
                )
            )
            self._open = None


def private_pages() -> list[str]:
    """Pages behind the private links people get by mail, with forms anyone holding the link
    can send: a participant's registration (cancel), a questionnaire to answer, a story
    consent to withdraw."""
    from urllib.parse import urlsplit as split

    from kopa.learning.links import answer_url
    from kopa.learning.models import ActivityQuestionnaire
    from kopa.programme.links import private_token
    from kopa.programme.models import Registration
    from kopa.stories.links import withdrawal_url
    from kopa.stories.models import Consent

    pages = []
    registration = Registration.objects.order_by("pk").first() or _a_registration()
    if registration is not None:
        pages.append(f"/en/programme/r/{private_token(registration)}/")
    questionnaire = ActivityQuestionnaire.objects.order_by("pk").first()
    if questionnaire is not None:
        pages.append(split(answer_url(questionnaire, language="en")).path)
    consent = Consent.objects.order_by("pk").first()
    if consent is not None:
        pages.append(split(withdrawal_url(consent, language="en")).path)
    return pages


def _a_registration():
    """The demo data has no participants: register one where registration is open."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from kopa.core.models import PrivacyNotice
    from kopa.programme.models import Activity
    from kopa.programme.services import RegistrationError, registration_create

    notice = PrivacyNotice.objects.order_by("-version").first()
    for activity in Activity.objects.order_by("-pk"):
        try:
            with transaction.atomic():
                return registration_create(
                    activity=activity,
                    name="Fuzz Participant",
                    email="fuzz.participant@demo.kopa.invalid",
                    country="UA",
                    language="en",
                    consent_notice=notice,
                )
        except (RegistrationError, ValidationError, ValueError, PermissionError):
            continue  # closed, full or past: try the next one
    return None


def discover(client) -> list[Form]:
    found: dict[tuple, Form] = {}
    pages = [*START_PAGES, *private_pages()]
    seen: set[str] = set()
    while pages:
        page = pages.pop(0)
        if page in seen:
            continue
        seen.add(page)
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms(page)
        parser.feed(response.content.decode())
        for form in parser.forms:
            found.setdefault((form.action, form.method, form.fields), form)
        if page == "/en/programme/":
            # The activities' pages and their registration pages.
            pages += [link for link in parser.links if link.count("/") == 4][:6]
            pages += [link for link in parser.links if link.endswith("/register/")][:3]
        elif page.startswith("/en/programme/r/"):
            pages += [link for link in parser.links if link.startswith(page)]  # cancel
        elif page.startswith("/en/programme/") and page.count("/") == 4:
            pages += [link for link in parser.links if link.endswith("/register/")]
    forms = sorted(found.values(), key=lambda form: (form.action, form.method, form.fields))
    # Every activity's registration form is the same view: fuzz the one with the most fields
    # (an activity's own questions add some).
    registrations = [form for form in forms if form.action.endswith("/register/")]
    richest = max(registrations, key=lambda form: len(form.fields), default=None)
    return [form for form in forms if form not in registrations or form == richest]


NASTY = [
    "",
    " ",
    "\x00",
    "\u202eevil\u202c",
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    "../../../../etc/passwd",
    "%00%2e%2e%2f",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "9999-12-31T25:61:61",
    "00:00",
    "@",
    "a@b",
    "name@demo.kopa.invalid",
    "x" * 70_000,
    "Ї" * 5_000,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦",
    "true",
    "on",
    "[]",
    "{}",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=300),
    # Huge: a short random piece repeated (generating 20,000 random characters is slow).
    st.tuples(st.text(min_size=1, max_size=8), st.integers(300, 20_000)).map(
        lambda piece: piece[0] * piece[1]
    ),
    st.integers().map(str),
    st.lists(st.text(max_size=10), min_size=2, max_size=4),
)


def payloads(form: Form):
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(form.fields, values))
    extra = st.dictionaries(st.text(min_size=1, max_size=20), values, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


RUN: Counter[str] = Counter()
STATUS: Counter[int] = Counter()
SECONDS: dict[str, float] = {}


@pytest.fixture
def demo_site(db, settings):
    settings.KOPA_SEARCH_EMBEDDINGS = False
    call_command("seed", "--demo", verbosity=0)


def fuzzer(client, form: Form):
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=payloads(form))
    def fuzz(data):
        cache.clear()
        if form.method == "POST":
            response = client.post(form.action, data)
        else:
            response = client.get(form.action, data)
        RUN[form.label] += 1
        STATUS[response.status_code] += 1
        shown = {name: repr(value)[:80] for name, value in data.items()}
        assert response.status_code < 500, (form.label, shown)

    return fuzz


def test_no_public_form_answers_any_input_with_a_500(demo_site, client):
    forms = discover(client)
    labels = {form.label for form in forms}
    # The forms the issue names must be among those found.
    assert any(
        label.startswith("POST /en/programme/") and "/register/" in label for label in labels
    )
    assert "POST /en/accounts/login/" in labels
    assert "POST /en/accounts/password-reset/" in labels
    assert "GET /en/directory/" in labels
    client.raise_request_exception = False  # a 500 must be seen as a response, then reported

    for form in forms:
        started = time.perf_counter()
        fuzzer(client, form)()
        SECONDS[form.label] = time.perf_counter() - started

    print(
        f"\nhypothesis: {len(forms)} forms, {sum(RUN.values())} examples: "
        + ", ".join(
            f"{label} {count} ({SECONDS[label]:.1f} s)" for label, count in sorted(RUN.items())
        )
        + "; responses "
        + ", ".join(f"{status}: {count}" for status, count in sorted(STATUS.items()))
    )
