from __future__ import annotations

import pytest
from django.db import transaction

from kopa.accounts.tests.factories import make_organisation, make_user
from kopa.core.audit import AuditOutsideTransaction, audit_log
from kopa.core.models import AuditEntry


@pytest.mark.django_db
def test_it_records_actor_target_and_details():
    actor = make_user()
    organisation = make_organisation()
    with transaction.atomic():
        entry = audit_log(
            action="accounts.organisation.updated", actor=actor, target=organisation, data={"a": 1}
        )
    entry.refresh_from_db()
    assert entry.actor == actor
    assert entry.target_type.model == "organisation"
    assert entry.target_id == str(organisation.pk)
    assert entry.data == {"a": 1}


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_outside_a_transaction():
    with pytest.raises(AuditOutsideTransaction):
        audit_log(action="core.test")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_record_rolls_back_with_the_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(action="core.test")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
