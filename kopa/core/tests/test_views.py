from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_the_first_visit_follows_accept_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="uk-UA,uk;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/uk/"


def test_an_unsupported_browser_language_gets_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response["Location"] == "/en/"


@pytest.mark.parametrize("path", ["/de/", "/xx/organisations/", "/lv/no-such-page/", "/lv/%00/"])
def test_unknown_paths_get_a_404_page_in_a_supported_language(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    language = response.text.split('<html lang="')[1].split('"')[0]
    assert language in {"lv", "et", "en", "uk", "ru"}
    assert "<h1>" in response.text


def test_the_404_page_speaks_the_language_of_its_prefix(client):
    response = client.get("/lv/no-such-page/")
    assert '<html lang="lv">' in response.text


@pytest.mark.parametrize("language", ["lv", "et", "en", "uk", "ru"])
def test_the_switcher_names_each_language_in_itself_and_keeps_the_page(client, language):
    response = client.get(f"/{language}/organisations/")
    assert response.status_code == 200
    text = response.text
    for code, name in [
        ("lv", "Latviešu"),
        ("et", "Eesti"),
        ("en", "English"),
        ("uk", "Українська"),
        ("ru", "Русский"),
    ]:
        assert f'href="/{code}/organisations/" lang="{code}" hreflang="{code}"' in text
        assert name in text


def test_every_page_has_a_skip_link_and_landmarks(client):
    text = client.get("/en/").text
    assert text.index('class="skip-link" href="#main"') < text.index("<header")
    for landmark in ["<header", '<main id="main"', "<footer", "<nav"]:
        assert landmark in text


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/en/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
