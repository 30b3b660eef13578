from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.learning import personal_data
from kopa.learning.models import Answer
from kopa.learning.tests.factories import attach, feedback_template, held_activity, respond
from kopa.programme.models import Registration
from kopa.programme.tests.factories import registration_data

pytestmark = pytest.mark.django_db


def registration(activity, email: str) -> Registration:
    return Registration.objects.create(
        activity=activity,
        status=Registration.Status.CONFIRMED,
        consented_at=timezone.now(),
        **registration_data(email=email),
    )


def test_export_and_erasure_reach_only_the_persons_responses():
    activity = held_activity()
    questionnaire = attach(activity, feedback_template())
    mine = respond(
        questionnaire,
        {"overall": 4, "best": "My words"},
        registration=registration(activity, "olena@example.org"),
    )
    theirs = respond(
        questionnaire,
        {"overall": 5, "best": "Their words"},
        registration=registration(activity, "other@example.org"),
    )
    anonymous = respond(questionnaire, {"best": "Open link words"})

    exported = personal_data.personal_data(email="Olena@example.org", user=None)
    [record] = exported["Questionnaire answers"]
    assert {"Question": "What was most useful?", "Answer": "My words"} in record["Answers"]
    assert "Their words" not in str(exported)

    with transaction.atomic():
        done = personal_data.erase_personal_data(email="olena@example.org", user=None)
    assert done == {"learning.free_text_answers_deleted": 1, "learning.responses_unlinked": 1}
    mine.refresh_from_db()
    assert mine.registration is None
    assert list(mine.answers.values_list("value", flat=True)) == [4]  # the rating still counts
    assert Answer.objects.filter(response=theirs, text="Their words").exists()
    assert Answer.objects.filter(response=anonymous).exists()
    assert personal_data.personal_data(email="olena@example.org", user=None) == {}


def test_materials_lose_the_link_to_an_erased_account():
    from kopa.learning.tests.factories import make_material

    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    material = make_material(organisation, created_by=editor)
    assert personal_data.personal_data(email=editor.email, user=editor)[
        "Learning materials you added"
    ]
    with transaction.atomic():
        done = personal_data.erase_personal_data(email=editor.email, user=editor)
    assert done["learning.materials_unlinked"] == 1
    material.refresh_from_db()
    assert material.created_by is None
