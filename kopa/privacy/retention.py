"""Retention: how long each kind of record is kept (docs/privacy.md).

The rules come from the personal-data modules (`retention_rules()`), so a domain that starts
keeping something adds its rule beside its data. KOPA_RETENTION in the settings overrides the
number of days per kind: `KOPA_RETENTION = {"programme.registrations": 1095}`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from kopa.core.audit import audit_log
from kopa.core.personal_data import RetentionRule
from kopa.privacy.registry import providers


def rules() -> list[RetentionRule]:
    found = [rule for provider in providers() for rule in provider.retention_rules()]
    kinds = [rule.kind for rule in found]
    if duplicated := sorted({kind for kind in kinds if kinds.count(kind) > 1}):
        raise ImproperlyConfigured(f"retention kinds defined twice: {', '.join(duplicated)}")
    return found


def periods(found: list[RetentionRule] | None = None) -> dict[str, int]:
    """Days to keep each kind: the rule's default unless KOPA_RETENTION says otherwise."""
    found = rules() if found is None else found
    configured: Any = getattr(settings, "KOPA_RETENTION", {})
    if not isinstance(configured, dict):
        raise ImproperlyConfigured(
            "KOPA_RETENTION: must map kinds to days, e.g. {'core.audit': 365}"
        )
    known = {rule.kind for rule in found}
    if unknown := sorted(set(configured) - known):
        raise ImproperlyConfigured(
            f"KOPA_RETENTION: unknown kind(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    result = {}
    for rule in found:
        days = configured.get(rule.kind, rule.default_days)
        if isinstance(days, dt.timedelta):
            days = days.days
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ImproperlyConfigured(
                f"KOPA_RETENTION[{rule.kind!r}]: a whole number of days, 0 or more, not {days!r}"
            )
        result[rule.kind] = days
    return result


@dataclass(frozen=True)
class Outcome:
    kind: str
    days: int
    effect: str
    count: int


def retention_apply(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[Outcome]:
    """Apply every rule in one transaction and audit what changed (`privacy.retention.applied`,
    only when something did: a second run is a no-op in the log too)."""
    now = now or timezone.now()
    found = rules()
    days = periods(found)
    outcomes = []
    with transaction.atomic():
        for rule in found:
            count = rule.apply(now=now, days=days[rule.kind], dry_run=dry_run)
            outcomes.append(Outcome(rule.kind, days[rule.kind], rule.effect, count))
        changed = {outcome.kind: outcome.count for outcome in outcomes if outcome.count}
        if changed and not dry_run:
            audit_log(action="privacy.retention.applied", data={"counts": changed})
    return outcomes
