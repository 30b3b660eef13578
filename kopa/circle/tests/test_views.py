"""The public directory pages: list, search, filters, bad input, the service page, queries."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import zoneinfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopa.circle import selectors
from kopa.circle.models import CostOption, Schedule, Service, TaxonomyTerm
from kopa.circle.tests.factories import (
    HOUSING,
    LEGAL_AID,
    NIGHT_SHELTER,
    TARTU,
    make_service,
    new_id,
)

pytestmark = pytest.mark.django_db

ALWAYS_OPEN = [
    {
        "id": "",
        "freq": "WEEKLY",
        "byday": "MO,TU,WE,TH,FR,SA,SU",
        "opens_at": "00:00",
        "closes_at": "23:59",
    }
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def directory(django_capture_on_commit_callbacks) -> dict[str, Service]:
    with django_capture_on_commit_callbacks(execute=True):
        legal = make_service(assured_date="2026-10-01")
        shelter = make_service(
            name="Naktspatversme",
            description="Naktspatversme bezpajumtniekiem, atvērta katru vakaru.",
            terms=[NIGHT_SHELTER],
            schedules=[{**ALWAYS_OPEN[0], "id": new_id()}],
            languages=[
                {"id": new_id(), "name": "latviešu", "code": "lv"},
                {"id": new_id(), "name": "ukraiņu", "code": "uk"},
            ],
        )
        tartu = make_service(
            name="Õigusabi raamatukogus",
            description="Tasuta õigusabi raamatukogus.",
            country="EE",
            city="Tartu",
            position=TARTU,
            original_language="et",
            languages=[{"id": new_id(), "name": "eesti", "code": "et"}],
        )
    CostOption.objects.create(service=shelter, amount=0, currency="EUR")
    CostOption.objects.create(service=legal, amount=5, currency="EUR")
    return {"legal": legal, "shelter": shelter, "tartu": tartu}


def names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h3><a href="/en/directory/services/[^"]+/">(?:<[^>]+>)?([^<]+)', html)


def get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_the_list_shows_every_service_by_name(client, directory):
    response = get(client, "/en/directory/")
    assert names(response) == [
        "Jurista konsultācijas bibliotēkā",
        "Naktspatversme",
        "Õigusabi raamatukogus",
    ]
    html = response.content.decode()
    assert "Valmiera" in html and "Tartu" in html
    assert "Ukrainian" in html  # the languages, named in the visitor's language
    assert f'href="/en/directory/services/{directory["legal"].pk}/"' in html
    assert "Open now" in html  # the shelter is always open
    assert 'href="/en/directory/"' in html and 'aria-current="page"' in html


def test_a_query_ranks_by_the_search(client, directory):
    assert names(get(client, "/en/directory/?q=naktspatversme")) == ["Naktspatversme"]
    found = names(get(client, "/en/directory/?q=%C3%B5igusabi"))
    assert found[0] == "Õigusabi raamatukogus"
    assert names(get(client, "/en/directory/?q=nothing-like-it")) == []


def test_filters_combine_with_and(client, directory):
    def shown(query: str) -> set[str]:
        return set(names(get(client, f"/en/directory/?{query}")))

    assert shown("town=Tartu") == {"Õigusabi raamatukogus"}
    assert shown("language=uk") == {"Naktspatversme"}
    assert shown("free=1") == {"Naktspatversme"}
    assert shown("open=1") == {"Naktspatversme"}
    top = TaxonomyTerm.objects.get(pk=LEGAL_AID)
    while top.parent_id:
        top = top.parent
    assert shown(f"category={top.pk}") >= {"Jurista konsultācijas bibliotēkā"}
    assert shown(f"category={top.pk}&town=Tartu") == {"Õigusabi raamatukogus"}
    assert shown(f"category={top.pk}&town=Valmiera&free=1") == set()
    assert shown("town=Valmiera&q=naktspatversme") == {"Naktspatversme"}
    assert shown("town=Tartu&q=naktspatversme") == set()


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 10_000,
        "page=-1",
        "page=abc",
        "page=99999",
        "category=2fada653-92ff-4527-b6c8-a9c865aa2272",  # fixed: test ids must not vary
        "category=not-a-uuid",
        "town=Atlantis",
        "language=xx",
        "open=maybe&free=%00",
        "q=%00%FF",
    ],
)
def test_bad_input_is_never_a_server_error(client, directory, query):
    response = get(client, f"/en/directory/?{query}")
    assert "<h1>" in response.content.decode()


def test_bad_input_says_what_was_ignored(client, directory):
    html = get(client, f"/en/directory/?category={uuid.uuid4()}").content.decode()
    assert "That category is not in the directory" in html
    html = get(client, "/en/directory/?q=" + "x" * 10_000).content.decode()
    assert "too long" in html


def test_the_service_page_has_what_a_visitor_needs(client, directory):
    legal = directory["legal"]
    html = get(client, f"/en/directory/services/{legal.pk}/").content.decode()
    assert "Jurista konsultācijas bibliotēkā" in html
    assert "Lāčplēša iela 5" in html and "Latvia" in html
    assert 'href="tel:+37120000000"' in html
    assert "Tuesday: 10:00–14:00" in html
    assert "Next open:" in html
    assert "Latvian" in html
    assert "5.00 EUR" in html
    assert "Last verified on 1 October 2026." in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Service"
    assert data["name"] == "Jurista konsultācijas bibliotēkā"
    assert data["provider"]["@type"] == "Organization"
    assert data["availableLanguage"] == ["lv"]
    assert data["areaServed"][0]["address"]["addressLocality"] == "Valmiera"
    assert data["hoursAvailable"][0]["opens"] == "10:00"


def test_a_free_service_says_so(client, directory):
    html = get(client, f"/uk/directory/services/{directory['shelter'].pk}/").content.decode()
    assert "Naktspatversme" in html


@pytest.mark.parametrize(
    "service_id", ["6fd39556-f414-4ef8-a575-b6a8514e6c55", "not-a-uuid", "123"]
)
def test_unknown_or_malformed_ids_are_404(client, directory, service_id):
    assert client.get(f"/en/directory/services/{service_id}/").status_code == 404


def _warm(client, url: str) -> None:
    """A request that fills what each process keeps until the search index changes (the
    vocabulary, the categories), so the count is the steady one and not the first visit's."""
    cache.clear()
    client.get(url)
    cache.clear()


def _count(client, url: str) -> int:
    _warm(client, url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Filter choices (3: the categories, then the towns and the languages, which the cache keeps
# between changes to the directory but this count starts without), the number of candidates and
# one page of their ids by name (2), then the page: services, languages, schedules, places,
# addresses, places' schedules, categories (7). "Open now" reads the distinct rules of the
# candidates' schedules (1 more; the services with an open one are kept by subqueries). A query
# with no other filter searches the whole index instead of the candidates, then keeps the visible
# hits.
LIST_QUERIES = {"/en/directory/": 12, "/en/directory/?open=1": 13, "/en/directory/?q=jurista": 18}


@pytest.mark.parametrize(("path", "expected"), LIST_QUERIES.items())
def test_the_list_takes_a_fixed_number_of_queries(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, directory, path, expected
):
    assert _count(client, path) == expected
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(25):
            make_service(
                name=f"Jurista palīdzība {number}",
                terms=[HOUSING],
                schedules=[{**ALWAYS_OPEN[0], "id": new_id()}],
            )
    _warm(client, path)
    with django_assert_num_queries(expected):
        response = client.get(path)
    assert len(names(response)) == 20  # a full page


def test_the_service_page_takes_a_fixed_number_of_queries(
    client, django_assert_num_queries, directory
):
    assert _count(client, f"/en/directory/services/{directory['legal'].pk}/") == 18
    cache.clear()
    with django_assert_num_queries(18):
        client.get(f"/en/directory/services/{directory['shelter'].pk}/")


def test_the_towns_and_languages_are_kept_until_the_directory_changes(
    django_assert_num_queries, django_capture_on_commit_callbacks, directory
):
    first = selectors.directory_places()
    with django_assert_num_queries(0):
        assert selectors.directory_places() == first
    with django_capture_on_commit_callbacks(execute=True):
        make_service(id=new_id(), city="Smiltene")
    assert "Smiltene" in selectors.directory_places().towns


def test_open_at_works_each_rule_out_once_for_services_and_their_places(
    django_assert_max_num_queries, django_capture_on_commit_callbacks, directory
):
    with django_capture_on_commit_callbacks(execute=True):
        # No schedule of its own; its place is open on Wednesdays.
        by_place = make_service(id=new_id(), name="Vietas grafiks", schedules=[])
    Schedule.objects.create(
        service_at_location=by_place.service_at_locations.get(),
        freq="WEEKLY",
        byday="WE",
        opens_at=dt.time(9),
        closes_at=dt.time(17),
        time_zone="Europe/Riga",
    )
    riga = zoneinfo.ZoneInfo("Europe/Riga")
    services = Service.objects.all()

    def open_at(moment: dt.datetime) -> set[str]:
        with django_assert_max_num_queries(2):  # the distinct rules, then the services
            return {str(s.name) for s in selectors.services_open_at(services, moment)}

    tuesday_noon = dt.datetime(2026, 11, 24, 12, 0, tzinfo=riga)
    assert open_at(tuesday_noon) == {
        "Jurista konsultācijas bibliotēkā",
        "Naktspatversme",
        "Õigusabi raamatukogus",  # Tuesdays 10–14 in Tallinn's zone
    }
    assert open_at(tuesday_noon + dt.timedelta(days=1)) == {"Naktspatversme", "Vietas grafiks"}
    assert open_at(dt.datetime(2026, 11, 25, 20, 0, tzinfo=riga)) == {"Naktspatversme"}
    assert not selectors.services_open_at(services.filter(name__lv="nav tāda"), tuesday_noon)
