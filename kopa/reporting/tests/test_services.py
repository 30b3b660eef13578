from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry
from kopa.programme.tests.factories import make_activity
from kopa.reporting import services
from kopa.reporting.models import Allocation
from kopa.reporting.tests.factories import (
    make_coordinator,
    make_grant,
    make_held_activity,
    make_partnered_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant():
    project, _lead, _partner = make_partnered_project()
    return make_grant(project, lump_sum=Decimal("1000"))


def partner_of(grant, index=0):
    return grant.project.partners.order_by("role")[index].organisation


def test_it_allocates_shares_up_to_the_lump_sum_and_refuses_more(grant):
    admin = make_user(is_project_admin=True)
    lead = partner_of(grant)
    services.allocation_add(actor=admin, grant=grant, partner=lead, amount=Decimal("600"))
    services.allocation_add(actor=admin, grant=grant, partner=lead, amount=Decimal("400"))
    with pytest.raises(ValidationError) as error:
        services.allocation_add(actor=admin, grant=grant, partner=lead, amount=Decimal("0.01"))
    assert "amount" in error.value.message_dict
    assert Allocation.objects.filter(grant=grant).count() == 2
    assert AuditEntry.objects.filter(action="reporting.allocation.added").count() == 2


def test_it_refuses_a_partner_or_activity_outside_the_project(grant):
    admin = make_user(is_project_admin=True)
    stranger = make_organisation()
    with pytest.raises(ValidationError) as error:
        services.allocation_add(actor=admin, grant=grant, partner=stranger, amount=Decimal("1"))
    assert "partner" in error.value.message_dict
    other_activity = make_activity()
    with pytest.raises(ValidationError) as error:
        services.allocation_add(
            actor=admin,
            grant=grant,
            partner=partner_of(grant),
            activity=other_activity,
            amount=Decimal("1"),
        )
    assert "activity" in error.value.message_dict
    assert not Allocation.objects.exists()


def test_the_lump_sum_cannot_drop_below_what_is_allocated(grant):
    admin = make_user(is_project_admin=True)
    services.allocation_add(
        actor=admin, grant=grant, partner=partner_of(grant), amount=Decimal("800")
    )
    with pytest.raises(ValidationError):
        services.grant_update(
            actor=admin, grant=grant, expected_version=grant.version, lump_sum=Decimal("700")
        )
    grant.refresh_from_db()
    assert grant.lump_sum == Decimal("1000") and grant.version == 1


def test_a_second_editor_from_the_same_version_gets_a_conflict(grant):
    coordinator = make_coordinator(partner_of(grant, 1))
    services.grant_update(
        actor=coordinator, grant=grant, expected_version=1, agreement_number="2022-1-EE01-X"
    )
    with pytest.raises(services.EditConflict):
        services.grant_update(
            actor=coordinator, grant=grant, expected_version=1, national_agency="Harno"
        )
    grant.refresh_from_db()
    assert grant.agreement_number == "2022-1-EE01-X" and grant.national_agency == ""
    entry = AuditEntry.objects.get(action="reporting.grant.updated")
    assert entry.data["changed"]["agreement_number"] == ["", "2022-1-EE01-X"]


@pytest.mark.parametrize("role", [Membership.Role.EDITOR, Membership.Role.MEMBER])
def test_only_coordinators_of_partners_and_admins_edit(grant, role):
    person = make_member(partner_of(grant), role=role)
    outsider = make_coordinator(make_organisation())
    for actor in (person, outsider):
        with pytest.raises(PermissionDenied):
            services.grant_update(actor=actor, grant=grant, expected_version=1, action="KA220")
        with pytest.raises(PermissionDenied):
            services.dissemination_add(
                actor=actor,
                grant=grant,
                date=dt.date(2026, 3, 1),
                kind="event",
                title="Open day",
                language="en",
            )


def test_a_note_records_why_an_activity_changed(grant):
    activity = make_held_activity(grant.project, partner_of(grant), day=dt.date(2026, 3, 3))
    coordinator = make_coordinator(partner_of(grant))
    note = services.activity_note_save(
        actor=coordinator,
        activity=activity,
        changed=True,
        justification="Moved to the town hall: the library was flooded.",
        language="en",
    )
    assert note.changed
    assert AuditEntry.objects.filter(action="reporting.activity_note.saved").exists()
