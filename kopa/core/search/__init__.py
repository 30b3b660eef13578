"""The multilingual search shared by every domain (directory, stories, learning materials).

    from kopa.core.search import index_document, remove_document, search

    index_document(key="circle.service:…", kind="circle.service",
                   texts={"name": …, "description": …, "location": "Valmiera, Latvia"},
                   categories=["legal-aid"])
    search(query="безкоштовна юридична допомога", kinds=["circle.service"], limit=10)

How it works and how well: docs/search.md. The models live in `kopa.core.search.models` and are
registered with the `core` app through `kopa.core.models`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Hit",
    "SearchInputError",
    "index_categories",
    "index_document",
    "reindex",
    "remove_document",
    "search",
]

if TYPE_CHECKING:
    from kopa.core.search.indexing import (
        SearchInputError,
        index_categories,
        index_document,
        reindex,
        remove_document,
    )
    from kopa.core.search.querying import Hit, search


def __getattr__(name: str) -> Any:
    # Lazy, so importing the package (e.g. from kopa.core.models) does not import the ORM layer
    # before the app registry is ready.
    if name in {"index_document", "remove_document", "index_categories", "reindex"}:
        from kopa.core.search import indexing

        return getattr(indexing, name)
    if name == "SearchInputError":
        from kopa.core.search.indexing import SearchInputError

        return SearchInputError
    if name in {"search", "Hit"}:
        from kopa.core.search import querying

        return getattr(querying, name)
    raise AttributeError(name)
