from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kopa.core.models import AuditEntry
from kopa.privacy import retention
from kopa.privacy.models import DataRequest
from kopa.programme import services as programme_services
from kopa.programme.models import Activity, Registration
from kopa.programme.tests.factories import make_activity, make_project, registration_data

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _registration(*, project_end: dt.date, status: str | None = None) -> Registration:
    project = make_project(start_date=project_end - dt.timedelta(days=400), end_date=project_end)
    activity = make_activity(project=project)
    registration = programme_services.registration_create(
        activity=activity, **registration_data(name="Iryna Retained", organisation_name="Org")
    )
    if status is not None:
        Registration.objects.filter(pk=registration.pk).update(status=status)
        ends = NOW - dt.timedelta(days=200)
        Activity.objects.filter(pk=activity.pk).update(
            starts_at=ends - dt.timedelta(hours=2), ends_at=ends
        )
    return registration


def outcomes(**kwargs) -> dict[str, int]:
    return {o.kind: o.count for o in retention.retention_apply(now=NOW, **kwargs)}


def test_every_kind_has_a_default_and_the_setting_overrides_it(settings):
    defaults = retention.periods()
    assert {
        "programme.registrations",
        "programme.cancelled_registrations",
        "privacy.requests",
        "core.audit",
        "core.admin_log",
        "accounts.sessions",
    } <= set(defaults)
    settings.KOPA_RETENTION = {"core.audit": 30}
    assert retention.periods()["core.audit"] == 30
    settings.KOPA_RETENTION = {"core.audit": dt.timedelta(days=10)}
    assert retention.periods()["core.audit"] == 10


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"core.audits": 30}, "unknown kind"),
        ({"core.audit": -1}, "whole number of days"),
        ({"core.audit": "30"}, "whole number of days"),
        ({"core.audit": True}, "whole number of days"),
        (["core.audit"], "must map kinds"),
    ],
)
def test_a_bad_setting_is_named(settings, value, message):
    settings.KOPA_RETENTION = value
    with pytest.raises(CommandError, match=message):
        call_command("apply_retention", stdout=io.StringIO())


def test_registrations_are_anonymised_years_after_their_project_ended(settings):
    settings.KOPA_RETENTION = {"programme.registrations": 365}
    old = _registration(project_end=(NOW - dt.timedelta(days=400)).date())
    recent = _registration(project_end=(NOW - dt.timedelta(days=100)).date())
    assert outcomes(dry_run=True)["programme.registrations"] == 1
    old.refresh_from_db()
    assert old.name == "Iryna Retained"  # a dry run changes nothing
    assert not AuditEntry.objects.filter(action="privacy.retention.applied").exists()

    assert outcomes()["programme.registrations"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.name == "" and old.organisation_name == "" and old.answers == {}
    assert old.status == Registration.Status.CONFIRMED  # still counted
    assert recent.name == "Iryna Retained"
    entry = AuditEntry.objects.get(action="privacy.retention.applied")
    assert entry.data["counts"]["programme.registrations"] == 1

    # Idempotent: nothing more to do, and nothing more in the log.
    assert outcomes()["programme.registrations"] == 0
    assert AuditEntry.objects.filter(action="privacy.retention.applied").count() == 1


def test_cancelled_registrations_are_anonymised_after_the_activity():
    cancelled = _registration(
        project_end=NOW.date() + dt.timedelta(days=300), status=Registration.Status.CANCELLED
    )
    kept = _registration(project_end=NOW.date() + dt.timedelta(days=300))
    assert outcomes()["programme.cancelled_registrations"] == 1
    cancelled.refresh_from_db()
    kept.refresh_from_db()
    assert cancelled.name == "" and kept.name == "Iryna Retained"


def test_expired_data_requests_audit_entries_and_sessions_go():
    DataRequest.objects.create(email="old@example.org", expires_at=NOW - dt.timedelta(days=8))
    DataRequest.objects.create(email="new@example.org", expires_at=NOW + dt.timedelta(hours=1))
    AuditEntry.objects.create(action="test.old", created=NOW - dt.timedelta(days=4 * 365))
    AuditEntry.objects.create(action="test.new", created=NOW - dt.timedelta(days=10))
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=NOW - dt.timedelta(seconds=1)
    )
    result = outcomes()
    assert result["privacy.requests"] == 1 and result["core.audit"] == 1
    assert result["accounts.sessions"] == 1
    assert list(DataRequest.objects.values_list("email", flat=True)) == ["new@example.org"]
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "test.new",
        "privacy.retention.applied",
    }


def test_the_command_reports_per_kind():
    DataRequest.objects.create(email="old@example.org", expires_at=NOW - dt.timedelta(days=30))
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "privacy.requests: 1 would be removed (kept 7 days)" in out.getvalue()
    assert DataRequest.objects.count() == 1
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "privacy.requests: 1 removed (kept 7 days)" in out.getvalue()
    assert "programme.registrations: 0 anonymised" in out.getvalue()
    assert not DataRequest.objects.exists()


def test_every_kind_is_documented_with_its_default():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "privacy.md").read_text()
    for rule in retention.rules():
        assert f"| `{rule.kind}` | {rule.default_days} days" in docs, rule.kind
