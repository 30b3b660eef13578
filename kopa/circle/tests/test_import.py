"""`kopa import-hsds` / `export-hsds`: idempotent by id, record by record, never a traceback."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kopa.circle.importing import SourceError, import_file
from kopa.circle.models import (
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from kopa.circle.services import RecordError, service_import, taxonomy_load
from kopa.circle.tests.factories import (
    EMERGENCY,
    LEGAL_AID,
    new_id,
    service_record,
)
from kopa.core.i18n import raw_translations
from kopa.core.models import AuditEntry

pytestmark = pytest.mark.django_db

MODELS = [Service, Organization, Location, ServiceAtLocation, Phone, Schedule, Attribute]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def texts(value: object) -> dict[str, str]:
    return dict(raw_translations(value))


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _taxonomy() -> None:
    taxonomy_load()


# --- the development set ---------------------------------------------------------------------


def test_it_imports_the_development_set_and_a_second_import_changes_nothing(devset_path):
    first = import_file(devset_path)
    assert (first.created, first.updated, first.unchanged, first.failed) == (40, 0, 0, 0)
    before = counts()
    versions = dict(Service.objects.values_list("id", "version"))
    modified = dict(Service.objects.values_list("id", "last_modified"))
    entries = AuditEntry.objects.count()

    second = import_file(devset_path)

    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 40, 0)
    assert counts() == before
    assert dict(Service.objects.values_list("id", "version")) == versions
    assert dict(Service.objects.values_list("id", "last_modified")) == modified
    assert AuditEntry.objects.count() == entries


def test_the_development_set_keeps_its_languages_and_time_zones(devset_path):
    import_file(devset_path)
    languages = list(Service.objects.values_list("original_language", flat=True))
    assert {code: languages.count(code) for code in set(languages)} == {
        "lv": 20,
        "et": 16,
        "en": 4,
    }
    for service in Service.objects.all():
        assert set(texts(service.name)) == {service.original_language}
    zone = {"LV": "Europe/Riga", "EE": "Europe/Tallinn"}
    for schedule in Schedule.objects.select_related("service"):
        location = schedule.service.service_at_locations.get().location
        assert schedule.time_zone == zone[location.country()]
    assert Schedule.objects.filter(time_zone="Europe/Riga").exists()
    assert Schedule.objects.filter(time_zone="Europe/Tallinn").exists()


def test_the_development_set_links_every_service_to_the_platforms_terms(devset_path, devset):
    import_file(devset_path)
    wanted = {a["taxonomy_term_id"] for s in devset for a in s["attributes"]}
    assert wanted <= {
        str(pk) for pk in TaxonomyTerm.objects.filter(is_platform=True).values_list("id", flat=True)
    }
    assert Attribute.objects.count() == sum(len(s["attributes"]) for s in devset)
    # The nested English terms do not overwrite the platform's five-language labels.
    legal = TaxonomyTerm.objects.get(pk=LEGAL_AID)
    assert texts(legal.name)["uk"] == "Юридична допомога"


def test_an_export_imports_back_unchanged(devset_path, tmp_path):
    import_file(devset_path)
    before = counts()
    out = io.StringIO()
    call_command("export-hsds", str(tmp_path / "export.json"), stdout=out)
    assert "exported 40 services" in out.getvalue()

    summary = import_file(tmp_path / "export.json")

    assert (summary.unchanged, summary.failed) == (40, 0)
    assert counts() == before


# --- updates -----------------------------------------------------------------------------------


def test_a_changed_record_updates_its_service_and_is_audited():
    record = service_record()
    service_import(record=copy.deepcopy(record))
    record["description"] = "Bezmaksas jurista konsultācijas katru trešdienu bibliotēkā."
    record["phones"] = []

    outcome = service_import(record=copy.deepcopy(record))

    assert outcome.status == "updated"
    service = Service.objects.get(pk=record["id"])
    assert service.version == 2
    assert "trešdienu" in str(service.description)
    assert not Phone.objects.exists()
    entry = AuditEntry.objects.filter(action="circle.service.updated").get()
    assert entry.data["changed"] == ["phone", "service"]
    assert service_import(record=copy.deepcopy(record)).status == "unchanged"


def test_a_translation_stays_while_the_original_stays_and_goes_when_it_changes():
    record = service_record()
    service_import(record=copy.deepcopy(record))
    service = Service.objects.get(pk=record["id"])
    service.name = {**texts(service.name), "uk": "Консультації юриста"}
    service.save()

    assert service_import(record=copy.deepcopy(record)).status == "unchanged"
    assert texts(Service.objects.get(pk=record["id"]).name)["uk"] == "Консультації юриста"

    record["name"] = "Jurista konsultācijas bibliotēkā otrdienās"
    service_import(record=copy.deepcopy(record))
    assert texts(Service.objects.get(pk=record["id"]).name) == {"lv": record["name"]}


def test_a_stated_language_wins_over_detection():
    record = service_record(name="Konsultācijas", x_original_language="et")
    service_import(record=record)
    service = Service.objects.get(pk=record["id"])
    assert service.original_language == "et"
    assert texts(service.name) == {"et": "Konsultācijas"}


def test_the_language_option_states_it_for_every_record():
    record = service_record(name="Legal advice", description="Free legal advice.")
    service_import(record=record, language="en")
    assert texts(Service.objects.get(pk=record["id"]).description) == {"en": "Free legal advice."}


def test_short_nested_texts_take_the_language_of_their_service():
    record = service_record()
    record["languages"] = [{"id": new_id(), "name": "krievu", "code": "ru"}]
    service_import(record=record)
    language = Service.objects.get(pk=record["id"]).languages.get()
    assert language.original_language == "lv"
    assert texts(language.name) == {"lv": "krievu"}


def test_x_translations_are_stored_with_the_original():
    record = service_record(
        x_translations={"name": {"uk": "Юрист у бібліотеці", "de": "nicht unterstützt"}}
    )
    service_import(record=record)
    assert set(texts(Service.objects.get(pk=record["id"]).name)) == {"lv", "uk"}


def test_schedules_take_the_zone_of_the_locations_country():
    record = service_record(country="EE", city="Tartu", position=(58.378, 26.729))
    service_import(record=record)
    assert Schedule.objects.get().time_zone == "Europe/Tallinn"


def test_one_phone_listed_under_the_service_and_its_contact_is_one_phone():
    record = service_record()
    phone = record["phones"][0]
    record["contacts"] = [{"id": new_id(), "name": "Anna", "phones": [copy.deepcopy(phone)]}]
    service_import(record=copy.deepcopy(record))
    stored = Phone.objects.get()
    assert stored.service_id is not None and stored.contact_id is not None
    assert service_import(record=copy.deepcopy(record)).status == "unchanged"


# --- bad records -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda r: r.update(name=42), "name"),
        (lambda r: r.update(status="open"), "status"),
        (lambda r: r["phones"][0].pop("number"), "phones[0]"),
        (lambda r: r["schedules"][0].update(opens_at="25:00"), "schedules[0].opens_at"),
        (lambda r: r["schedules"][0].update(byday="XX"), "schedules[0].byday"),
        (lambda r: r["attributes"][0].update(taxonomy_term_id=new_id()), "taxonomy_term_id"),
        (lambda r: r["attributes"][0].update(link_id=new_id()), "attributes[0].link_id"),
        (
            lambda r: r["service_at_locations"][0]["location"].update(latitude=100),
            "location.latitude",
        ),
        (lambda r: r.update(minimum_age=30, maximum_age=18), "maximum_age"),
        (lambda r: r.update(id="not-a-uuid"), "id"),
        (lambda r: r.update(x_translations="no"), "x_translations"),
        (
            lambda r: r["phones"].append({**r["phones"][0], "number": "+371 1"}),
            "used twice",
        ),
    ],
)
def test_a_bad_record_is_refused_with_its_place_and_nothing_is_written(change, where):
    record = service_record()
    change(record)
    with pytest.raises(RecordError) as error:
        service_import(record=record)
    assert where in str(error.value)
    assert counts() == dict.fromkeys(counts(), 0)


def test_text_that_is_not_unicode_fails_its_record_only(tmp_path):
    path = tmp_path / "feed.json"
    good = json.dumps(service_record())
    bad = json.dumps(service_record(name="x")).replace('"name": "x"', '"name": "\\ud800"')
    path.write_text(f"[{bad}, {good}]", encoding="utf-8")
    summary = import_file(path)
    assert (summary.created, summary.failed) == (1, 1)
    assert summary.problems[0].position == "record 1"


def test_a_record_failing_late_leaves_nothing_half_written():
    record = service_record()
    record["attributes"].append({"id": new_id(), "taxonomy_term_id": new_id()})
    with pytest.raises(RecordError, match="unknown taxonomy term"):
        service_import(record=record)
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_record_may_bring_its_own_taxonomy_term():
    record = service_record(terms=[])
    term_id = new_id()
    record["attributes"] = [
        {
            "id": new_id(),
            "taxonomy_term_id": term_id,
            "taxonomy_term": {
                "id": term_id,
                "name": "Bike repair",
                "description": "Free bicycle repairs.",
                "parent_id": EMERGENCY,
                "language": "eng",
            },
        }
    ]
    service_import(record=record)
    term = TaxonomyTerm.objects.get(pk=term_id)
    assert (term.is_platform, term.original_language, str(term.parent_id)) == (
        False,
        "en",
        EMERGENCY,
    )


def test_the_file_reports_bad_records_and_imports_the_good_ones(tmp_path):
    good = service_record()
    also_good = service_record()
    bad = service_record(status="unknown")
    path = write_json(tmp_path / "feed.json", [good, "not an object", bad, also_good, good])

    summary = import_file(path)

    assert (summary.created, summary.failed) == (2, 3)
    assert [p.position for p in summary.problems] == ["record 2", "record 3", "record 5"]
    assert "must be a JSON object" in summary.problems[0].reason
    assert summary.problems[1].reason.startswith("status:")
    assert "already at record 1" in summary.problems[2].reason


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"id": "x", "name": "caf\xe9"}]', "not valid UTF-8: byte 0xe9 at line 1"),
        (b'[{"id": ', "not valid JSON: Expecting value at line 1"),
        (b'{"services": []}', "expected a JSON array of HSDS services"),
        (b'[{"latitude": NaN}]', "NaN is not a number JSON allows"),
        (b'[{"latitude": 1e999}]', "too large a number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_a_broken_file_is_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "feed.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message.replace("(", r"\(")) as error:
        import_file(path)
    assert "\n" not in str(error.value)


def test_a_file_over_the_limit_is_refused(tmp_path):
    path = write_json(tmp_path / "big.json", [service_record() for _ in range(3)])
    with pytest.raises(SourceError, match="more than the limit of 0.0 MB"):
        import_file(path, max_bytes=1000)
    with pytest.raises(CommandError, match="raise the limit with --max-size"):
        call_command("import-hsds", str(path), "--max-size", "1k", stdout=io.StringIO())


# --- the command -------------------------------------------------------------------------------


def test_the_command_counts_and_reports_failures(tmp_path):
    path = write_json(tmp_path / "feed.json", [service_record(), service_record(name=7)])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 records failed"):
        call_command("import-hsds", str(path), stdout=out, stderr=err)
    assert "2 records: 1 created, 0 updated, 0 unchanged, 1 failed" in out.getvalue()
    assert "importing: 2/2" in err.getvalue()
    assert "failed: record 2 (id " in err.getvalue()
    assert "name: 7 is not of type 'string'" in err.getvalue()


def test_the_command_checks_its_options(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import-hsds", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="--language"):
        call_command("import-hsds", str(tmp_path), "--language", "de")
    with pytest.raises(CommandError, match="--max-size"):
        call_command("import-hsds", str(tmp_path), "--max-size", "lots")


def test_the_export_is_valid_hsds(tmp_path, hsds_dir):
    from jsonschema import Draft202012Validator

    service_import(record=service_record())
    out = io.StringIO()
    call_command("export-hsds", "-", stdout=out, stderr=io.StringIO())
    exported = json.loads(out.getvalue())
    schema = json.loads(
        (hsds_dir / "schema" / "compiled" / "service_with_definitions.json").read_text()
    )
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [list(validator.iter_errors(item)) for item in exported] == [[]]


def test_the_specifications_full_example_imports_and_reimports_unchanged(hsds_dir):
    record = json.loads((hsds_dir / "examples" / "service_full.json").read_text())
    # The example's coordinates (100, 101) are not on Earth: the importer refuses them.
    with pytest.raises(RecordError, match="latitude"):
        service_import(record=copy.deepcopy(record))
    location = record["service_at_locations"][0]["location"]
    location.update(latitude=57.5386, longitude=25.4263)

    assert service_import(record=copy.deepcopy(record)).status == "created"
    assert service_import(record=copy.deepcopy(record)).status == "unchanged"
    # One phone, listed under the service, its contact, its location and the service there.
    phone = Phone.objects.get()
    assert None not in (phone.service_id, phone.contact_id, phone.location_id)
    assert phone.service_at_location_id is not None
    assert Schedule.objects.get().time_zone == "Europe/Riga"  # US has many zones: the site's


# --- CSV data packages ---------------------------------------------------------------------------


def _hsds_example_package(hsds_dir: Path, target: Path) -> Path:
    """The specification's example CSV package, its impossible coordinates made real."""
    shutil.copytree(hsds_dir / "examples" / "csv", target)
    # In the copy, the example's descriptor is a link to the specification's own.
    shutil.copy(hsds_dir / "datapackage.json", target / "datapackage.json")
    locations = target / "locations.csv"
    with locations.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(latitude="57.5386", longitude="25.4263")
    with locations.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_it_imports_an_hsds_csv_package_directory_and_zip(tmp_path, hsds_dir):
    package = _hsds_example_package(hsds_dir, tmp_path / "package")

    summary = import_file(package)

    assert (summary.created, summary.failed) == (1, 0), summary.problems
    service = Service.objects.get()
    assert str(service.name) == "Community Counselling"
    assert service.original_language == "en"
    assert service.minimum_age == 12
    assert service.service_at_locations.get().location.addresses.count() == 1
    assert Schedule.objects.get().service_at_location.service == service
    assert Phone.objects.exists()

    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for file in package.iterdir():
            handle.write(file, f"hsds/{file.name}")
    again = import_file(archive)
    assert (again.unchanged, again.failed) == (1, 0), again.problems


def test_a_package_without_a_descriptor_or_services_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no datapackage.json"):
        import_file(tmp_path / "empty")
    package = tmp_path / "package"
    package.mkdir()
    write_json(package / "datapackage.json", {"resources": [{"name": "x", "path": "x.csv"}]})
    with pytest.raises(SourceError, match="no services table"):
        import_file(package)
    write_json(
        package / "datapackage.json", {"resources": [{"name": "service", "path": "../s.csv"}]}
    )
    with pytest.raises(SourceError, match="not in the package"):
        import_file(package)


def test_a_csv_cell_of_the_wrong_type_fails_its_record_with_its_line(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    write_json(
        package / "datapackage.json",
        {"resources": [{"name": "service", "path": "services.csv"}]},
    )
    (package / "services.csv").write_text(
        "id,name,description,status,minimum_age\n"
        f"{new_id()},Legal advice,Free legal advice for everyone.,active,ten\n"
        f"{new_id()},Food bank,Food packages for families in need.,active,\n",
        encoding="utf-8",
    )
    summary = import_file(package)
    assert (summary.created, summary.failed) == (1, 1)
    assert summary.problems[0].position == "services.csv line 2"
    assert "minimum_age" in summary.problems[0].reason
    assert LEGAL_AID  # the platform's terms are loaded for every test here
