"""The personal-data modules of accounts, programme, core and privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from kopa.accounts import personal_data as accounts_data
from kopa.accounts.models import Membership, RecoveryCode, TwoFactorDevice
from kopa.core import personal_data as core_data
from kopa.core.audit import audit_log
from kopa.core.models import AuditEntry
from kopa.privacy import personal_data as privacy_data
from kopa.privacy.models import DataRequest
from kopa.programme import personal_data as programme_data

from .factories import ANSWER, EMAIL, NAME, PHONE, make_person

pytestmark = pytest.mark.django_db


def test_accounts_shows_the_account_and_roles_but_never_a_secret():
    person = make_person()
    TwoFactorDevice.objects.create(user=person.user, secret="JBSWY3DPEHPK3PXPSECRET")
    RecoveryCode.objects.create(user=person.user, code_hash="salt$hash")
    with override("en"):
        data = accounts_data.personal_data(email=EMAIL, user=person.user)
    assert data["person"][0]["full name"] == NAME
    assert data["memberships"][0]["role"] == "Member"
    assert data["two-step login"][0]["recovery codes"] == 1
    assert "JBSWY3DPEHPK3PXPSECRET" not in str(data) and "salt$hash" not in str(data)


def test_accounts_erasure_keeps_an_anonymous_inactive_row():
    person = make_person()
    TwoFactorDevice.objects.create(user=person.user, secret="S")
    with transaction.atomic():
        counts = accounts_data.erase_personal_data(email=EMAIL, user=person.user)
    person.user.refresh_from_db()
    assert person.user.email.endswith("@erased.invalid") and person.user.full_name == ""
    assert not person.user.is_active and not person.user.has_usable_password()
    assert not Membership.objects.filter(user=person.user).exists()
    assert not TwoFactorDevice.objects.exists()
    assert counts["accounts.memberships_removed"] == 1


def test_programme_shows_registrations_with_answers_consent_and_history():
    make_person()
    with override("en"):
        data = programme_data.personal_data(email=EMAIL.upper(), user=None)
    registrations = data["registrations"]
    assert len(registrations) == 2
    upcoming = next(r for r in registrations if r["answers"])
    assert upcoming["answers"] == {"Phone number": PHONE, "Anything we should know?": ANSWER}
    assert upcoming["privacy notice"] == 1  # the version consented to
    assert upcoming["consent given"] is not None
    assert upcoming["audit entries"][0]["action"] == "programme.registration.created"


def test_core_unlinks_and_scrubs_the_persons_audit_entries():
    person = make_person()
    with transaction.atomic():
        audit_log(action="test.noted", actor=person.user, data={"who": [NAME.upper(), 3]})
        audit_log(action="test.about", target=person.user, data={"mail": f"<{EMAIL}>"})
    data = core_data.personal_data(email=EMAIL, user=person.user)
    assert {r["action"] for r in data["audit entries"]} >= {"test.noted", "test.about"}
    with transaction.atomic():
        core_data.erase_personal_data(email=EMAIL, user=person.user)
    noted = AuditEntry.objects.get(action="test.noted")
    assert noted.actor is None and noted.data == {"who": ["[erased]", 3]}
    assert AuditEntry.objects.get(action="test.about").data == {"mail": "[erased]"}


def test_scrub_walks_keys_lists_and_nested_values():
    value = {"a": [{"x": "Call Olena"}], "olena": 1, "n": None, "ok": "fine"}
    assert core_data.scrub(value, ["OLENA"]) == (
        {"a": [{"x": "[erased]"}], "[erased]": 1, "n": None, "ok": "fine"},
        True,
    )
    assert core_data.scrub(value, ["", " "]) == (value, False)


def test_privacy_lists_and_scrubs_the_requests():
    DataRequest.objects.create(email=EMAIL, expires_at=timezone.now() + dt.timedelta(hours=1))
    with override("en"):
        data = privacy_data.personal_data(email=EMAIL, user=None)
    assert len(data["requests for personal data"]) == 1
    with transaction.atomic():
        privacy_data.erase_personal_data(email=EMAIL, user=None)
    request = DataRequest.objects.get()
    assert request.email == "" and request.erased_at is not None
