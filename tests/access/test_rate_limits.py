"""The public registration form is rate-limited per address (docs/security.md)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from kopa.programme.models import Registration
from kopa.programme.tests.factories import make_activity, make_notice

pytestmark = pytest.mark.django_db


def _data(number: int) -> dict:
    return {
        "name": f"Olena Kovalenko {number}",
        "email": f"olena{number}@example.org",
        "organisation_name": "",
        "country": "UA",
        "participant_group": "other",
        "languages": ["uk"],
        "consent": "on",
    }


def test_registrations_beyond_the_hourly_limit_store_nothing_and_say_why(settings):
    settings.KOPA_REGISTRATIONS_PER_HOUR = 2
    make_notice()
    activity = make_activity(capacity=10)
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = f"/uk/programme/{activity.slug}/register/"
    assert [client.post(url, _data(n)).status_code for n in range(2)] == [302, 302]
    sent = len(mail.outbox)
    refused = client.post(url, _data(3))
    assert refused.status_code == 429
    assert "забагато реєстрацій" in refused.text
    assert 'value="Olena Kovalenko 3"' in refused.text  # what was typed is kept
    assert Registration.objects.count() == 2
    assert len(mail.outbox) == sent
    other_address = Client(REMOTE_ADDR="203.0.113.8").post(url, _data(4))
    assert other_address.status_code == 302
    assert Registration.objects.count() == 3


def test_reading_the_form_does_not_count(settings):
    settings.KOPA_REGISTRATIONS_PER_HOUR = 1
    make_notice()
    activity = make_activity(capacity=10)
    client = Client()
    for _ in range(3):
        assert client.get(f"/en/programme/{activity.slug}/register/").status_code == 200
    assert client.post(f"/en/programme/{activity.slug}/register/", _data(1)).status_code == 302
