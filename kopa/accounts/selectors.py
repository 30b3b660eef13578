from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kopa.accounts.models import Membership, Organisation


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.all()


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )


def user_memberships(*, user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__slug")
    )
