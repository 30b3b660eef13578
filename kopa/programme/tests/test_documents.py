from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap

import pytest
from django.core import signing
from django.utils import timezone
from pypdf import PdfReader

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.programme import documents, services
from kopa.programme.links import checkin_token, private_token
from kopa.programme.tests.factories import make_activity, registration_data

pytestmark = pytest.mark.django_db

BASE_URL = "https://kopa.example.org"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.KOPA_BASE_URL = BASE_URL


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def compact(text: str) -> str:
    """Text without any whitespace: a long URL wrapped over lines reads as one again."""
    return "".join(text.split())


def pdf_links(body: bytes) -> list[str]:
    links = []
    for page in PdfReader(io.BytesIO(body)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def register(activity, name, **fields):
    """A registration made the day before the activity (which may lie in the past)."""
    return services.registration_create(
        activity=activity,
        now=activity.starts_at - dt.timedelta(days=1),
        **registration_data(name=name, **fields),
    )


def attend(registration, at=None):
    admin = make_user(is_project_admin=True)
    return services.attendance_mark(actor=admin, registration=registration, attended=True, now=at)


def sheet_url(activity, language="en"):
    return f"/{language}/programme/{activity.slug}/attendance.pdf"


def certificate_url(registration, language="en"):
    return f"/{language}/programme/r/{private_token(registration)}/certificate.pdf"


def assert_private_pdf_download(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")


# The attendance sheet -------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_attendance_sheet(client):
    activity = make_activity()
    response = client.get(sheet_url(activity))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member of the organiser", 403),
        ("editor of the organiser", 403),
        ("coordinator of another organisation", 403),
        ("coordinator of the organiser", 200),
        ("project admin", 200),
    ],
)
def test_only_people_who_manage_the_activity_get_the_attendance_sheet(client, who, status):
    activity = make_activity(slug="storytelling-evening")
    organiser = activity.organisers.get()
    user = {
        "member of the organiser": lambda: make_member(organiser, Membership.Role.MEMBER),
        "editor of the organiser": lambda: make_member(organiser, Membership.Role.EDITOR),
        "coordinator of another organisation": lambda: make_member(
            make_organisation(), Membership.Role.COORDINATOR
        ),
        "coordinator of the organiser": lambda: make_member(organiser, Membership.Role.COORDINATOR),
        "project admin": lambda: make_user(is_project_admin=True),
    }[who]()
    client.force_login(user)
    response = client.get(sheet_url(activity))
    assert response.status_code == status
    if status == 200:
        assert_private_pdf_download(response, "attendance-storytelling-evening.pdf")


def test_the_sheet_lists_confirmed_people_by_name_with_their_check_in_time(client):
    start = dt.datetime(2026, 5, 12, 7, 0, tzinfo=dt.UTC)
    activity = make_activity(capacity=3, starts_at=start, time_zone="Europe/Kyiv")
    zane = register(activity, "Zane Ābola", organisation_name="Valmieras bibliotēka")
    register(activity, "Andrii Melnyk", country="UA")
    register(activity, "Ēriks Ozols")
    register(activity, "Wanda Waiting")
    services.registration_cancel(registration=register(activity, "Carl Cancelled"))
    attend(zane, at=start + dt.timedelta(minutes=5))
    client.force_login(make_user(is_project_admin=True))

    body = client.get(sheet_url(activity)).content

    text = pdf_text(body)
    assert "Wanda Waiting" not in text
    assert "Carl Cancelled" not in text
    order = [text.index(name) for name in ("Andrii Melnyk", "Ēriks Ozols", "Zane Ābola")]
    assert order == sorted(order)  # Ē sorts with E, not after Z
    assert "Valmieras bibliotēka" in text
    assert "Ukraine" in text
    assert "✓ 10:05" in text  # 07:05 UTC is 10:05 in Kyiv
    assert "3 confirmed participants" in text
    assert "Page 1 of 1" in text
    assert set(pdf_links(body)) == {f"{BASE_URL}/en/programme/{activity.slug}/"}


def test_the_sheet_is_in_the_language_of_its_address(client):
    activity = make_activity(title={"en": "Storytelling evening", "uk": "Вечір історій"})
    register(activity, "Ґалина Їжак")
    client.force_login(make_user(is_project_admin=True))
    text = pdf_text(client.get(sheet_url(activity, "uk")).content)
    assert "Вечір історій" in text
    assert "Ґалина Їжак" in text
    assert "Україна" in text  # the participant's country, named in Ukrainian


def test_a_sheet_for_nobody_yet_says_so(client):
    activity = make_activity()
    services.registration_cancel(registration=register(activity, "Carl Cancelled"))
    client.force_login(make_user(is_project_admin=True))
    text = pdf_text(client.get(sheet_url(activity)).content)
    assert "Nobody has a confirmed seat yet." in text
    assert "Carl Cancelled" not in text


# The certificate ------------------------------------------------------------------------------


def test_an_attendee_downloads_a_certificate_with_their_name_and_a_verification_link(client):
    start = dt.datetime(2026, 5, 12, 7, 0, tzinfo=dt.UTC)
    activity = make_activity(
        slug="seminar-valmiera",
        title={"en": "Welcoming refugees in libraries"},
        theme={"en": "Legal aid and storytelling"},
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6, minutes=30),
    )
    activity.project.action_code = "KA210-ADU"
    activity.project.save()
    registration = attend(register(activity, "Olena Kovalenko"))

    response = client.get(certificate_url(registration))

    assert_private_pdf_download(response, "certificate-seminar-valmiera.pdf")
    text = pdf_text(response.content)
    assert "Olena Kovalenko" in text
    assert "Welcoming refugees in libraries" in text
    assert "Legal aid and storytelling" in text
    assert "10:00–16:30" in text
    assert "6 h 30 min" in text
    assert "Erasmus+ KA210-ADU" in text
    verify_url = f"{BASE_URL}/en/programme/certificates/{documents.certificate_code(registration)}/"
    assert verify_url in compact(text)
    assert set(pdf_links(response.content)) == {verify_url}


def test_latvian_ukrainian_estonian_and_russian_letters_survive_in_the_certificate(client):
    activity = make_activity(
        title={"lv": "Ģimeņu ķēķis: ļoti ņipra pēcpusdiena ūdens krastā", "en": "Family kitchen"},
        original_language="lv",
    )
    registration = attend(register(activity, "Ґалина Єрмак-Їжак õäöü Съешь"))
    text = pdf_text(client.get(certificate_url(registration, "lv")).content)
    assert "Ģimeņu ķēķis: ļoti ņipra pēcpusdiena ūdens krastā" in text
    assert "Ґалина Єрмак-Їжак õäöü Съешь" in text


def test_without_recorded_attendance_there_is_no_certificate(client):
    registration = register(make_activity(), "Olena Kovalenko")
    response = client.get(certificate_url(registration))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "once the organisers have recorded your attendance" in response.text


@pytest.mark.parametrize("kind", ["garbage", "altered", "check-in code"])
def test_a_tampered_link_gets_no_certificate(client, kind):
    registration = attend(register(make_activity(), "Olena Kovalenko"))
    token = {
        "garbage": "0" * 32 + ":forged",
        "altered": private_token(registration)[:-2] + "xx",
        "check-in code": checkin_token(registration),
    }[kind]
    response = client.get(f"/en/programme/r/{token}/certificate.pdf")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_expired_private_link_gets_no_certificate(client, settings):
    settings.KOPA_PRIVATE_LINK_DAYS = 30
    activity = make_activity()
    registration = attend(register(activity, "Olena Kovalenko"))
    activity.starts_at = activity.ends_at = timezone.now() - dt.timedelta(days=31)
    activity.save()
    assert client.get(certificate_url(registration)).status_code == 410


def test_the_private_page_offers_the_certificate_once_attendance_is_recorded(client):
    registration = register(make_activity(), "Olena Kovalenko")
    page = f"/en/programme/r/{private_token(registration)}/"
    assert "certificate.pdf" not in client.get(page).text
    attend(registration)
    assert certificate_url(registration) in client.get(page).text


# Verification ---------------------------------------------------------------------------------


def test_the_verification_page_confirms_name_activity_and_date_and_nothing_else(client):
    activity = make_activity(title={"en": "Storytelling evening"})
    registration = attend(
        register(
            activity,
            "Olena Kovalenko",
            email="olena.private@example.org",
            organisation_name="Secret Library",
        )
    )
    response = client.get(f"/en/programme/certificates/{documents.certificate_code(registration)}/")
    assert response.status_code == 200
    assert "A genuine certificate" in response.text
    assert "Olena Kovalenko" in response.text
    assert "Storytelling evening" in response.text
    assert activity.when() in response.text
    assert "olena.private@example.org" not in response.text
    assert "Secret Library" not in response.text
    assert "Ukraine" not in response.text  # the participant's country


@pytest.mark.parametrize("kind", ["forged", "private link token", "unknown person"])
def test_a_forged_or_unknown_code_is_not_a_genuine_certificate(client, kind):
    registration = attend(register(make_activity(), "Olena Kovalenko"))
    code = {
        "forged": registration.public_id.hex + ":AAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "private link token": private_token(registration),
        "unknown person": signing.Signer(salt=documents.CERTIFICATE_SALT).sign("0" * 32),
    }[kind]
    response = client.get(f"/en/programme/certificates/{code}/")
    assert response.status_code == 404
    assert "Not a genuine certificate" in response.text
    assert "Olena Kovalenko" not in response.text


def test_a_certificate_stops_verifying_when_attendance_is_withdrawn(client):
    registration = attend(register(make_activity(), "Olena Kovalenko"))
    url = f"/en/programme/certificates/{documents.certificate_code(registration)}/"
    services.attendance_mark(
        actor=make_user(is_project_admin=True), registration=registration, attended=False
    )
    assert client.get(url).status_code == 404


# Building blocks ------------------------------------------------------------------------------


def test_hours_are_counted_in_the_venue_zone_and_several_days_in_days():
    start = dt.datetime(2026, 5, 12, 6, 0, tzinfo=dt.UTC)
    same_day = make_activity(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    assert documents.activity_period(same_day).times == "09:00–11:00"
    assert documents.activity_period(same_day).duration == "2 hours"
    seminar = make_activity(starts_at=start, ends_at=start + dt.timedelta(days=2, hours=8))
    assert documents.activity_period(seminar).duration == "3 days"


def test_the_renderer_reads_no_file_but_the_vendored_fonts():
    fetcher = documents.local_fetcher()
    with pytest.raises(ValueError, match="read no file outside"):
        fetcher.fetch((documents.FONT_DIR / ".." / ".." / ".." / "models.py").as_uri())
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://127.0.0.1/")
    response = fetcher.fetch((documents.FONT_DIR / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()


def test_the_page_counter_is_translated_text_around_css_counters():
    content = documents.css_counter_content('Lapa %(page)s no %(pages)s "</style>')
    assert content == '"Lapa " counter(page) " no " counter(pages) " \\"\\3c /style\\3e "'


def test_a_machine_without_any_font_package_renders_every_alphabet(tmp_path):
    """fontconfig sees no fonts at all; only the fonts shipped in the app's static files."""
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    script = textwrap.dedent(
        """
        import io, django
        django.setup()
        from pypdf import PdfReader
        from kopa.programme.documents import qr_svg_data_uri, render_pdf
        body = render_pdf("programme/pdf/certificate.html", {
            "registration": {"name": "Ģirts Ķēniņš · Tõnu Pärn · Ґалина Єрмак · Съешь"},
            "activity": {}, "project": {}, "period": {}, "organisers": [],
            "verify_url": "", "qr": qr_svg_data_uri("https://example.org/"),
        })
        print(PdfReader(io.BytesIO(body)).pages[0].extract_text())
        """
    )
    environment = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "kopa.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Ģirts Ķēniņš · Tõnu Pärn · Ґалина Єрмак · Съешь" in result.stdout
