"""After erasing a person, none of their values is anywhere in the database."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from kopa.accounts import services as accounts_services
from kopa.accounts.models import User
from kopa.core.audit import audit_log
from kopa.core.models import AuditEntry
from kopa.learning.tests.factories import attach, feedback_template, respond
from kopa.privacy import services
from kopa.privacy.models import DataRequest
from kopa.programme.models import Registration
from kopa.programme.tests.factories import make_notice
from kopa.stories import services as stories_services
from kopa.stories.models import Consent
from kopa.stories.tests.factories import (
    make_coordinator,
    make_editor,
    make_public_story,
    make_teller,
)

from .factories import ANSWER, EMAIL, NAME, ORGANISATION, PHONE, make_person

LEARNED = "The Riga archive trip taught me Latgalian spelling"


def _story_and_answers(person) -> None:
    """The person also told a story (with a consent in their name) and answered the feedback
    questionnaire of the activity they attended, in their own words."""
    organisation = person.held.activity.organisers.first()
    editor = make_editor(organisation)
    teller = make_teller(organisation, name=NAME, email=EMAIL)
    story = make_public_story(editor=editor, organisation=organisation, teller=teller)
    stories_services.consent_record(
        actor=editor,
        story=story,
        given_by=Consent.GivenBy.TELLER,
        given_by_name=NAME,
        given_on=dt.date(2026, 3, 1),
        method=Consent.Method.ORAL,
        witness=make_coordinator(organisation),
        scopes=stories_services.SCOPES,
        notice=make_notice(),
    )
    questionnaire = attach(person.held.activity, feedback_template())
    respond(questionnaire, {"overall": 5, "best": LEARNED}, registration=person.held)


pytestmark = pytest.mark.django_db(transaction=True)


def _variants(value: str) -> set[str]:
    """How a value can be spelt in a table: as is, lower case, and JSON-escaped (SQLite keeps
    JSON columns with non-ASCII letters as \\u escapes)."""
    escaped = json.dumps(value)[1:-1]
    return {value, value.lower(), escaped, escaped.lower()}


def every_cell() -> str:
    """Every value of every row of every table, as text, one line per row."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                lines.append(
                    table
                    + "\t"
                    + "\t".join(
                        bytes(cell).decode("utf-8", "replace")
                        if isinstance(cell, bytes | memoryview)
                        else str(cell)
                        for cell in row
                    )
                )
    return "\n".join(lines)


def dumpdata() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def leftovers(text: str) -> list[str]:
    folded = text.lower()
    found = []
    for value in (NAME, EMAIL, PHONE, ANSWER, ORGANISATION, "Taras-Zaryan", LEARNED):
        if any(variant.lower() in folded for variant in _variants(value)):
            found.append(value)
    return found


def test_nothing_of_an_erased_person_is_left_in_any_table(client: Client):
    call_command("seed", "--demo", verbosity=0)
    person = make_person()
    _story_and_answers(person)
    admin = User.objects.filter(is_project_admin=True).first()
    with transaction.atomic():
        accounts_services.user_update_profile(
            actor=person.user, user=person.user, full_name=NAME, preferred_language="uk"
        )
        # A careless audit entry and an admin page edit, both naming the person.
        audit_log(action="test.careless", actor=person.user, data={"note": f"mail {EMAIL}"})
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(person.held.pk),
        object_repr=str(person.held),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["name"]}}]),
    )
    LogEntry.objects.create(
        user=person.user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.user.pk),
        object_repr=str(person.user),
        action_flag=CHANGE,
        change_message="",
    )
    services.data_request_create(email=EMAIL, language="uk")
    client.force_login(person.user)  # a live session of theirs
    before = every_cell()
    assert set(leftovers(before)) >= {NAME, EMAIL, PHONE, ANSWER, ORGANISATION, LEARNED}

    counts = services.personal_data_erase(email=EMAIL, via="admin")

    assert counts["programme.registrations_anonymised"] == 2
    assert counts["consents withdrawn"] >= 1 and counts["learning.responses_unlinked"] == 1
    assert not leftovers(every_cell()), leftovers(every_cell())
    assert not leftovers(dumpdata())
    # What the funder's counts need is still there.
    assert (
        Registration.objects.filter(
            activity=person.held.activity, attended_at__isnull=False
        ).count()
        == 1
    )
    assert AuditEntry.objects.filter(action="programme.registration.created").count() >= 3
    assert DataRequest.objects.filter(erased_at__isnull=False).count() == 1


def test_erasure_is_all_or_nothing(monkeypatch):
    person = make_person()
    from kopa.programme import personal_data as programme_data

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(programme_data, "erase_personal_data", broken)
    with pytest.raises(RuntimeError):
        services.personal_data_erase(email=EMAIL, via="admin")
    person.user.refresh_from_db()
    assert person.user.full_name == NAME and person.user.is_active
    assert Registration.objects.filter(email=EMAIL).count() == 2
    assert not AuditEntry.objects.filter(action="privacy.erased").exists()


def test_a_person_without_an_account_is_erased_too():
    person = make_person(with_account=False)
    counts = services.personal_data_erase(email=EMAIL, via="link")
    assert counts["programme.registrations_anonymised"] == 2
    assert not Registration.objects.filter(email=EMAIL).exists()
    assert person.waiting.email != EMAIL


def test_erasing_twice_changes_nothing_more():
    make_person()
    services.personal_data_erase(email=EMAIL, via="admin")
    again = services.personal_data_erase(email=EMAIL, via="admin")
    assert sum(again.values()) == 0
