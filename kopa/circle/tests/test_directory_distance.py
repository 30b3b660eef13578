"""The directory's distance filter and the map data beside the list."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache

from kopa.circle.tests.factories import TARTU, VALMIERA, make_service
from kopa.circle.tests.test_views import _count, names

pytestmark = pytest.mark.django_db

CESIS = (57.3119, 25.2706)  # 26.9 km from Valmiera


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def services(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "valmiera": make_service(name="Valmieras palīdzība", city="Valmiera"),
            "cesis": make_service(name="Cēsu palīdzība", city="Cēsis", position=CESIS),
            "tartu": make_service(name="Tartu abi", city="Tartu", position=TARTU, country="EE"),
        }


def html_of(client, query: str) -> str:
    response = client.get(f"/en/directory/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_near_a_town_keeps_what_is_within_the_radius_nearest_first(client, services):
    html = html_of(client, "near=Valmiera&radius=50")
    assert names_in(html) == ["Valmieras palīdzība", "Cēsu palīdzība"]
    assert "0.0 km away" in html
    assert "26.9 km away" in html
    assert names_in(html_of(client, "near=Valmiera&radius=10")) == ["Valmieras palīdzība"]
    assert len(names_in(html_of(client, "near=Valmiera&radius=250"))) == 3


def test_near_a_point(client, services):
    lat, lon = TARTU
    html = html_of(client, f"lat={lat}&lon={lon}&radius=5")
    assert names_in(html) == ["Tartu abi"]
    # the point is kept in the form, so changing another filter keeps it
    assert f'name="lat" value="{lat}"' in html


def test_distance_combines_with_the_other_filters(client, services):
    assert names_in(html_of(client, "near=Valmiera&radius=50&town=C%C4%93sis")) == [
        "Cēsu palīdzība"
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lat=91&lon=25", "That point is not on the map"),
        ("lat=nan&lon=25", "That point is not on the map"),
        ("lat=abc&lon=", "That point is not on the map"),
        ("lat=57", "That point is not on the map"),
        ("near=Atlantis", "That town has no services on the map"),
        ("near=Valmiera&radius=100000", "The distance must be between"),
        ("near=Valmiera&radius=-3", "The distance must be between"),
        ("near=Valmiera&radius=x", "The distance must be between"),
    ],
)
def test_bad_distances_are_ignored_with_a_message(client, services, query, message):
    html = html_of(client, query)
    assert message in html
    assert len(names_in(html)) >= 1


def test_the_page_carries_its_services_as_geojson_for_the_map(client, services):
    html = html_of(client, "")
    data = json.loads(
        re.search(
            r'<script id="directory-map-data" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    points = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in data["features"]}
    assert points["Valmieras palīdzība"] == [VALMIERA[1], VALMIERA[0]]
    assert len(points) == 3
    assert 'src="/static/circle/directory-map.js"' in html
    # without JavaScript the map section stays hidden and the list is complete
    assert re.search(r'<section id="directory-map"[^>]* hidden', html)


def test_a_name_cannot_break_out_of_the_map_data(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_service(name="</script><script>alert(1)</script>")
    html = html_of(client, "")
    assert "<script>alert(1)" not in html


def test_no_map_when_the_tile_server_is_turned_off(client, services, settings):
    settings.KOPA_MAP_TILES = ""
    html = html_of(client, "")
    assert "directory-map" not in html
    assert len(names_in(html)) == 3


def test_near_a_town_takes_a_fixed_number_of_queries(
    client, services, django_capture_on_commit_callbacks
):
    path = "/en/directory/?near=Valmiera&radius=250"
    before = _count(client, path)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(10):
            make_service(name=f"Palīdzība {number}", city="Valmiera")
    assert _count(client, path) == before == 12


def names_in(html: str) -> list[str]:
    class Response:
        content = html.encode()

    return names(Response)
