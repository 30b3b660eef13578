"""The grant record of the seeded project, and fictional allocations and dissemination entries
for `kopa seed --demo`, from seed/grant.json.

Idempotent: the grant record is created once and then belongs to the project's admins (a
re-seed never undoes their edits); demo rows are matched by their natural keys and created only
when missing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from kopa.accounts.models import Organisation
from kopa.core.audit import audit_log
from kopa.programme.models import Activity, Project
from kopa.reporting.models import Allocation, DisseminationEntry, Grant
from kopa.site.seeding import SeedError, SeedReport

GRANT_FILE = Path(__file__).resolve().parent / "seed" / "grant.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SeedError(f"{path}: {error}") from error


def seed_grant(*, data: dict[str, Any], report: SeedReport) -> Grant | None:
    item = data["grant"]
    project = Project.objects.filter(slug=item["project"]).first()
    if project is None:
        return None
    grant = Grant.objects.filter(project=project).first()
    if grant is not None:
        report.unchanged += 1
        return grant
    grant = Grant(
        project=project,
        programme=item["programme"],
        action=item["action"],
        call_year=item["call_year"],
        agreement_number=item["agreement_number"],
        national_agency=item["national_agency"],
        start_date=dt.date.fromisoformat(item["start_date"]),
        end_date=dt.date.fromisoformat(item["end_date"]),
        currency=item["currency"],
        lump_sum=Decimal(item["lump_sum"]),
        external_cofinancing=Decimal(item["external_cofinancing"]),
        municipal_contribution=Decimal(item["municipal_contribution"]),
    )
    grant.full_clean()
    grant.save()
    report.created += 1
    return grant


def _demo(grant: Grant, data: dict[str, Any], report: SeedReport) -> None:
    for item in data["allocations"]:
        partner = Organisation.objects.get(slug=item["partner"])
        activity = Activity.objects.get(slug=item["activity"]) if item["activity"] else None
        _allocation, created = Allocation.objects.get_or_create(
            grant=grant,
            partner=partner,
            activity=activity,
            purpose=item["purpose"],
            defaults={"amount": Decimal(item["amount"])},
        )
        report.created += created
        report.unchanged += not created
    total = sum(allocation.amount for allocation in grant.allocations.all())
    if total > grant.lump_sum:
        raise SeedError(f"{GRANT_FILE}: the demo allocations exceed the lump sum")
    for item in data["dissemination"]:
        _entry, created = DisseminationEntry.objects.get_or_create(
            grant=grant,
            date=dt.date.fromisoformat(item["date"]),
            title=item["title"],
            defaults={
                "kind": item["kind"],
                "language": item["language"],
                "link": item["link"],
                "reach": item["reach"],
                "eu_visibility": item["eu_visibility"],
            },
        )
        report.created += created
        report.unchanged += not created


def seed_demo(*, path: Path | None = None) -> SeedReport:
    report = SeedReport(label="Grant record and demo allocations")
    data = _read(path or GRANT_FILE)
    with transaction.atomic():
        grant = seed_grant(data=data, report=report)
        if grant is None:
            return report
        _demo(grant, data["demo"], report)
        if report.changed:
            audit_log(action="reporting.seed.loaded", target=grant, data=report.counts())
    return report
