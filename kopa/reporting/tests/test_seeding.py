from __future__ import annotations

from decimal import Decimal

import pytest

from kopa.reporting import seeding
from kopa.reporting.models import Allocation, DisseminationEntry, Grant
from kopa.site.seeding import seed_demo, seed_project

pytestmark = pytest.mark.django_db


def test_it_seeds_the_real_grant_figures_and_demo_rows_once():
    seed_project()
    seed_demo()
    first = seeding.seed_demo()
    assert first.created > 0
    grant = Grant.objects.get(project__slug="kopa-talak")
    assert (grant.lump_sum, grant.external_cofinancing, grant.municipal_contribution) == (
        Decimal("15000"),
        Decimal("15000"),
        Decimal("0"),
    )
    assert grant.action == "KA210-ADU" and grant.call_year == 2022
    total = sum(a.amount for a in Allocation.objects.filter(grant=grant))
    assert 0 < total <= grant.lump_sum
    assert all("(demo)" in entry.title for entry in DisseminationEntry.objects.all())
    second = seeding.seed_demo()
    assert not second.changed
