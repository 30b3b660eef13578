"""A participant may say they face fewer opportunities; it is kept only with its own consent,
never shown to coordinators, in the person's copy of their data, and erased with them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member
from kopa.core.models import AuditEntry
from kopa.programme import services
from kopa.programme.links import private_token
from kopa.programme.models import FewerOpportunities, Registration
from kopa.programme.personal_data import erase_personal_data, personal_data, retention_rules
from kopa.programme.tests.factories import make_activity, make_notice, registration_data

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "name": "Olena Kovalenko",
        "email": "olena@example.org",
        "country": "UA",
        "participant_group": "other",
        "consent": "on",
    }
    data.update(changes)
    return data


def test_the_declaration_is_recorded_with_its_own_consent_and_the_notice_version(client):
    make_notice()
    activity = make_activity()
    response = client.post(
        f"/en/programme/{activity.slug}/register/",
        form_data(fewer_opportunities=["displaced", "economic"], fewer_opportunities_consent="on"),
    )
    assert response.status_code == 302
    declaration = FewerOpportunities.objects.get()
    assert declaration.categories == ["displaced", "economic"]
    assert declaration.consent_notice.version == 1
    assert declaration.registration == Registration.objects.get()
    assert AuditEntry.objects.filter(action="programme.fewer_opportunities.consented").exists()
    assert "Refugee or displaced person" in client.get(response["Location"]).text


def test_categories_without_the_consent_store_nothing_and_say_why(client):
    make_notice()
    activity = make_activity()
    response = client.post(
        f"/en/programme/{activity.slug}/register/", form_data(fewer_opportunities=["disability"])
    )
    assert response.status_code == 200
    assert "Tick this agreement to have your answer recorded" in response.text
    assert not Registration.objects.exists()
    assert not FewerOpportunities.objects.exists()


def test_the_form_without_the_declaration_registers_as_before(client):
    make_notice()
    activity = make_activity()
    response = client.post(
        f"/en/programme/{activity.slug}/register/", form_data(fewer_opportunities_consent="on")
    )
    assert response.status_code == 302
    assert Registration.objects.exists()
    assert not FewerOpportunities.objects.exists()


def test_the_service_drops_categories_given_without_consent():
    registration = services.registration_create(
        activity=make_activity(), **registration_data(fewer_opportunities=["social"])
    )
    assert registration.pk
    assert not FewerOpportunities.objects.exists()


def test_an_unknown_category_is_refused(client):
    make_notice()
    activity = make_activity()
    response = client.post(
        f"/en/programme/{activity.slug}/register/",
        form_data(fewer_opportunities=["rich"], fewer_opportunities_consent="on"),
    )
    assert response.status_code == 200
    assert not Registration.objects.exists()
    with pytest.raises(Exception, match="fewer_opportunities"):
        services.registration_create(
            activity=activity,
            **registration_data(fewer_opportunities=["rich"], fewer_opportunities_consent=True),
        )


def declared(activity, **fields):
    return services.registration_create(
        activity=activity,
        **registration_data(
            fewer_opportunities=["disability"], fewer_opportunities_consent=True, **fields
        ),
    )


def test_coordinators_never_see_the_individual_answer(client):
    activity = make_activity()
    declared(activity, name="Ērika Ozola")
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    page = client.get(f"/en/programme/manage/{activity.slug}/")
    assert page.status_code == 200 and "Ērika Ozola" in page.text
    export = client.get(f"/en/programme/manage/{activity.slug}/registrations.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][0] == "Ērika Ozola"
    for text in (page.text, export.content.decode("utf-8-sig")):
        assert "Disability" not in text and "fewer opportunities" not in text.lower()


def test_the_participant_removes_it_through_their_private_link(client):
    registration = declared(make_activity())
    token = private_token(registration)
    url = f"/en/programme/r/{token}/"
    assert "Remove my answer" in client.get(url).text
    response = client.post(url, {"remove_fewer_opportunities": "1"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert not FewerOpportunities.objects.exists()
    assert AuditEntry.objects.filter(action="programme.fewer_opportunities.withdrawn").exists()
    assert "Remove my answer" not in client.get(response["Location"]).text


def test_it_is_in_the_persons_copy_and_goes_with_the_erasure():
    registration = declared(make_activity(), email="olena@example.org")
    copy = personal_data(email="olena@example.org", user=None)
    record = copy[Registration._meta.verbose_name_plural][0]
    assert record[FewerOpportunities._meta.verbose_name]["fewer opportunities"] == ["Disability"]
    erase_personal_data(email="olena@example.org", user=None)
    assert not FewerOpportunities.objects.exists()
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_retention_of_registrations_takes_it_too():
    activity = make_activity()
    declared(activity)
    project = activity.project
    project.start_date = dt.date(2015, 1, 1)
    project.end_date = dt.date(2016, 1, 1)
    project.save()
    rule = next(r for r in retention_rules() if r.kind == "programme.registrations")
    assert rule.apply(now=timezone.now(), days=rule.default_days, dry_run=False) == 1
    assert not FewerOpportunities.objects.exists()
