from __future__ import annotations

import pytest
from django.urls import reverse

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.core.models import AuditEntry
from kopa.learning.models import ActivityQuestionnaire
from kopa.learning.tests.factories import feedback_template, held_activity

pytestmark = pytest.mark.django_db


def test_a_coordinator_attaches_a_template_once_per_phase(client):
    organisation = make_organisation()
    activity = held_activity(organisers=[organisation])
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    url = reverse("learning:activity_questionnaires", args=[activity.slug])
    assert client.get(url).status_code == 200
    data = {"template": feedback_template().pk, "phase": "after"}
    assert client.post(url, data).status_code == 302
    questionnaire = ActivityQuestionnaire.objects.get()
    assert questionnaire.closes_at > activity.ends_at
    assert AuditEntry.objects.filter(action="learning.questionnaire.attached").count() == 1
    again = client.post(url, data)
    assert again.status_code == 400
    assert "already attached" in again.content.decode()
    page = client.get(url).content.decode()
    assert "/en/learning/q/" in page  # the open link, for people without a registration
    sent = client.post(reverse("learning:invite", args=[questionnaire.pk]))
    assert sent.status_code == 302


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.EDITOR])
def test_members_and_editors_cannot_attach(client, role):
    organisation = make_organisation()
    activity = held_activity(organisers=[organisation])
    client.force_login(make_member(organisation, role))
    url = reverse("learning:activity_questionnaires", args=[activity.slug])
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"template": feedback_template().pk, "phase": "after"}).status_code == 403
    )
    assert not ActivityQuestionnaire.objects.exists()


def test_the_programme_page_links_to_the_questionnaires(client):
    organisation = make_organisation()
    activity = held_activity(organisers=[organisation])
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    page = client.get(reverse("programme:manage_activity", args=[activity.slug]))
    assert (
        reverse("learning:activity_questionnaires", args=[activity.slug]) in page.content.decode()
    )
