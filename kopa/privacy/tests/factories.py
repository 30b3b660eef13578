"""A person with data in the programme and an account, built visibly for each test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kopa.accounts.models import Membership, User
from kopa.accounts.tests.factories import make_organisation, make_user
from kopa.programme import services as programme_services
from kopa.programme.models import Activity, Registration
from kopa.programme.tests.factories import make_activity, make_question, registration_data

NAME = "Olena Kovalenko-Testivna"
EMAIL = "olena.kovalenko@example.org"
PHONE = "+380 67 123 4567"
ANSWER = "Vegetarian; my son Taras-Zaryan comes too"
ORGANISATION = "Pomich Zaporizhzhia Group"


@dataclass
class Person:
    user: User
    held: Registration
    upcoming: Registration
    waiting: Registration  # someone else, on the upcoming activity's waiting list


def make_person(*, with_account: bool = True) -> Person:
    organisation = make_organisation()
    user = None
    if with_account:
        user = make_user(email=EMAIL, full_name=NAME)
        Membership.objects.create(user=user, organisation=organisation, role="member")
    upcoming_activity = make_activity(organisers=[organisation], capacity=1)
    phone = make_question(upcoming_activity, label={"en": "Phone number"})
    note = make_question(upcoming_activity, label={"en": "Anything we should know?"})
    upcoming = programme_services.registration_create(
        activity=upcoming_activity,
        **registration_data(
            name=NAME,
            email=EMAIL.upper(),
            organisation_name=ORGANISATION,
            answers={str(phone.pk): PHONE, str(note.pk): ANSWER},
        ),
    )
    waiting = programme_services.registration_create(
        activity=upcoming_activity, **registration_data()
    )
    past = make_activity(organisers=[organisation], capacity=10)
    held = programme_services.registration_create(
        activity=past,
        **registration_data(name=NAME, email=EMAIL, organisation_name=ORGANISATION),
    )
    Activity.objects.filter(pk=past.pk).update(
        status=Activity.Status.HELD,
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30, hours=-2),
    )
    Registration.objects.filter(pk=held.pk).update(
        attended_at=timezone.now() - dt.timedelta(days=30)
    )
    return Person(user=user, held=held, upcoming=upcoming, waiting=waiting)
