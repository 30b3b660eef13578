"""The IANA time zones this machine knows, read once per process.

`zoneinfo.available_timezones()` walks the whole tz database on disk at every call (about 25 ms
here); validating each schedule of an import with it cost more than saving the schedule.
"""

from __future__ import annotations

import functools
import zoneinfo


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(value: object) -> bool:
    return isinstance(value, str) and value in known_time_zones()
