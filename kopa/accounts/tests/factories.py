"""Small factories: each test builds the world it needs, visibly."""

from __future__ import annotations

import itertools
from typing import Any

from kopa.accounts.models import Membership, Organisation, User

_sequence = itertools.count(1)

PASSWORD = "a-long-test-password-42"


def make_user(**fields: Any) -> User:
    number = next(_sequence)
    fields.setdefault("email", f"person{number}@example.org")
    fields.setdefault("full_name", f"Person {number}")
    password = fields.pop("password", PASSWORD)
    return User.objects.create_user(password=password, **fields)


def make_organisation(**fields: Any) -> Organisation:
    number = next(_sequence)
    fields.setdefault("slug", f"organisation-{number}")
    fields.setdefault("name", {"en": f"Organisation {number}", "lv": f"Organizācija {number}"})
    fields.setdefault("country", "LV")
    fields.setdefault("kind", Organisation.Kind.LIBRARY)
    return Organisation.objects.create(**fields)


def make_member(
    organisation: Organisation, role: str = Membership.Role.MEMBER, **fields: Any
) -> User:
    user = make_user(**fields)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user
