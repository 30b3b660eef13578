"""The HSDS read API: valid HSDS 3.0, languages, filters, proximity, errors and query counts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopa.circle.importing import import_file
from kopa.circle.models import Service
from kopa.circle.services import taxonomy_load
from kopa.circle.tests.factories import (
    EMERGENCY,
    HOUSING,
    LEGAL_AID,
    NIGHT_SHELTER,
    PLATFORM_TAXONOMY,
    TARTU,
    VALMIERA,
    make_service,
    new_id,
)

pytestmark = pytest.mark.django_db


# --- validating against the specification ------------------------------------------------------


class Hsds:
    """Validators for the HSDS 3.0 schemas in shared/hsds (relative $refs resolved locally)."""

    def __init__(self, root: Path) -> None:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.schema_dir = root / "schema"
        self.base = "https://hsds.test/schema/"
        resources = []
        for path in sorted(self.schema_dir.glob("*.json")) + sorted(
            (self.schema_dir / "compiled").glob("*.json")
        ):
            contents = json.loads(path.read_text(encoding="utf-8"))
            uri = self.base + str(path.relative_to(self.schema_dir))
            resources.append((uri, Resource(contents, specification=DRAFT202012)))
        self.registry = Registry().with_resources(resources)
        self.validator_class = Draft202012Validator
        openapi = json.loads((self.schema_dir / "openapi.json").read_text(encoding="utf-8"))
        self.page_schema = openapi["components"]["schemas"]["Page"]

    def errors(self, name: str, instance: Any) -> list[str]:
        validator = self.validator_class(
            {"$ref": self.base + name},
            registry=self.registry,
            format_checker=self.validator_class.FORMAT_CHECKER,
        )
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def page_errors(self, page: dict[str, Any], item_schema: str) -> list[str]:
        validator = self.validator_class(self.page_schema)
        problems = [e.message for e in validator.iter_errors(page)]
        missing = set(self.page_schema["properties"]) - set(page)
        problems += [f"Page lacks {name}" for name in sorted(missing)]
        for item in page["contents"]:
            problems += self.errors(item_schema, item)
        return problems


@pytest.fixture
def hsds(hsds_dir: Path) -> Hsds:
    return Hsds(hsds_dir)


@pytest.fixture
def directory(django_capture_on_commit_callbacks) -> dict[str, Service]:
    """Three services: legal aid in Valmiera and Tartu, a night shelter in Valmiera (indexed for
    search after commit, as in production)."""
    with django_capture_on_commit_callbacks(execute=True):
        return _directory()


def _directory() -> dict[str, Service]:
    taxonomy_load()
    shared_org = {"id": new_id(), "name": "Biedrība “Ceļš”", "description": "Palīdz bēgļiem."}
    return {
        "legal": make_service(organization=shared_org),
        "shelter": make_service(
            name="Naktspatversme",
            description="Naktspatversme bezpajumtniekiem, atvērta katru vakaru.",
            terms=[NIGHT_SHELTER],
            organization=shared_org,
            schedules=[
                {
                    "id": new_id(),
                    "freq": "WEEKLY",
                    "byday": "MO,TU,WE,TH,FR,SA,SU",
                    "opens_at": "19:00",
                    "closes_at": "08:00",
                }
            ],
        ),
        "tartu": make_service(
            name="Tasuta õigusabi",
            description="Tasuta õigusabi raamatukogus igal teisipäeval.",
            country="EE",
            city="Tartu",
            position=TARTU,
        ),
    }


def get(client, url: str, **headers: str) -> tuple[int, Any]:
    response = client.get(url, **headers)
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


# --- the endpoints -----------------------------------------------------------------------------


def test_the_root_says_version_profile_and_openapi(client):
    status, data = get(client, "/api/hsds/")
    assert status == 200
    assert data["version"] == "3.0"
    assert data["profile"] == "http://testserver/api/hsds/profile"
    assert data["openapi_url"] == "http://testserver/api/hsds/openapi.json"  # tests/fuzz
    assert get(client, "/api/hsds/profile")[1]["extra_fields"]["x_translations"]


def test_services_are_a_valid_hsds_page(client, directory, hsds):
    status, page = get(client, "/api/hsds/services")
    assert status == 200
    assert hsds.page_errors(page, "compiled/service_list.json") == []
    assert (page["total_items"], page["total_pages"], page["size"]) == (3, 1, 3)
    assert (page["first_page"], page["last_page"], page["empty"]) == (True, True, False)

    status, full = get(client, "/api/hsds/services?full=true")
    assert hsds.page_errors(full, "compiled/service_with_definitions.json") == []
    assert all(item["attributes"] and item["service_at_locations"] for item in full["contents"])


def test_a_service_is_fully_nested_valid_hsds(client, directory, hsds):
    legal = directory["legal"]
    status, data = get(client, f"/api/hsds/services/{legal.pk}")
    assert status == 200
    assert hsds.errors("compiled/service_with_definitions.json", data) == []
    assert hsds.errors("service.json", data) == []
    location = data["service_at_locations"][0]["location"]
    assert location["addresses"][0]["country"] == "LV"
    assert data["schedules"][0]["x_timezone"] == "Europe/Riga"
    term = data["attributes"][0]["taxonomy_term"]
    assert (term["id"], term["taxonomy_detail"]["id"]) == (LEGAL_AID, PLATFORM_TAXONOMY)


def test_organizations_taxonomies_and_service_at_locations_are_valid_hsds(client, directory, hsds):
    organization_id = directory["legal"].organization_id
    _status, page = get(client, "/api/hsds/organizations")
    assert hsds.page_errors(page, "compiled/organization_list.json") == []
    assert page["total_items"] == 2
    _status, organization = get(client, f"/api/hsds/organizations/{organization_id}")
    assert hsds.errors("organization.json", organization) == []
    assert len(organization["services"]) == 2
    _status, organization = get(
        client, f"/api/hsds/organizations/{organization_id}?full_service=true"
    )
    assert hsds.errors("organization.json", organization) == []
    assert organization["services"][0]["attributes"]

    _status, page = get(client, "/api/hsds/taxonomies")
    assert hsds.page_errors(page, "taxonomy.json") == []
    _status, taxonomy = get(client, f"/api/hsds/taxonomies/{PLATFORM_TAXONOMY}")
    assert hsds.errors("taxonomy.json", taxonomy) == []

    _status, page = get(client, "/api/hsds/taxonomy_terms?per_page=100")
    assert hsds.page_errors(page, "taxonomy_term.json") == []
    assert page["total_items"] == 18
    _status, term = get(client, f"/api/hsds/taxonomy_terms/{NIGHT_SHELTER}")
    assert hsds.errors("taxonomy_term.json", term) == []
    assert term["parent_id"] == HOUSING

    _status, page = get(client, "/api/hsds/service_at_locations?full=true")
    assert hsds.page_errors(page, "compiled/service_at_location_list.json") == []
    assert hsds.page_errors(page, "service_at_location.json") == []
    item_id = page["contents"][0]["id"]
    _status, item = get(client, f"/api/hsds/service_at_locations/{item_id}")
    assert hsds.errors("service_at_location.json", item) == []


def test_the_imported_development_set_is_served_as_valid_hsds(client, devset_path, hsds):
    taxonomy_load()
    import_file(devset_path)
    _status, page = get(client, "/api/hsds/services?per_page=100&full=true")
    assert page["total_items"] == 40
    assert hsds.page_errors(page, "compiled/service_with_definitions.json") == []
    _status, page = get(client, "/api/hsds/service_at_locations?per_page=100")
    assert hsds.page_errors(page, "compiled/service_at_location_list.json") == []


# --- languages ---------------------------------------------------------------------------------


def test_texts_come_in_their_own_language_unless_the_client_asks(client, directory):
    legal = directory["legal"]
    legal.name = {"lv": "Jurists bibliotēkā", "uk": "Юрист у бібліотеці"}
    legal.save()
    url = f"/api/hsds/services/{legal.pk}"

    assert get(client, url)[1]["name"] == "Jurists bibliotēkā"
    assert get(client, f"{url}?lang=uk")[1]["name"] == "Юрист у бібліотеці"
    data = get(client, url, HTTP_ACCEPT_LANGUAGE="de, uk;q=0.8, en;q=0.5")[1]
    assert data["name"] == "Юрист у бібліотеці"
    # No Russian text: the record's own language.
    data = get(client, f"{url}?lang=ru")[1]
    assert data["name"] == "Jurists bibliotēkā"
    assert data["x_original_language"] == "lv"
    assert data["x_translations"]["name"] == {
        "lv": "Jurists bibliotēkā",
        "uk": "Юрист у бібліотеці",
    }
    assert client.get(f"{url}?lang=uk")["Content-Language"] == "uk"


def test_taxonomy_terms_speak_the_clients_language(client, directory):
    term = get(client, f"/api/hsds/taxonomy_terms/{LEGAL_AID}?lang=ru")[1]
    assert (term["name"], term["language"]) == ("Юридическая помощь", "ru")
    # Descriptions are in English only: the fallback says so.
    assert term["description"].startswith("Legal advice")


# --- filters -----------------------------------------------------------------------------------


def ids(page: dict[str, Any]) -> set[str]:
    return {item["id"] for item in page["contents"]}


def test_search_ignores_case_and_diacritics_in_every_language(client, directory):
    legal, shelter = str(directory["legal"].pk), str(directory["shelter"].pk)
    assert ids(get(client, "/api/hsds/services?search=NAKTSPATVERSME")[1]) == {shelter}
    assert ids(get(client, "/api/hsds/services?search=naktspatversme vakaru")[1]) == {shelter}
    assert ids(get(client, "/api/hsds/services?search=konsultacijas")[1]) == {legal}
    assert ids(get(client, "/api/hsds/services?search=õigusabi")[1]) == {str(directory["tartu"].pk)}
    assert get(client, "/api/hsds/services?search=nothing-like-it")[1]["empty"] is True


def test_filters_combine(client, directory):
    legal, tartu = str(directory["legal"].pk), str(directory["tartu"].pk)
    organization = directory["legal"].organization_id
    by_term = get(client, f"/api/hsds/services?taxonomy_term_id={LEGAL_AID}")[1]
    assert ids(by_term) == {legal, tartu}
    both = get(
        client, f"/api/hsds/services?taxonomy_term_id={LEGAL_AID}&organization_id={organization}"
    )[1]
    assert ids(both) == {legal}
    # A broader term finds the services filed under a narrower one.
    housing = get(client, f"/api/hsds/services?taxonomy_term_id={HOUSING}")[1]
    assert ids(housing) == {str(directory["shelter"].pk)}
    assert get(client, f"/api/hsds/services?taxonomy_term_id={EMERGENCY}")[1]["empty"]
    by_taxonomy = get(client, f"/api/hsds/services?taxonomy_id={PLATFORM_TAXONOMY}")[1]
    assert by_taxonomy["total_items"] == 3


def test_modified_after(client, directory):
    Service.objects.filter(pk=directory["tartu"].pk).update(
        last_modified=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    page = get(client, "/api/hsds/services?modified_after=2024-01-01T00:00:00Z")[1]
    assert ids(page) == {str(directory["legal"].pk), str(directory["shelter"].pk)}
    assert get(client, "/api/hsds/services?modified_after=2019-12-31")[1]["total_items"] == 3


def test_pages(client, directory):
    first = get(client, "/api/hsds/services?per_page=2")[1]
    second = get(client, "/api/hsds/services?per_page=2&page=2")[1]
    beyond = get(client, "/api/hsds/services?per_page=2&page=9")[1]
    assert (first["size"], first["total_pages"], first["last_page"]) == (2, 2, False)
    assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
    assert (beyond["size"], beyond["empty"], beyond["page_number"]) == (0, True, 9)
    assert ids(first) | ids(second) == {str(s.pk) for s in directory.values()}


def test_services_at_locations_near_a_point_nearest_first(client, directory):
    lat, lon = VALMIERA
    near = get(client, f"/api/hsds/service_at_locations?lat={lat}&lon={lon}&radius=10")[1]
    assert {item["service_id"] for item in near["contents"]} == {
        str(directory["legal"].pk),
        str(directory["shelter"].pk),
    }
    assert all(item["x_distance_km"] < 1 for item in near["contents"])
    everywhere = get(client, f"/api/hsds/service_at_locations?lat={lat}&lon={lon}")[1]
    assert everywhere["contents"][-1]["service_id"] == str(directory["tartu"].pk)
    assert 115 < everywhere["contents"][-1]["x_distance_km"] < 125  # about 121 km
    both = get(
        client,
        f"/api/hsds/service_at_locations?lat={lat}&lon={lon}&radius=500"
        f"&taxonomy_term_id={LEGAL_AID}",
    )[1]
    assert [item["service_id"] for item in both["contents"]] == [
        str(directory["legal"].pk),
        str(directory["tartu"].pk),
    ]


# --- bad requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/hsds/services?page=-1", "page"),
        ("/api/hsds/services?page=0", "page"),
        ("/api/hsds/services?page=1.5", "page"),
        ("/api/hsds/services?per_page=1000000000", "per_page"),
        ("/api/hsds/services?per_page=abc", "per_page"),
        ("/api/hsds/services?per_page=²", "per_page"),
        ("/api/hsds/services?taxonomy_term_id=legal-aid", "taxonomy_term_id"),
        ("/api/hsds/services?organization_id=1", "organization_id"),
        ("/api/hsds/services?modified_after=yesterday", "modified_after"),
        ("/api/hsds/services?full=maybe", "full"),
        ("/api/hsds/services?lang=de", "lang"),
        ("/api/hsds/services?format=ndjson", "format"),
        ("/api/hsds/services?search=" + "x" * 201, "search"),
        ("/api/hsds/services/not-a-uuid", "id"),
        ("/api/hsds/organizations/123", "id"),
        ("/api/hsds/taxonomy_terms?top_only=yes", "top_only"),
        ("/api/hsds/service_at_locations?lat=91&lon=25", "lat"),
        ("/api/hsds/service_at_locations?lat=57&lon=200", "lon"),
        ("/api/hsds/service_at_locations?lat=57&lon=nan", "lon"),
        ("/api/hsds/service_at_locations?lat=57&lon=25&radius=-1", "radius"),
        ("/api/hsds/service_at_locations?lat=57&lon=25&radius=1e9", "radius"),
        ("/api/hsds/service_at_locations?lat=57", "lat"),
        ("/api/hsds/service_at_locations?radius=5", "radius"),
        ("/api/hsds/services?page=1&page=2", "page"),
    ],
)
def test_bad_input_is_a_400_with_a_json_error(client, url, parameter):
    status, data = get(client, url)
    assert status == 400
    assert data["error"] in {"invalid_parameter", "repeated_parameter"}
    assert parameter in data["detail"]


def test_an_unknown_parameter_is_named(client):
    status, data = get(client, "/api/hsds/services?pagesize=5")
    assert status == 400
    assert data == {
        "error": "unknown_parameter",
        "detail": {
            "unknown": ["pagesize"],
            "allowed": [
                "format",
                "full",
                "lang",
                "modified_after",
                "organization_id",
                "page",
                "per_page",
                "search",
                "taxonomy_id",
                "taxonomy_term_id",
            ],
        },
    }


def test_an_unknown_record_or_endpoint_is_a_404_with_a_json_error(client):
    for path in ("services", "organizations", "taxonomies", "taxonomy_terms"):
        status, data = get(client, f"/api/hsds/{path}/{new_id()}")
        assert (status, data["error"]) == (404, "not_found")
    status, data = get(client, "/api/hsds/programs")
    assert (status, data["error"]) == (404, "not_found")


def test_it_is_read_only_public_and_needs_no_csrf_token(client):
    response = client.post("/api/hsds/services", {})
    assert response.status_code == 405
    assert json.loads(response.content)["error"] == "method_not_allowed"
    response = client.get("/api/hsds/services")
    assert response["Access-Control-Allow-Origin"] == "*"


# --- query counts --------------------------------------------------------------------------------


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_page(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        taxonomy_load()
        for _ in range(6):
            make_service()
    # A count and the page with its organisations.
    assert queries(client, "/api/hsds/services?per_page=1") == 2
    assert queries(client, "/api/hsds/services?per_page=6") == 2
    # The search's seven (lexicon forms, near forms for an unknown word, phrases, the index's
    # generation, how many documents match each word, the best scores, the hits), then the ids
    # of the hits the other filters keep, and the page. The first search after a change to the
    # index also counts the documents of each kind, once.
    assert queries(client, "/api/hsds/services?per_page=1&search=jurista") == 10
    searched = queries(client, "/api/hsds/services?per_page=1&search=jurista")
    assert searched == queries(client, "/api/hsds/services?per_page=6&search=jurista") == 9
    # Another filter adds two: the ids it keeps, and their search documents (among which the
    # search ranks; one more query per 5,000 services the filter keeps, never per page).
    term = f"&taxonomy_term_id={LEGAL_AID}"
    assert queries(client, f"/api/hsds/services?per_page=1&search=jurista{term}") == 11
    assert queries(client, f"/api/hsds/services?per_page=6&search=jurista{term}") == 11
    one = queries(client, "/api/hsds/services?per_page=1&full=true")
    six = queries(client, "/api/hsds/services?per_page=6&full=true")
    assert one == six == 19  # count, page, 16 prefetches, category links
    assert queries(client, "/api/hsds/service_at_locations?per_page=1") == queries(
        client, "/api/hsds/service_at_locations?per_page=6"
    )
