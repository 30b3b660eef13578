"""Writes: the grant record, its allocations and dissemination log, notes on activities, and
freezing a report. Each checks the actor's role, validates, saves and audits in one transaction.

Who: project admins, and coordinators of an organisation that is a partner in the project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import is_project_admin, require
from kopa.core.audit import audit_log
from kopa.programme.models import Activity, Project
from kopa.reporting.models import (
    ActivityNote,
    Allocation,
    DisseminationEntry,
    FrozenReport,
    Grant,
)
from kopa.reporting.reports import report_for

GRANT_FIELDS = (
    "programme",
    "action",
    "call_year",
    "agreement_number",
    "national_agency",
    "start_date",
    "end_date",
    "currency",
    "lump_sum",
    "external_cofinancing",
    "municipal_contribution",
)


class EditConflict(Exception):
    """Someone else saved the grant record after this person opened it."""


def can_report(user: Any, project: Project) -> bool:
    """Project admins, and coordinators of a partner organisation of the project."""
    if is_project_admin(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user,
        role=Membership.Role.COORDINATOR,
        organisation__partnerships__project=project,
    ).exists()


def _over_lump_sum(amount: Decimal, lump_sum: Decimal, currency: str) -> ValidationError:
    return ValidationError(
        _(
            "The allocations would come to %(total)s %(currency)s, more than the lump sum of "
            "%(lump_sum)s %(currency)s."
        )
        % {"total": f"{amount:.2f}", "lump_sum": f"{lump_sum:.2f}", "currency": currency},
        code="over_lump_sum",
    )


def _allocated(grant: Grant) -> Decimal:
    return grant.allocations.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def grant_defaults(*, project: Project) -> dict[str, Any]:
    """A new grant record starts from what the project already says (nothing typed twice)."""
    return {
        "programme": project.funding_programme,
        "action": project.action_code,
        "call_year": project.call_year,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "currency": project.currency,
        "lump_sum": project.total_cost,
        "external_cofinancing": project.external_cofinancing,
        "municipal_contribution": project.municipal_cofinancing,
    }


def _audit_values(grant: Grant) -> dict[str, Any]:
    return {name: str(getattr(grant, name)) for name in GRANT_FIELDS}


def grant_create(*, actor: Any, project: Project, **fields: Any) -> Grant:
    require(can_report(actor, project))
    grant = Grant(project=project, **{**grant_defaults(project=project), **fields})
    grant.full_clean()
    with transaction.atomic():
        if Grant.objects.select_for_update().filter(project=project).exists():
            raise EditConflict
        grant.save()
        audit_log(
            action="reporting.grant.created", actor=actor, target=grant, data=_audit_values(grant)
        )
    return grant


def grant_update(*, actor: Any, grant: Grant, expected_version: int, **fields: Any) -> Grant:
    """Save the grant record if nobody saved it since `expected_version`; never below what is
    already allocated."""
    require(can_report(actor, grant.project))
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.version != expected_version:
            raise EditConflict
        before = _audit_values(locked)
        for name, value in fields.items():
            if name not in GRANT_FIELDS:
                raise TypeError(f"grant_update() got an unknown field {name!r}")
            setattr(locked, name, value)
        locked.full_clean()
        allocated = _allocated(locked)
        if allocated > locked.lump_sum:
            raise ValidationError(
                {"lump_sum": _over_lump_sum(allocated, locked.lump_sum, locked.currency)}
            )
        locked.version += 1
        locked.save()
        after = _audit_values(locked)
        audit_log(
            action="reporting.grant.updated",
            actor=actor,
            target=locked,
            data={
                "changed": {k: [before[k], after[k]] for k in GRANT_FIELDS if before[k] != after[k]}
            },
        )
    return locked


def allocation_add(
    *,
    actor: Any,
    grant: Grant,
    partner: Organisation,
    amount: Decimal,
    activity: Activity | None = None,
    purpose: str = "",
) -> Allocation:
    """Give a partner a share of the lump sum; the shares never exceed the lump sum, even when
    two coordinators add one at the same moment (the grant row is locked while counting)."""
    require(can_report(actor, grant.project))
    errors: dict[str, Any] = {}
    if not grant.project.partners.filter(organisation=partner).exists():
        errors["partner"] = _("Choose a partner of this project.")
    if activity is not None and activity.project_id != grant.project_id:
        errors["activity"] = _("Choose an activity of this project.")
    if errors:
        raise ValidationError(errors)
    allocation = Allocation(
        grant=grant, partner=partner, activity=activity, amount=amount, purpose=purpose.strip()
    )
    allocation.full_clean(exclude=["grant", "partner", "activity"])
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        total = _allocated(locked) + amount
        if total > locked.lump_sum:
            raise ValidationError(
                {"amount": _over_lump_sum(total, locked.lump_sum, locked.currency)}
            )
        allocation.save()
        audit_log(
            action="reporting.allocation.added",
            actor=actor,
            target=allocation,
            data={
                "partner": partner.slug,
                "activity": activity.slug if activity else None,
                "amount": str(amount),
            },
        )
    return allocation


def allocation_remove(*, actor: Any, allocation: Allocation) -> None:
    require(can_report(actor, allocation.grant.project))
    with transaction.atomic():
        audit_log(
            action="reporting.allocation.removed",
            actor=actor,
            target=allocation.grant,
            data={"partner": allocation.partner.slug, "amount": str(allocation.amount)},
        )
        allocation.delete()


def dissemination_add(
    *,
    actor: Any,
    grant: Grant,
    date: dt.date,
    kind: str,
    title: str,
    language: str,
    link: str = "",
    reach: int | None = None,
    eu_visibility: bool = False,
) -> DisseminationEntry:
    require(can_report(actor, grant.project))
    entry = DisseminationEntry(
        grant=grant,
        date=date,
        kind=kind,
        title=title.strip(),
        language=language,
        link=link,
        reach=reach,
        eu_visibility=eu_visibility,
    )
    entry.full_clean(exclude=["grant"])
    with transaction.atomic():
        entry.save()
        audit_log(
            action="reporting.dissemination.added",
            actor=actor,
            target=entry,
            data={"kind": kind, "date": date.isoformat()},
        )
    return entry


def dissemination_remove(*, actor: Any, entry: DisseminationEntry) -> None:
    require(can_report(actor, entry.grant.project))
    with transaction.atomic():
        audit_log(
            action="reporting.dissemination.removed",
            actor=actor,
            target=entry.grant,
            data={"kind": entry.kind, "date": entry.date.isoformat(), "title": entry.title},
        )
        entry.delete()


def activity_note_save(
    *, actor: Any, activity: Activity, changed: bool, justification: str, language: str
) -> ActivityNote:
    """Why an activity changed or did not happen, in the coordinator's words."""
    require(can_report(actor, activity.project))
    with transaction.atomic():
        note, _created = ActivityNote.objects.select_for_update().get_or_create(
            activity=activity, defaults={"language": language}
        )
        note.changed = changed
        note.justification = justification.strip()
        note.language = language
        note.full_clean()
        note.save()
        audit_log(
            action="reporting.activity_note.saved",
            actor=actor,
            target=activity,
            data={"changed": changed},
        )
    return note


def report_freeze(
    *,
    actor: Any,
    grant: Grant,
    code: str,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> FrozenReport:
    """Store the report's aggregate figures, in every language, as they are now.

    Raises NoData (kopa.reporting.reports) for a period in which nothing happened."""
    require(can_report(actor, grant.project))
    report = report_for(grant, code)
    if report is None:
        raise ValidationError(_("There is no such report for this grant."), code="unknown")
    now = now or timezone.now()
    data = {
        language: report.build(
            grant=grant, start=start, end=end, language=language, now=now
        ).to_json()
        for language, _name in settings.LANGUAGES
    }
    with transaction.atomic():
        frozen = FrozenReport.objects.create(
            grant=grant,
            report=code,
            period_start=start,
            period_end=end,
            frozen_at=now,
            frozen_by=actor if getattr(actor, "is_authenticated", False) else None,
            data=data,
        )
        audit_log(
            action="reporting.report.frozen",
            actor=actor,
            target=frozen,
            data={"report": code, "from": start.isoformat(), "until": end.isoformat()},
        )
    return frozen
