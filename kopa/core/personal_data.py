"""What core holds on a person (audit entries, the administration pages' change log), and the
shared vocabulary of the personal-data contract (docs/privacy.md).

Every app that stores personal data has a `personal_data.py` with `personal_data(*, email, user)`
and `erase_personal_data(*, email, user)`; it may add `retention_rules()`, a list of
`RetentionRule`. `kopa.privacy` collects them. The helpers here let a domain find and scrub the
audit entries and admin change-log rows about its own records, since core cannot know them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise

from kopa.core.models import AuditEntry

if TYPE_CHECKING:
    from kopa.accounts.models import User

# What replaces a personal value inside a record that must stay (audit details, change log).
ERASED = "[erased]"


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record kept only for a while.

    `kind` is the key of KOPA_RETENTION ("programme.registrations"); `default_days` how long it
    is kept when the setting does not say; `apply(now=, days=, dry_run=)` removes or anonymises
    what is older and returns how many records that was (or would be, with dry_run). It must be
    idempotent: a second run the same day finds nothing left to do.
    """

    kind: str
    description: str | Promise
    default_days: int
    effect: str  # "removed" or "anonymised": what apply() does to each record
    apply: Callable[..., int]


# --- helpers for every domain -----------------------------------------------------------------


def _entries_about(model: type[models.Model], pks: Iterable[Any]) -> Q:
    ids = [str(pk) for pk in pks]
    return Q(target_type=ContentType.objects.get_for_model(model), target_id__in=ids)


def audit_records(entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """Audit entries as records for a person's copy of their data."""
    return [
        {
            AuditEntry._meta.get_field("created").verbose_name: entry.created,
            AuditEntry._meta.get_field("action").verbose_name: entry.action,
            AuditEntry._meta.get_field("data").verbose_name: entry.data,
        }
        for entry in entries
    ]


def audit_entries_about(model: type[models.Model], pks: Iterable[Any]) -> list[dict[str, Any]]:
    """The audit entries whose target is one of these records, as records."""
    return audit_records(AuditEntry.objects.filter(_entries_about(model, pks)).order_by("created"))


def scrub(value: Any, needles: Iterable[str]) -> tuple[Any, bool]:
    """`value` (JSON) with every string that contains one of `needles` (case-insensitive)
    replaced by ERASED; and whether anything was replaced."""
    wanted = [needle.casefold() for needle in needles if needle and needle.strip()]
    if not wanted:
        return value, False

    def walk(item: Any) -> tuple[Any, bool]:
        if isinstance(item, str):
            folded = item.casefold()
            if any(needle in folded for needle in wanted):
                return ERASED, True
            return item, False
        if isinstance(item, list):
            pairs = [walk(element) for element in item]
            return [element for element, _changed in pairs], any(c for _e, c in pairs)
        if isinstance(item, dict):
            result, changed = {}, False
            for key, element in item.items():
                new_key, key_changed = walk(key) if isinstance(key, str) else (key, False)
                result[new_key], element_changed = walk(element)
                changed = changed or key_changed or element_changed
            return result, changed
        return item, False

    return walk(value)


def scrub_entries_about(
    model: type[models.Model], pks: Iterable[Any], needles: Iterable[str]
) -> int:
    """Replace the person's values (`needles`: name, email, …) in the audit details and the
    admin change log of these records; returns how many rows changed."""
    pks = list(pks)
    if not pks:
        return 0
    needles = [needle for needle in needles if needle]
    changed = 0
    for entry in AuditEntry.objects.filter(_entries_about(model, pks)):
        data, dirty = scrub(entry.data, needles)
        if dirty:
            AuditEntry.objects.filter(pk=entry.pk).update(data=data)
            changed += 1
    content_type = ContentType.objects.get_for_model(model)
    for row in LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in pks]
    ):
        # The change log names the record by its str(), which for a person is their name.
        row.object_repr = ERASED
        row.change_message, _dirty = scrub(row.change_message, needles)
        row.save(update_fields=["object_repr", "change_message"])
        changed += 1
    return changed


# --- core's own records -------------------------------------------------------------------------


def _needles(email: str, user: User | None) -> list[str]:
    values = [email]
    if user is not None:
        values += [user.email, user.full_name]
    return [value for value in values if value and len(value.strip()) > 1]


def personal_data(*, email: str, user: User | None) -> dict[str, list[dict]]:
    """Audit entries the person made or that are about their account, and their changes in the
    administration pages."""
    if user is None:
        return {}
    from kopa.accounts.models import User as UserModel

    entries = AuditEntry.objects.filter(Q(actor=user) | _entries_about(UserModel, [user.pk]))
    sections: dict[str, list[dict]] = {}
    if records := audit_records(entries.order_by("created")):
        sections[AuditEntry._meta.verbose_name_plural] = records
    changes = [
        {
            LogEntry._meta.get_field("action_time").verbose_name: row.action_time,
            LogEntry._meta.get_field("object_repr").verbose_name: row.object_repr,
            LogEntry._meta.get_field("change_message").verbose_name: row.get_change_message(),
        }
        for row in LogEntry.objects.filter(user=user).order_by("action_time")
    ]
    if changes:
        sections[LogEntry._meta.verbose_name_plural] = changes
    return sections


def erase_personal_data(*, email: str, user: User | None) -> dict[str, int]:
    """Unlink the person from the audit entries they made and scrub their values from every
    audit entry and admin change-log row about their account. The entries themselves stay: they
    record what happened, not who it was."""
    if user is None:
        return {}
    from kopa.accounts.models import User as UserModel

    needles = _needles(email, user)
    scrubbed = 0
    for entry in AuditEntry.objects.filter(actor=user):
        data, _dirty = scrub(entry.data, needles)
        AuditEntry.objects.filter(pk=entry.pk).update(actor=None, data=data)
        scrubbed += 1
    about = scrub_entries_about(UserModel, [user.pk], needles)
    made = 0
    for row in LogEntry.objects.filter(user=user):
        row.object_repr, _dirty = scrub(row.object_repr, needles)
        row.change_message, _dirty = scrub(row.change_message, needles)
        row.save(update_fields=["object_repr", "change_message"])
        made += 1
    return {
        "core.audit_entries_unlinked": scrubbed,
        "core.entries_about_account_scrubbed": about,
        "core.admin_changes_scrubbed": made,
    }


# --- retention ----------------------------------------------------------------------------------


def _delete_audit(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    old = AuditEntry.objects.filter(created__lt=now - dt.timedelta(days=days))
    return old.count() if dry_run else old.delete()[0]


def _delete_admin_log(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    old = LogEntry.objects.filter(action_time__lt=now - dt.timedelta(days=days))
    return old.count() if dry_run else old.delete()[0]


def retention_rules() -> list[RetentionRule]:
    return [
        RetentionRule(
            kind="core.audit",
            description=AuditEntry._meta.verbose_name_plural,
            default_days=3 * 365,
            effect="removed",
            apply=_delete_audit,
        ),
        RetentionRule(
            kind="core.admin_log",
            description=LogEntry._meta.verbose_name_plural,
            default_days=3 * 365,
            effect="removed",
            apply=_delete_admin_log,
        ),
    ]
