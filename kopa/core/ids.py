"""Row ids that come from people: in a URL (`?question=12`) or on a button (`allocation=12`)."""

from __future__ import annotations

# The largest key SQLite and PostgreSQL compare without an error (a 64-bit integer).
LARGEST_KEY = 2**63 - 1


def row_id(value: object) -> int | None:
    """The id, or None for anything that cannot be one: empty, text, "-1", "²", or a number
    beyond the database's integers (which would be a 500 instead of "not found")."""
    text = str(value or "")
    if not text.isdecimal() or not text.isascii():
        return None
    number = int(text)
    return number if 0 < number <= LARGEST_KEY else None
