"""Every public form fuzzed with hypothesis: no input gives a 500.

The forms are found the way a visitor finds them: the public pages of the demo site are fetched
in English and every <form> on them (its action, method and field names) is collected. Each
then receives generated values for its fields through the Django test client: empty, arbitrary
Unicode (controls, NUL, right-to-left marks, astral characters), huge, and values that look like
attacks or near-misses (markup, SQL, paths, numbers and dates out of range). Fields are left out
and unknown ones added at random. The cache is cleared before each example, so the rate limits
do not end the fuzzing with a polite 429 after the first few.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings

from tests.fuzz.forms import Form, discover, payloads, shown

EXAMPLES_PER_FORM = 50

RUN: Counter[str] = Counter()
STATUS: Counter[int] = Counter()
SECONDS: dict[str, float] = {}


@pytest.fixture
def demo_site(db, settings):
    settings.KOPA_SEARCH_EMBEDDINGS = False
    call_command("seed", "--demo", verbosity=0)


def fuzzer(client, form: Form):
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=payloads(form.names))
    def fuzz(data):
        cache.clear()
        if form.method == "POST":
            response = client.post(form.action, data)
        else:
            response = client.get(form.action, data)
        RUN[form.label] += 1
        STATUS[response.status_code] += 1
        assert response.status_code < 500, (form.label, shown(data))

    return fuzz


def test_no_public_form_answers_any_input_with_a_500(demo_site, client):
    forms = discover(client)
    labels = {form.label for form in forms}
    # The forms the issue names must be among those found.
    assert any(
        label.startswith("POST /en/programme/") and "/register/" in label for label in labels
    )
    assert "POST /en/accounts/login/" in labels
    assert "POST /en/accounts/password-reset/" in labels
    assert "GET /en/directory/" in labels
    client.raise_request_exception = False  # a 500 must be seen as a response, then reported

    for form in forms:
        started = time.perf_counter()
        fuzzer(client, form)()
        SECONDS[form.label] = time.perf_counter() - started

    print(
        f"\nhypothesis: {len(forms)} forms, {sum(RUN.values())} examples: "
        + ", ".join(
            f"{label} {count} ({SECONDS[label]:.1f} s)" for label, count in sorted(RUN.items())
        )
        + "; responses "
        + ", ".join(f"{status}: {count}" for status, count in sorted(STATUS.items()))
    )
