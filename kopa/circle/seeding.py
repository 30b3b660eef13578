"""Fictional demo content of this domain for `kopa seed --demo`."""

from __future__ import annotations

from kopa.site.seeding import SeedReport


def seed_demo() -> SeedReport:
    return SeedReport(label=__name__)
