from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kopa.accounts.models import Membership
from kopa.accounts.permissions import is_circle_member, is_project_admin


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the main menu offers this person; lazy, so pages for visitors ask the database
    nothing."""
    user = request.user

    def coordinates() -> bool:
        return is_project_admin(user) or (
            user.is_authenticated
            and Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).exists()
        )

    return {
        "menu_circle": SimpleLazyObject(lambda: is_circle_member(user)),
        "menu_reports": SimpleLazyObject(coordinates),
    }
