"""Small-group suppression for every aggregate figure the platform shows or exports.

In a small town a count of 3 "participants from Ukraine facing fewer opportunities" can point at
one family. Any figure computed over fewer than MIN_GROUP_SIZE people is therefore replaced, on
pages, in exports and in reports alike, by a marker that says it was withheld and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class Figure:
    """A figure about `people` people; `value` is None when it must not be shown."""

    value: float | int | None
    people: int

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return suppressed_label() if self.value is None else str(self.value)


def suppressed_label() -> str:
    """What stands in place of a withheld figure, in the active language."""
    return _("withheld: fewer than %(count)d people") % {"count": MIN_GROUP_SIZE}


def is_suppressed(people: int) -> bool:
    """True when a figure over this many people must be withheld (0 is shown: it singles no one
    out)."""
    return 0 < people < MIN_GROUP_SIZE


def figure(value: float | int | None, *, people: int) -> Figure:
    """The figure `value`, computed over `people` people, or a suppressed one."""
    return Figure(value=None if is_suppressed(people) else value, people=people)
