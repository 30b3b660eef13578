"""What the browser tests know about a page of the site; shared by the harness and by each
domain's list of pages in tests/browser/domains/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A placeholder's value, computed from the demo organisation's slug when a page needs it.
Placeholder = Callable[[str], str]


@dataclass(frozen=True)
class SitePage:
    """A page of the site, visited in every language.

    `path` follows the language prefix; "{organisation}" stands for the demo organisation's slug,
    "{activity}" for an open demo activity it organises, "{registration}" for the private token
    of a registration made for that activity, "{certificate}" for the verification code of an
    attended one, "{service}" for the id of a directory service made for the visit (the demo content
    has none).
    Domains add their own placeholders (tests/browser/domains/).
    `login` names who logs in (through the login form) before the visit: None for anyone,
    "coordinator" for a coordinator of that organisation, "editor" or "member" for a demo person
    with that role somewhere, "admin" for a project admin. `status` is the expected HTTP status.
    """

    name: str
    path: str
    login: str | None = None
    status: int = 200
