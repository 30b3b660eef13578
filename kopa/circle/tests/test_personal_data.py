"""The support circle's part of a person's data: what is shown and what erasure leaves."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.circle import services
from kopa.circle.models import CircleMessage, MemberProfile, Suggestion
from kopa.circle.personal_data import erase_personal_data, personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    organisation = make_organisation()
    person = make_member(organisation, full_name="Olena Koval", email="olena@example.org")
    colleague = make_member(organisation, full_name="Mart Tamm")
    services.profile_save(
        actor=person, role="Interpreter", expertise={"uk": "Переклад"}, languages=["uk"]
    )
    their = services.profile_save(actor=colleague, role="Librarian", languages=["et"])
    mine = MemberProfile.objects.get(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(sender=person, profile=their, body="Hello Mart", share_address=True)
        services.message_send(
            sender=colleague, profile=mine, body="Hello Olena", share_address=False
        )
    open_one = services.suggestion_create(
        actor=person, note="A new food bank", proposed={"city": "Rīga"}, language="uk"
    )
    decided = services.suggestion_create(
        actor=person, note="Wrong phone", proposed={"phone": "+371 1"}, language="uk"
    )
    editor = make_user(is_project_admin=True)
    services.suggestion_reject(actor=editor, suggestion=decided, reason="Checked: it is right")
    return {"person": person, "colleague": colleague, "open": open_one, "decided": decided}


def test_it_shows_the_profile_messages_and_suggestions(world):
    data = personal_data(email="olena@example.org", user=world["person"])
    assert json.loads(json.dumps(data)) == data  # JSON-able
    (profile,) = data["Support circle: profile"]
    assert profile["role"] == "Interpreter" and profile["expertise"] == {"uk": "Переклад"}
    (sent,) = data["Support circle: messages sent"]
    assert sent["to"] == "Mart Tamm" and sent["shared_your_address"] is True
    (received,) = data["Support circle: messages received"]
    assert received["from"] == "Mart Tamm"
    assert "Hello" not in json.dumps(data)  # message texts are never stored
    notes = sorted(s["note"] for s in data["Support circle: suggestions"])
    assert notes == ["A new food bank", "Wrong phone"]
    assert personal_data(email="nobody@example.org", user=None) == {}


def test_erasure_deletes_the_profile_and_anonymises_the_rest(world):
    person = world["person"]
    with transaction.atomic():
        done = erase_personal_data(email=person.email, user=person)
    assert done["circle profiles deleted"] == 1
    assert done["circle messages sent, unlinked"] == 1
    assert done["circle messages received, unlinked"] == 1
    assert done["circle suggestions anonymised"] == 2
    assert done["circle open suggestions closed"] == 1
    assert not MemberProfile.objects.filter(user=person).exists()
    assert MemberProfile.objects.filter(user=world["colleague"]).exists()
    # The counts stay; nothing points at the person any more.
    assert CircleMessage.objects.count() == 2
    assert not CircleMessage.objects.filter(sender=person).exists()
    assert not CircleMessage.objects.filter(recipient=person).exists()
    for suggestion in Suggestion.objects.all():
        assert (suggestion.suggested_by, suggestion.note, suggestion.proposed) == (None, "", {})
    world["open"].refresh_from_db()
    assert world["open"].status == "rejected"
    assert personal_data(email=person.email, user=person) == {}


def test_erasing_an_editor_keeps_their_decisions_without_their_name(world):
    editor = world["decided"].decided_by
    with transaction.atomic():
        done = erase_personal_data(email=editor.email, user=editor)
    assert done["circle decisions unlinked from the editor"] == 1
    world["decided"].refresh_from_db()
    assert world["decided"].decided_by is None and world["decided"].status == "rejected"
