"""What the form fuzzers share: finding forms in pages, and hypothesis strategies for their fields.

A form is read from the HTML the way a browser would send it: its action, method and fields, and
for each field its kind (input type, select, textarea), its options (a select's, or the values of
radio buttons and checkboxes sharing a name) and its initial value. The strategies send a field
either something hostile or unrelated (`values`: NUL, controls, right-to-left marks, astral
characters, huge text, markup, SQL, lists) or something of its own kind just off the mark
(`typed_values`: numbers out of range, impossible dates, unknown choices, malformed UUIDs,
files that are not what they claim), and leave fields out or add unknown ones at random.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

SKIP_FIELDS = {"csrfmiddlewaretoken"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text", "number", "date", "select", "checkbox", "file", "textarea", …
    options: tuple[str, ...] = ()
    value: str = ""


@dataclass(frozen=True)
class Form:
    page: str
    action: str
    method: str
    fields: tuple[Field, ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.action}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


class FormParser(HTMLParser):
    """Every <form> of a page, and the links that stay in the English site."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._open: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href", "").startswith("/en/"):
            self.links.append(values["href"])
        if tag == "form":
            action = urljoin(self.page, values.get("action") or self.page)
            self._open = {
                "action": urlsplit(action).path,
                "method": (values.get("method") or "get").upper(),
                "fields": {},
            }
            return
        if self._open is None:
            return
        fields = self._open["fields"]
        name = values.get("name")
        if tag == "option" and self._select in fields:
            fields[self._select]["options"].append(values.get("value", ""))
            return
        if tag not in {"input", "select", "textarea", "button"} or not name:
            return
        if name in SKIP_FIELDS:
            return
        kind = {"input": values.get("type", "text").lower(), "button": "button"}.get(tag, tag)
        field = fields.setdefault(name, {"kind": kind, "options": [], "value": ""})
        if tag == "select":
            self._select = name
        elif kind in {"radio", "checkbox"}:
            field["options"].append(values.get("value", "on"))
        elif not field["value"]:
            field["value"] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form" and self._open is not None:
            fields = tuple(
                Field(name, spec["kind"], tuple(dict.fromkeys(spec["options"])), spec["value"])
                for name, spec in self._open["fields"].items()
            )
            self.forms.append(Form(self.page, self._open["action"], self._open["method"], fields))
            self._open = None


def forms_of(page: str, html: str) -> FormParser:
    parser = FormParser(page)
    parser.feed(html)
    return parser


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


def private_pages() -> list[str]:
    """Pages behind the private links people get by mail, with forms anyone holding the link
    can send: a participant's registration (cancel), a questionnaire to answer, a story
    consent to withdraw."""
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
        pages.append(urlsplit(answer_url(questionnaire, language="en")).path)
    consent = Consent.objects.order_by("pk").first()
    if consent is not None:
        pages.append(urlsplit(withdrawal_url(consent, language="en")).path)
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
    """The public forms: those on START_PAGES and behind the private links, one step on."""
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
        parser = forms_of(page, response.content.decode())
        for form in parser.forms:
            found.setdefault((form.action, form.method, form.names), form)
        if page == "/en/programme/":
            # The activities' pages and their registration pages.
            pages += [link for link in parser.links if link.count("/") == 4][:6]
            pages += [link for link in parser.links if link.endswith("/register/")][:3]
        elif page.startswith("/en/programme/r/"):
            pages += [link for link in parser.links if link.startswith(page)]  # cancel
        elif page.startswith("/en/programme/") and page.count("/") == 4:
            pages += [link for link in parser.links if link.endswith("/register/")]
    forms = sorted(found.values(), key=lambda form: (form.action, form.method, form.names))
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
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦",
    "true",
    "on",
    "[]",
    "{}",
]

# Built when drawn: a strategy holding them would print as megabytes in hypothesis's reports.
HUGE = [("x", 70_000), ("Ї", 5_000)]

values = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(HUGE).map(lambda piece: piece[0] * piece[1]),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=300),
    # Huge: a short random piece repeated (generating 20,000 random characters is slow).
    st.tuples(st.text(min_size=1, max_size=8), st.integers(300, 20_000)).map(
        lambda piece: piece[0] * piece[1]
    ),
    st.integers().map(str),
    st.lists(st.text(max_size=10), min_size=2, max_size=4),
)


def payloads(names: tuple[str, ...]):
    """Any of the named fields (each may be left out) with `values`, plus unknown ones."""
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, values))
    extra = st.dictionaries(st.text(min_size=1, max_size=20), values, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([-1, 0, 1, 2**31, 2**63, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["0000-00-00", "2026-02-30", "2026-13-01", "10000-01-01", "1-1-1", "today"]),
)
times = st.sampled_from(["00:00", "23:59", "24:00", "12:60", "-1:00", "9", "noon"])
datetimes = st.one_of(
    st.datetimes().map(lambda value: value.isoformat(timespec="minutes")),
    st.tuples(dates, times).map(lambda pair: f"{pair[0]}T{pair[1]}"),
)
uuids = st.one_of(
    st.uuids().map(str),
    st.sampled_from(["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1", "g" * 36]),
)
files = st.builds(
    lambda data, name, kind: SimpleUploadedFile(name, data, content_type=kind),
    st.one_of(
        st.binary(max_size=2_000),
        # Starts like an image or a PDF and is not one.
        st.sampled_from([b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"GIF89a"]),
        st.just(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ),
    st.sampled_from(["photo.jpg", "a.png", "x.pdf", "../../evil.html", "ї.webp", "n\x00.jpg"]),
    st.sampled_from(["image/jpeg", "application/pdf", "text/html", "image/svg+xml", ""]),
)


def typed_values(field: Field):
    """Values of the field's own kind, valid or just off, beside the hostile ones."""
    own = []
    if field.options:
        chosen = st.sampled_from(field.options)
        own += [chosen, chosen]
        if len(field.options) > 1:  # several ticked at once, or one select given many
            own.append(st.lists(chosen, min_size=2, max_size=5, unique=True))
        own.append(st.sampled_from(["", "0", "-1", "999999", "not-a-choice", "00000000"]))
    if field.value:
        own.append(st.just(field.value))  # a hidden version, an id, what the form showed
    kind = field.kind
    if kind in {"number", "range"} or field.name.endswith(("_id", "version", "count", "number")):
        own.append(numbers)
    if kind == "date" or "date" in field.name:
        own.append(dates)
    if kind == "datetime-local" or field.name.endswith(("_at", "starts", "ends")):
        own.append(datetimes)
    if kind == "time":
        own.append(times)
    if "uuid" in field.name or "public_id" in field.name or _looks_like_uuid(field.value):
        own.append(uuids)
    if kind == "file":
        own += [files, files]
    if kind == "email":
        own.append(st.emails())
    return st.one_of(values, *own)


def _looks_like_uuid(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def typed_payloads(form: Form):
    """A value for any of the form's fields (each may be left out), plus unknown fields."""
    known = st.fixed_dictionaries(
        {}, optional={field.name: typed_values(field) for field in form.fields}
    )
    extra = st.dictionaries(st.text(min_size=1, max_size=20), values, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


def shown(data: dict) -> dict[str, str]:
    """The example, short enough to read in a failure."""
    return {name: repr(value)[:80] for name, value in data.items()}
