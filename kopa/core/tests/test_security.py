"""Security headers on every response, uploads that can never run as a page, and a deployment
configuration that `kopa check --deploy` finds clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from kopa.core import media_views, security

ROOT = Path(__file__).resolve().parents[3]
KEY = "0123456789abcdef0123456789abcdef"

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": security.PERMISSIONS_POLICY,
    "Cross-Origin-Resource-Policy": "same-origin",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/en/", 200),
        ("/en/accounts/login/", 200),
        ("/en/no-such-page/", 404),
        ("/healthz", 200),
        ("/", 302),
        ("/media/photos/nothing", 404),
        ("/en/accounts/logout/", 405),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    for header, value in EVERY_RESPONSE.items():
        assert response.headers.get(header) == value, header
    if response.get("Content-Type", "").startswith("text/html"):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_the_permissions_policy_turns_off_what_the_site_never_uses():
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in security.PERMISSIONS_POLICY


@pytest.mark.django_db
def test_cookies_are_httponly_and_samesite(client):
    client.get("/en/accounts/login/")
    response = client.post("/en/accounts/login/", {"username": "x@example.org", "password": "x"})
    csrf = client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    from kopa.accounts.tests.factories import PASSWORD, make_user

    user = make_user()
    response = client.post("/en/accounts/login/", {"username": user.email, "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax"


# --- Uploaded media ---------------------------------------------------------------------------


class _Owner:
    """A media owner that says whatever its test tells it."""

    answer: tuple[str, str] | None = None

    @classmethod
    def public_media_file(cls, *, key: str, name: str) -> tuple[str, str] | None:
        return cls.answer


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with mock.patch.object(media_views, "media_owners", return_value={"test": _Owner}):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "claimed_type", "body"),
    [
        ("page.html", "text/html", b"<script>alert(1)</script>"),
        ("image.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
        ("photo.webp", "", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_an_uploaded_page_is_sent_as_an_opaque_download(client, media, name, claimed_type, body):
    stored = default_storage.save(f"test/{KEY}/{name}", ContentFile(body))
    _Owner.answer = (stored, claimed_type)
    response = client.get(f"/media/test/{KEY}/{name}")
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
def test_a_public_photo_is_shown_inline_with_its_own_type_and_no_sniffing(client, media):
    stored = default_storage.save(f"test/{KEY}/960.webp", ContentFile(b"RIFF....WEBP"))
    _Owner.answer = (stored, "image/webp")
    response = client.get(f"/media/test/{KEY}/960.webp")
    response.close()
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
def test_a_file_that_is_not_public_answers_404(client, media):
    default_storage.save(f"test/{KEY}/960.webp", ContentFile(b"x"))
    _Owner.answer = None
    assert client.get(f"/media/test/{KEY}/960.webp").status_code == 404
    assert client.get("/media/test/../../etc/passwd").status_code == 404


# --- Deployment -------------------------------------------------------------------------------


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KOPA_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        KOPA_HTTPS="true",
        KOPA_DEBUG="false",
        KOPA_SECRET_KEY="a-production-like-secret-key-of-enough-length-0123456789",
        KOPA_ALLOWED_HOSTS="kopa.example.org",
        KOPA_DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        KOPA_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kopa.settings",
    )
    return env


def test_check_deploy_is_clean_behind_https(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kopa", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_HOST="kopa.example.org")
plain = client.get("/en/no-such-page/")
secure = client.get("/healthz", secure=True)
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
}))
"""


def test_behind_https_plain_http_is_redirected_and_hsts_is_sent(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://kopa.example.org/en/no-such-page/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in seen["csp"]


# --- The client's address behind a proxy ------------------------------------------------------


def _address_seen(settings, hops: int, forwarded: str | None, remote: str = "10.0.0.1") -> str:
    from django.http import HttpResponse
    from django.test import RequestFactory

    settings.KOPA_PROXY_HOPS = hops
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    security.ClientAddressMiddleware(lambda r: HttpResponse())(request)
    return request.META["REMOTE_ADDR"]


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    assert _address_seen(settings, 0, "203.0.113.9") == "10.0.0.1"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claims(settings):
    assert _address_seen(settings, 1, "203.0.113.9") == "203.0.113.9"
    assert _address_seen(settings, 1, "1.2.3.4, 203.0.113.9") == "203.0.113.9"
    assert _address_seen(settings, 2, "1.2.3.4, 203.0.113.9, 10.0.0.2") == "203.0.113.9"


def test_a_missing_or_short_forwarded_header_keeps_the_connecting_address(settings):
    assert _address_seen(settings, 1, None) == "10.0.0.1"
    assert _address_seen(settings, 2, "203.0.113.9") == "10.0.0.1"


# --- Session age ------------------------------------------------------------------------------


def _session_after(settings, *, authenticated_at, seen_at, now):
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.http import HttpResponse
    from django.test import RequestFactory

    settings.KOPA_SESSION_IDLE_SECONDS = 100
    settings.KOPA_SESSION_MAX_SECONDS = 1000
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session["_auth_user_id"] = "7"
    if authenticated_at is not None:
        request.session[security.AUTHENTICATED_AT] = authenticated_at
    request.session[security.SEEN_AT] = seen_at
    with mock.patch.object(security.time, "time", return_value=now):
        security.SessionAgeMiddleware(lambda r: HttpResponse())(request)
    return request.session


def test_a_fresh_session_is_kept_and_its_last_request_noted(settings):
    session = _session_after(settings, authenticated_at=0, seen_at=0, now=90)
    assert session["_auth_user_id"] == "7"
    assert session[security.SEEN_AT] == 90


def test_a_session_idle_past_the_limit_is_ended(settings):
    session = _session_after(settings, authenticated_at=0, seen_at=0, now=101)
    assert "_auth_user_id" not in session


def test_a_busy_session_ends_at_its_absolute_age(settings):
    session = _session_after(settings, authenticated_at=0, seen_at=990, now=1001)
    assert "_auth_user_id" not in session


def test_a_logged_in_session_without_a_login_time_is_ended(settings):
    session = _session_after(settings, authenticated_at=None, seen_at=0, now=1)
    assert "_auth_user_id" not in session


def test_frequent_requests_do_not_rewrite_the_session_each_time(settings):
    session = _session_after(settings, authenticated_at=0, seen_at=50, now=80)
    assert session[security.SEEN_AT] == 50
