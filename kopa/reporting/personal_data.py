"""What reporting holds on a person: only which frozen reports they froze (the personal-data
contract, docs/privacy.md). The reports themselves hold aggregate figures, never a person."""

from __future__ import annotations

from typing import Any

from kopa.reporting.models import FrozenReport


def personal_data(*, email: str, user: Any) -> dict[str, list[dict]]:
    if user is None:
        return {}
    frozen = FrozenReport.objects.filter(frozen_by=user).order_by("frozen_at")
    if not frozen:
        return {}
    return {
        str(FrozenReport._meta.verbose_name_plural): [
            {
                str(FrozenReport._meta.get_field("report").verbose_name): item.report,
                str(FrozenReport._meta.get_field("frozen_at").verbose_name): item.frozen_at,
            }
            for item in frozen
        ]
    }


def erase_personal_data(*, email: str, user: Any) -> dict[str, int]:
    """Forget who froze a report; the frozen figures stay as they were submitted."""
    if user is None:
        return {}
    count = FrozenReport.objects.filter(frozen_by=user).update(frozen_by=None)
    return {"frozen reports unlinked from the person": count} if count else {}
