"""Quality gate on the shared dev set: recall@5 ≥ 0.9 in every query language.

The dev set lives outside the repository (../shared/search-devset, or KOPA_SEARCH_DEVSET); where
it is absent the test is skipped and says why. `make eval-search` prints the full report.
"""

from __future__ import annotations

import pytest

from bench.search_eval import TARGET, devset_dir, devset_present, index_devset, run_queries
from kopa.core.tests.test_search import clear_search_index

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not devset_present(), reason=f"no search dev set at {devset_dir()} (KOPA_SEARCH_DEVSET)"
    ),
]


@pytest.fixture(scope="module")
def devset_index(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        index_devset(devset_dir())
        yield
        clear_search_index()


def test_recall_at_5_is_at_least_0_9_in_every_language(devset_index):
    result = run_queries(devset_dir())
    assert set(result.per_language) >= {"uk", "ru", "en", "lv", "et"}
    below = {
        language: round(row["recall@5"], 3)
        for language, row in result.per_language.items()
        if row["recall@5"] < TARGET
    }
    assert not below, "recall@5 below 0.9:\n" + "\n".join(result.lines)
