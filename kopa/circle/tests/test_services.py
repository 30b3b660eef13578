"""The platform's taxonomy, edits with optimistic locking, and opening hours of a service."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied

from kopa.accounts.tests.factories import make_user
from kopa.circle.models import Taxonomy, TaxonomyTerm
from kopa.circle.services import (
    TAXONOMY_FILE,
    EditConflict,
    TaxonomyFileError,
    service_update,
    taxonomy_load,
)
from kopa.circle.tests.conftest import DEVSET
from kopa.circle.tests.factories import EMERGENCY, make_service, new_id
from kopa.core.i18n import raw_translations
from kopa.core.models import AuditEntry
from kopa.site.seeding import seed_project

pytestmark = pytest.mark.django_db

LANGUAGES = {"lv", "et", "en", "uk", "ru"}


def test_it_loads_the_taxonomy_once_and_then_changes_nothing():
    first = taxonomy_load()
    second = taxonomy_load()
    assert (first.created, first.updated) == (19, 0)  # the taxonomy and 18 terms
    assert (second.created, second.updated, second.unchanged) == (0, 0, 19)
    assert AuditEntry.objects.filter(action="circle.taxonomy.loaded").count() == 1
    assert TaxonomyTerm.objects.filter(parent__isnull=True).count() == 15
    for term in TaxonomyTerm.objects.all():
        assert set(raw_translations(term.name)) == LANGUAGES
        assert term.is_platform


def test_it_restores_a_label_someone_changed():
    taxonomy_load()
    term = TaxonomyTerm.objects.get(code="violence-shelter")
    assert str(term.parent.code) == "emergency-crisis"
    term.name = {"en": "Changed"}
    term.save()
    report = taxonomy_load()
    assert (report.updated, report.unchanged) == (1, 18)
    term.refresh_from_db()
    assert raw_translations(term.name)["lv"] == "Patversme vardarbībā cietušajiem"


def test_the_top_level_terms_keep_the_ids_the_data_uses():
    shared = DEVSET / "taxonomy.json"
    if not shared.is_file():
        pytest.skip(f"the search development set is not here ({shared})")
    source = json.loads(shared.read_text(encoding="utf-8"))
    ours = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    assert ours["taxonomy"]["id"] == source["taxonomy"]["id"]
    top = {t["id"]: t for t in ours["terms"] if t["parent"] is None}
    assert {t["id"]: t["code"] for t in source["taxonomy_terms"]} == {
        i: t["code"] for i, t in top.items()
    }
    for term in source["taxonomy_terms"]:
        assert top[term["id"]]["name"] == term["x_labels"]


def test_a_broken_taxonomy_file_is_named_in_the_error(tmp_path):
    broken = tmp_path / "taxonomy.json"
    broken.write_text('{"taxonomy": {}}', encoding="utf-8")
    with pytest.raises(TaxonomyFileError, match=r"taxonomy.json: KeyError"):
        taxonomy_load(path=broken)
    assert not Taxonomy.objects.exists()


def test_kopa_seed_loads_the_taxonomy_too():
    seed_project()
    seed_project()
    assert TaxonomyTerm.objects.count() == 18
    assert TaxonomyTerm.objects.get(pk=EMERGENCY).code == "emergency-crisis"
    assert AuditEntry.objects.filter(action="circle.taxonomy.loaded").count() == 1


def test_an_edit_from_an_older_version_is_refused():
    service = make_service()
    admin = make_user(is_project_admin=True)
    service_update(actor=admin, service=service, expected_version=1, status="inactive")
    assert service.version == 2
    with pytest.raises(EditConflict):
        service_update(actor=admin, service=service, expected_version=1, status="active")
    with pytest.raises(PermissionDenied):
        service_update(actor=make_user(), service=service, expected_version=2, status="active")
    entry = AuditEntry.objects.get(action="circle.service.updated")
    assert entry.data == {"fields": ["status"], "version": 2}


def test_a_service_is_open_when_one_of_its_schedules_is():
    riga = zoneinfo.ZoneInfo("Europe/Riga")
    service = make_service(
        schedules=[
            {"id": new_id(), "byday": "TU", "opens_at": "10:00", "closes_at": "14:00"},
            {"id": new_id(), "byday": "SA", "opens_at": "19:00", "closes_at": "08:00"},
        ]
    )
    assert service.is_open_at(dt.datetime(2027, 5, 4, 11, 0, tzinfo=riga))  # Tuesday
    assert service.is_open_at(dt.datetime(2027, 5, 9, 7, 0, tzinfo=riga))  # Sunday morning
    assert not service.is_open_at(dt.datetime(2027, 5, 5, 11, 0, tzinfo=riga))
    after = dt.datetime(2027, 5, 5, 11, 0, tzinfo=riga)
    assert service.next_opening(after) == dt.datetime(2027, 5, 8, 19, 0, tzinfo=riga)
