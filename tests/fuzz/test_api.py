"""The HSDS API fuzzed with schemathesis from the OpenAPI document it advertises itself.

Every operation of `/api/hsds/openapi.json` gets generated requests, valid and invalid
(schemathesis's positive and negative modes), sent straight to the Django WSGI application:
no response may be a 5xx, and every response must match the document (status code, content
type, headers, JSON schema). The directory holds the demo services, in three languages.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kopa.wsgi import application

# Per operation and generation mode; 13 operations × this stays well under a minute.
EXAMPLES_PER_OPERATION = 25

RUN: Counter[str] = Counter()
STATUS: Counter[str] = Counter()
REPORTED = {"cases": 0}


@pytest.fixture
def _connection_kept_open():
    """The WSGI handler closes the database connection after each request, as it should in
    production; in a test that would close the test's transaction (Django's test client
    disconnects the same handler)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def directory(db, django_capture_on_commit_callbacks, settings):
    """The shipped taxonomy and the five demo services, indexed for search as after an import."""
    settings.KOPA_SEARCH_EMBEDDINGS = False  # words and concepts: no model to load
    from kopa.circle.seeding import SERVICES
    from kopa.circle.services import service_import, taxonomy_load

    with django_capture_on_commit_callbacks(execute=True):
        taxonomy_load()
        for record in SERVICES:
            service_import(record=record)


# Loaded the way a client finds it: from the URL the API's root advertises (checked below).
schema = schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", application)


def test_the_api_advertises_its_own_document(client):
    root = client.get("/api/hsds/").json()
    assert root["openapi_url"] == "http://testserver/api/hsds/openapi.json"
    assert client.get("/api/hsds/openapi.json").json()["paths"].keys() >= {
        "/services",
        "/services/{id}",
        "/service_at_locations",
    }


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    # pytest-django may split this module's tests in two groups (with and without a
    # transaction): say the figures once, after the group that ran the cases.
    if RUN.total() == REPORTED["cases"]:
        return
    REPORTED["cases"] = RUN.total()
    print(
        f"\nschemathesis: {len(RUN)} operations, {sum(RUN.values())} cases "
        + ", ".join(f"{label} {count}" for label, count in sorted(RUN.items()))
        + "; responses "
        + ", ".join(f"{code}: {count}" for code, count in sorted(STATUS.items()))
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,  # derandomized: nothing to remember between runs
)
def test_the_hsds_api_answers_every_request_as_its_openapi_document_says(
    case, directory, _connection_kept_open
):
    RUN[case.operation.label] += 1
    # Not a failure: a request the document allows but the API refuses with a documented 400.
    # Whole numbers come as "3.0" from the generator, and lat, lon and radius depend on each
    # other, which OpenAPI cannot express; every 400 is still checked against its schema.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    STATUS[f"{response.status_code}"] += 1
