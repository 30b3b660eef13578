"""The vector side of the search in memory (`kopa.core.search.embeddings.VectorCache`), with
random vectors: no model and no database needed."""

import numpy as np
import pytest

from kopa.core.search import embeddings
from kopa.core.search.embeddings import DIM, POOL, VectorCache


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def cache():
    rng = np.random.default_rng(7)
    size = POOL * 3  # more documents than the pool, so the pool is really a preselection
    # Texts on 60 topics (documents near their topic's centre), all sharing a direction as e5's
    # vectors do: row i is on topic i % 60.
    topics = rng.standard_normal((60, DIM)) + 0.5
    vectors = _unit(topics[np.arange(size) % 60] + 0.8 * rng.standard_normal((size, DIM)))
    cache = VectorCache()
    cache.fill(
        ids=np.arange(10, 10 + size, dtype=np.int64),
        kinds=np.asarray([i % 2 for i in range(size)], dtype=np.int16),
        names=["circle.service", "stories.story"],
        vectors=vectors.astype(np.float16),
    )
    return cache, vectors


def test_the_nearest_are_the_exact_nearest(cache):
    cache, vectors = cache
    query = vectors[123].astype(np.float32)
    exact = vectors.astype(np.float16).astype(np.float32) @ query
    comparison = cache.compare(query, nearest=30)
    assert comparison.nearest == (np.argsort(-exact, kind="stable")[:30] + 10).tolist()
    assert comparison.nearest[0] == 123 + 10
    assert all((pk - 10) % 60 == 123 % 60 for pk in comparison.nearest)  # the query's topic
    assert comparison.best == pytest.approx(float(exact.max()), abs=1e-6)
    assert comparison.median == pytest.approx(float(np.median(exact)), abs=0.02)


def test_kinds_keep_their_documents_only(cache):
    cache, vectors = cache
    query = vectors[124].astype(np.float32)  # document 134, a circle.service
    stories = cache.compare(query, kinds=["stories.story"], nearest=20)
    assert all(pk % 2 == 1 for pk in stories.nearest)  # odd rows are stories
    assert 134 not in stories.nearest
    cosines = stories.of([134, 135, 999_999])
    assert set(cosines) == {135}  # a service and an unknown id have no cosine here
    services = cache.compare(query, kinds=["circle.service"], nearest=5)
    assert services.nearest[0] == 134
    assert services.of([134])[134] == pytest.approx(1.0, abs=1e-3)


def test_nothing_to_compare():
    assert VectorCache().compare(np.zeros(DIM, np.float32)) is None
    cache = VectorCache()
    cache.fill(
        ids=np.asarray([1], dtype=np.int64),
        kinds=np.asarray([0], dtype=np.int16),
        names=["circle.service"],
        vectors=np.ones((1, DIM), dtype=np.float16),
    )
    assert cache.compare(np.ones(DIM, np.float32), kinds=["stories.story"]) is None


def _timed_cache(
    monkeypatch, seconds_per_load: float
) -> tuple[VectorCache, list[float], list[float]]:
    """A cache whose loads take this long on a clock the test moves (clock[0])."""
    clock = [100.0]
    loads: list[float] = []
    monkeypatch.setattr(embeddings.time, "monotonic", lambda: clock[0])
    cache = VectorCache()

    def load() -> None:
        loads.append(clock[0])
        clock[0] += seconds_per_load

    monkeypatch.setattr(cache, "_load", load)
    return cache, loads, clock


def test_a_slow_load_waits_before_it_is_repeated(monkeypatch):
    cache, loads, clock = _timed_cache(monkeypatch, seconds_per_load=1.0)
    cache.refresh("first")
    cache.refresh("first")
    assert loads == [100.0]
    clock[0] = 120.0
    cache.refresh("second")  # within 30 × 1 s of the last load: the vectors stay
    assert loads == [100.0] and cache.generation == "first"
    clock[0] = 131.0
    cache.refresh("second")
    assert loads == [100.0, 131.0] and cache.generation == "second"


def test_a_quick_load_follows_every_change(monkeypatch):
    cache, loads, _clock = _timed_cache(monkeypatch, seconds_per_load=0.01)
    for generation in ["one", "two", "three"]:
        cache.refresh(generation)
    assert len(loads) == 3 and cache.generation == "three"
