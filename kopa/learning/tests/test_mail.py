from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.learning import services
from kopa.learning.models import Response
from kopa.learning.tests.factories import attach, feedback_template, held_activity, respond
from kopa.learning.tests.test_personal_data import registration

pytestmark = pytest.mark.django_db


def test_the_post_activity_mail_carries_each_persons_link(django_capture_on_commit_callbacks):
    organisation = make_organisation()
    coordinator = make_member(organisation, Membership.Role.COORDINATOR)
    activity = held_activity(organisers=[organisation])
    questionnaire = attach(activity, feedback_template())
    first = registration(activity, "a@example.org")
    first.language = "uk"
    first.save()
    registration(activity, "b@example.org")
    respond(questionnaire, {"overall": 3}, registration=registration(activity, "c@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        count = services.invitations_send(actor=coordinator, questionnaire=questionnaire)
    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    ukrainian = next(m for m in mail.outbox if m.to == ["a@example.org"])
    assert "/uk/learning/q/" in ukrainian.body
    assert Response.objects.count() == 1


def test_the_timer_sends_the_post_activity_mail_once_to_those_who_came(
    django_capture_on_commit_callbacks,
):
    activity = held_activity()
    questionnaire = attach(activity, feedback_template())
    came = registration(activity, "came@example.org")
    came.attended_at = timezone.now()
    came.save()
    registration(activity, "stayed.home@example.org")
    not_yet = attach(
        held_activity(starts_at=timezone.now() + dt.timedelta(days=2), status="open"),
        feedback_template(),
    )
    registration(not_yet.activity, "future@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_questionnaires")
    assert [m.to for m in mail.outbox] == [["came@example.org"]]
    questionnaire.refresh_from_db()
    assert questionnaire.invited_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_questionnaires")
    assert len(mail.outbox) == 1
