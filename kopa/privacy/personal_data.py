"""What the privacy app itself holds: the requests someone made for an address's data
(the personal-data contract, docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from kopa.core.personal_data import RetentionRule
from kopa.privacy.models import DataRequest

if TYPE_CHECKING:
    from kopa.accounts.models import User


def _label(field: str) -> Any:
    return DataRequest._meta.get_field(field).verbose_name


def _requests(email: str):
    return DataRequest.objects.filter(email=email.strip().lower())


def personal_data(*, email: str, user: User | None) -> dict[str, list[dict]]:
    records = [
        {
            _label("created"): data_request.created,
            _label("language"): data_request.get_language_display(),
            _label("expires_at"): data_request.expires_at,
            _label("opened_at"): data_request.opened_at,
        }
        for data_request in _requests(email).order_by("created")
    ]
    return {DataRequest._meta.verbose_name_plural: records} if records else {}


def erase_personal_data(*, email: str, user: User | None) -> dict[str, int]:
    """The requests stay until retention removes them, so that their links answer "erased"
    rather than "unknown"; the address goes now."""
    scrubbed = _requests(email).update(email="", erased_at=timezone.now())
    return {"privacy.requests_scrubbed": scrubbed} if scrubbed else {}


def _delete_old_requests(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    old = DataRequest.objects.filter(expires_at__lt=now - dt.timedelta(days=days))
    return old.count() if dry_run else old.delete()[0]


def retention_rules() -> list[RetentionRule]:
    return [
        RetentionRule(
            kind="privacy.requests",
            description=DataRequest._meta.verbose_name_plural,
            default_days=7,
            effect="removed",
            apply=_delete_old_requests,
        )
    ]
