"""Opening hours: when an HSDS schedule is open, in the wall-clock time of its place.

HSDS 3.0 gives `opens_at`/`closes_at` as times of day and, optionally, `timezone` as a fixed UTC
offset, which is wrong for half of the year wherever summer time is kept. The platform keeps the
IANA zone instead (Europe/Riga for an address in Latvia, Europe/Tallinn in Estonia) and works
out each opening from the local date and the wall-clock times, so a 19:00–08:00 night shelter is
open twelve hours on the night the clocks go forward and fourteen on the night they go back.

The recurrence rules understood (a subset of RFC 5545, as HSDS uses it):

- `freq` WEEKLY (also when `freq` is empty): `byday` weekdays (`MO,TU`); with `interval` N > 1,
  every N-th week counted from `dtstart` (else from `valid_from`). No `byday` means the weekday of
  `dtstart`, or every day when there is no `dtstart` either.
- `freq` MONTHLY: `byday` with an ordinal (`2SA` the second Saturday, `-1FR` the last Friday) or
  without (every Saturday of the month), and/or `bymonthday` (`15`, `-1` for the last day);
  without either, the day of the month of `dtstart`. `interval` counts months from `dtstart`.
- `dtstart`, `until`, `valid_from` and `valid_to` bound the dates an opening may start on.
- `closes_at` earlier than (or equal to) `opens_at` closes the next day; `closes_at` 23:59 means
  midnight, so `00:00`–`23:59` every day is open around the clock.

Not understood (ignored): `count`, `byweekno`, `byyearday`, and `wkst` beyond the week start for
`interval`. A schedule without `opens_at` is never open: nothing says when.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from babel.core import get_global
from django.conf import settings

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BYDAY_TOKEN = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
END_OF_DAY = dt.time(23, 59)
# How far next_opening() looks ahead.
HORIZON_DAYS = 2 * 366


def zone_for_country(country: str | None) -> str:
    """The IANA zone of a country that has exactly one (LV → Europe/Riga), else the site's zone."""
    zones = get_global("territory_zones").get((country or "").upper(), [])
    return zones[0] if len(zones) == 1 else settings.TIME_ZONE


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def parse_byday(value: str) -> list[tuple[int | None, int]]:
    """`"2SA,-1FR,MO"` → [(2, 5), (-1, 4), (None, 0)]; raises ValueError on anything else."""
    result = []
    for token in (value or "").replace(" ", "").upper().split(","):
        if not token:
            continue
        match = BYDAY_TOKEN.match(token)
        if not match:
            raise ValueError(f"not a weekday rule: {token!r}")
        ordinal = int(match.group(1)) if match.group(1) else None
        result.append((ordinal, WEEKDAYS.index(match.group(2))))
    return result


def parse_monthdays(value: str) -> list[int]:
    """`"1,15,-1"` → [1, 15, -1]; raises ValueError on anything else."""
    days = []
    for token in (value or "").replace(" ", "").split(","):
        if not token:
            continue
        day = int(token)
        if day == 0 or not -31 <= day <= 31:
            raise ValueError(f"not a day of the month: {token!r}")
        days.append(day)
    return days


@dataclass(frozen=True)
class Rule:
    """What `is_open_at`/`next_opening` need from a schedule."""

    opens_at: dt.time | None
    closes_at: dt.time | None
    time_zone: str
    freq: str = ""
    interval: int | None = None
    byday: str = ""
    bymonthday: str = ""
    wkst: str = ""
    dtstart: dt.date | None = None
    until: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return _zone(self.time_zone)

    def first_day(self) -> dt.date | None:
        starts = [day for day in (self.dtstart, self.valid_from) if day]
        return max(starts) if starts else None

    def last_day(self) -> dt.date | None:
        ends = [day for day in (self.until, self.valid_to) if day]
        return min(ends) if ends else None

    def occurs_on(self, day: dt.date) -> bool:
        """Does an opening start on this local date?"""
        first, last = self.first_day(), self.last_day()
        if (first and day < first) or (last and day > last):
            return False
        if (self.freq or "WEEKLY").upper() == "MONTHLY":
            return self._monthly(day)
        return self._weekly(day)

    def _anchor(self) -> dt.date | None:
        return self.dtstart or self.valid_from

    def _weekly(self, day: dt.date) -> bool:
        rules = parse_byday(self.byday)
        if rules:
            if day.weekday() not in {weekday for _ordinal, weekday in rules}:
                return False
        elif self.dtstart and day.weekday() != self.dtstart.weekday():
            return False
        anchor = self._anchor()
        if (self.interval or 1) > 1 and anchor:
            week_start = WEEKDAYS.index(self.wkst) if self.wkst in WEEKDAYS else 0

            def start_of_week(date: dt.date) -> dt.date:
                return date - dt.timedelta(days=(date.weekday() - week_start) % 7)

            weeks = (start_of_week(day) - start_of_week(anchor)).days // 7
            return weeks % self.interval == 0
        return True

    def _monthly(self, day: dt.date) -> bool:
        rules = parse_byday(self.byday)
        monthdays = parse_monthdays(self.bymonthday)
        length = calendar.monthrange(day.year, day.month)[1]
        if rules and not any(_nth_weekday(day, o, weekday, length) for o, weekday in rules):
            return False
        if monthdays and not any(
            day.day == (number if number > 0 else length + number + 1) for number in monthdays
        ):
            return False
        if not rules and not monthdays and (not self.dtstart or day.day != self.dtstart.day):
            return False
        anchor = self._anchor()
        if (self.interval or 1) > 1 and anchor:
            months = (day.year - anchor.year) * 12 + day.month - anchor.month
            return months % self.interval == 0
        return True

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The opening that starts on `day`, as two instants in UTC (None without hours)."""
        if self.opens_at is None or self.closes_at is None:
            return None
        starts = _instant(day, self.opens_at, self.zone)
        if self.closes_at.replace(second=0, microsecond=0) == END_OF_DAY:
            ends = _instant(day + dt.timedelta(days=1), dt.time(0, 0), self.zone)
        elif self.closes_at > self.opens_at:
            ends = _instant(day, self.closes_at, self.zone)
        else:
            ends = _instant(day + dt.timedelta(days=1), self.closes_at, self.zone)
        return starts, ends

    def is_open_at(self, moment: dt.datetime) -> bool:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("is_open_at() needs a timezone-aware moment")
        moment = moment.astimezone(dt.UTC)
        today = moment.astimezone(self.zone).date()
        # An opening that started yesterday may still run (a night shelter until 08:00).
        for day in (today - dt.timedelta(days=1), today):
            if not self.occurs_on(day):
                continue
            window = self.window(day)
            if window and window[0] <= moment < window[1]:
                return True
        return False

    def next_opening(self, after: dt.datetime) -> dt.datetime | None:
        """The first opening that starts at or after `after`, in the local zone (or None)."""
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("next_opening() needs a timezone-aware moment")
        if self.opens_at is None or self.closes_at is None:
            return None
        after = after.astimezone(dt.UTC)
        day = after.astimezone(self.zone).date()
        first, last = self.first_day(), self.last_day()
        if first and first > day:
            day = first
        for _step in range(HORIZON_DAYS):
            if last and day > last:
                return None
            if self.occurs_on(day):
                window = self.window(day)
                if window and window[0] >= after:
                    return window[0].astimezone(self.zone)
            day += dt.timedelta(days=1)
        return None


def _nth_weekday(day: dt.date, ordinal: int | None, weekday: int, length: int) -> bool:
    if day.weekday() != weekday:
        return False
    if ordinal is None:
        return True
    if ordinal > 0:
        return (day.day - 1) // 7 + 1 == ordinal
    return (length - day.day) // 7 + 1 == -ordinal


def _instant(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The wall-clock time on that date, as an instant in UTC.

    A time that does not exist (it falls in the hour skipped when the clocks go forward) is read
    with the offset from before the change, so it lands just after the change; a time that
    happens twice (the clocks go back) means its first occurrence.
    """
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)
