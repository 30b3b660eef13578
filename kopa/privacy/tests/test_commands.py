from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kopa.core.models import AuditEntry
from kopa.programme.models import Registration

from .factories import EMAIL, NAME, PHONE, make_person

pytestmark = pytest.mark.django_db


def test_an_admin_exports_a_persons_data_as_zip_or_json(tmp_path):
    make_person()
    out = io.StringIO()
    call_command("personal_data", "export", EMAIL.upper(), str(tmp_path / "olena.zip"), stdout=out)
    assert (tmp_path / "olena.zip").stat().st_mode & 0o077 == 0  # only the admin reads it
    with zipfile.ZipFile(tmp_path / "olena.zip") as archive:
        data = json.loads(archive.read("data.json"))
    assert data["email"] == EMAIL and data["language"] == "en"
    call_command(
        "personal_data",
        "export",
        EMAIL,
        str(tmp_path / "olena.json"),
        "--language",
        "ru",
        stdout=io.StringIO(),
    )
    text = (tmp_path / "olena.json").read_text(encoding="utf-8")
    assert NAME in text and PHONE in text and "регистрации" in text
    entries = AuditEntry.objects.filter(action="privacy.data.exported")
    assert [entry.data for entry in entries] == [{"via": "admin"}, {"via": "admin"}]
    assert "section(s) of personal data" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "not-an-address", "x.zip"], "not an email address"),
        (["export", EMAIL, "/no/such/dir/x.zip"], "is not a directory"),
        (["erase", "@@"], "not an email address"),
    ],
)
def test_bad_arguments_are_named(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("personal_data", *args, stdout=io.StringIO())


def test_an_admin_erases_a_person_after_typing_the_address_again(monkeypatch):
    make_person()
    monkeypatch.setattr("builtins.input", lambda prompt: "someone.else@example.org")
    with pytest.raises(CommandError, match="nothing was erased"):
        call_command("personal_data", "erase", EMAIL, stdout=io.StringIO())
    assert Registration.objects.filter(email=EMAIL).count() == 2
    monkeypatch.setattr("builtins.input", lambda prompt: EMAIL.upper())
    out = io.StringIO()
    call_command("personal_data", "erase", EMAIL, stdout=out)
    assert "programme.registrations_anonymised: 2" in out.getvalue()
    assert not Registration.objects.filter(email=EMAIL).exists()
    assert AuditEntry.objects.get(action="privacy.erased").data["via"] == "admin"


def test_erase_with_yes_does_not_ask(monkeypatch):
    make_person(with_account=False)

    def no_input(prompt):
        raise AssertionError("asked")

    monkeypatch.setattr("builtins.input", no_input)
    call_command("personal_data", "erase", EMAIL, "--yes", stdout=io.StringIO())
    assert not Registration.objects.filter(email=EMAIL).exists()
