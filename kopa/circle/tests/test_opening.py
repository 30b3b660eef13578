"""Opening hours in the wall-clock time of the place, across midnight and summer time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from kopa.circle.models import Schedule
from kopa.circle.opening import zone_for_country

RIGA = zoneinfo.ZoneInfo("Europe/Riga")
TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def riga(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=RIGA).replace(fold=fold)


def schedule(**fields) -> Schedule:
    fields.setdefault("time_zone", "Europe/Riga")
    fields.setdefault("freq", "WEEKLY")
    for name in ("opens_at", "closes_at"):
        if isinstance(fields.get(name), str):
            fields[name] = dt.time.fromisoformat(fields[name])
    return Schedule(**fields)


def night_shelter() -> Schedule:
    return schedule(byday="MO,TU,WE,TH,FR,SA,SU", opens_at="19:00", closes_at="08:00")


# In 2027 the clocks go forward on 28 March (03:00 EET → 04:00 EEST) and back on 31 October.


def test_a_night_shelter_is_open_in_the_night_the_clocks_go_forward():
    shelter = night_shelter()
    assert shelter.is_open_at(riga(2027, 3, 28, 1, 30))  # still winter time
    assert shelter.is_open_at(riga(2027, 3, 28, 4, 30))  # already summer time
    assert shelter.is_open_at(riga(2027, 3, 28, 7, 59))
    assert not shelter.is_open_at(riga(2027, 3, 28, 8, 0))
    assert not shelter.is_open_at(riga(2027, 3, 28, 18, 59))
    assert shelter.is_open_at(riga(2027, 3, 28, 19, 0))


def test_that_night_is_an_hour_shorter_and_the_autumn_one_an_hour_longer():
    shelter = night_shelter()
    spring = shelter.rule().window(dt.date(2027, 3, 27))
    autumn = shelter.rule().window(dt.date(2027, 10, 30))
    assert spring[1] - spring[0] == dt.timedelta(hours=12)
    assert autumn[1] - autumn[0] == dt.timedelta(hours=14)


def test_it_is_open_in_both_of_the_autumn_hours_that_happen_twice():
    shelter = night_shelter()
    assert shelter.is_open_at(riga(2027, 10, 31, 3, 30, fold=0))
    assert shelter.is_open_at(riga(2027, 10, 31, 3, 30, fold=1))
    assert shelter.is_open_at(riga(2027, 10, 31, 7, 59))
    assert not shelter.is_open_at(riga(2027, 10, 31, 8, 0))


def test_the_same_instant_is_open_or_closed_by_the_clock_of_the_place():
    office = schedule(byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00")
    moment = dt.datetime(2027, 6, 1, 6, 30, tzinfo=dt.UTC)  # 09:30 in Riga and Tallinn
    assert office.is_open_at(moment)
    office.time_zone = "Europe/Berlin"  # 08:30 there
    assert not office.is_open_at(moment)


def test_around_the_clock_has_no_gap_at_midnight():
    always = schedule(byday="MO,TU,WE,TH,FR,SA,SU", opens_at="00:00", closes_at="23:59")
    assert always.is_open_at(riga(2027, 5, 4, 23, 59, 30))
    assert always.is_open_at(riga(2027, 5, 5, 0, 0))
    assert always.is_open_at(riga(2027, 3, 28, 3, 30))


def test_a_shelter_open_only_on_friday_night_stays_open_into_saturday_morning():
    friday = schedule(byday="FR", opens_at="22:00", closes_at="06:00")
    assert friday.is_open_at(riga(2027, 5, 8, 5, 0))  # Saturday 05:00
    assert not friday.is_open_at(riga(2027, 5, 9, 5, 0))  # Sunday 05:00
    assert not friday.is_open_at(riga(2027, 5, 7, 5, 0))  # Friday 05:00


def test_monthly_on_the_second_saturday_and_the_last_friday():
    second_saturday = schedule(freq="MONTHLY", byday="2SA", opens_at="10:00", closes_at="14:00")
    assert second_saturday.is_open_at(riga(2027, 5, 8, 11, 0))
    assert not second_saturday.is_open_at(riga(2027, 5, 1, 11, 0))
    assert not second_saturday.is_open_at(riga(2027, 5, 15, 11, 0))
    last_friday = schedule(freq="MONTHLY", byday="-1FR", opens_at="10:00", closes_at="14:00")
    assert last_friday.is_open_at(riga(2027, 4, 30, 11, 0))
    assert not last_friday.is_open_at(riga(2027, 4, 23, 11, 0))


def test_monthly_on_a_day_of_the_month():
    fifteenth = schedule(freq="MONTHLY", bymonthday="15,-1", opens_at="10:00", closes_at="12:00")
    assert fifteenth.is_open_at(riga(2027, 2, 15, 11, 0))
    assert fifteenth.is_open_at(riga(2027, 2, 28, 11, 0))
    assert not fifteenth.is_open_at(riga(2027, 2, 14, 11, 0))


def test_every_other_week_counts_from_dtstart():
    fortnightly = schedule(
        byday="TH", interval=2, dtstart=dt.date(2027, 1, 7), opens_at="18:00", closes_at="20:00"
    )
    assert fortnightly.is_open_at(riga(2027, 1, 21, 19, 0))
    assert not fortnightly.is_open_at(riga(2027, 1, 14, 19, 0))
    assert not fortnightly.is_open_at(riga(2026, 12, 24, 19, 0))  # before dtstart


def test_a_summer_camp_is_open_only_between_valid_from_and_valid_to():
    camp = schedule(
        byday="MO,TU,WE,TH,FR",
        opens_at="09:00",
        closes_at="15:00",
        valid_from=dt.date(2027, 6, 14),
        valid_to=dt.date(2027, 6, 25),
    )
    assert camp.is_open_at(riga(2027, 6, 14, 10, 0))
    assert not camp.is_open_at(riga(2027, 6, 11, 10, 0))
    assert not camp.is_open_at(riga(2027, 6, 28, 10, 0))


def test_the_next_opening_keeps_the_wall_clock_across_the_change():
    shelter = night_shelter()
    after = riga(2027, 3, 28, 9, 0)
    opening = shelter.next_opening(after)
    assert opening == riga(2027, 3, 28, 19, 0)
    assert opening.utcoffset() == dt.timedelta(hours=3)
    assert shelter.next_opening(riga(2027, 3, 27, 19, 0)) == riga(2027, 3, 27, 19, 0)


def test_the_next_opening_of_a_monthly_schedule_and_of_a_finished_one():
    monthly = schedule(freq="MONTHLY", byday="2SA", opens_at="10:00", closes_at="14:00")
    assert monthly.next_opening(riga(2027, 5, 8, 15, 0)) == riga(2027, 6, 12, 10, 0)
    over = schedule(byday="MO", opens_at="10:00", closes_at="12:00", valid_to=dt.date(2027, 1, 31))
    assert over.next_opening(riga(2027, 2, 1, 0, 0)) is None
    camp = schedule(byday="MO", opens_at="10:00", closes_at="12:00", valid_from=dt.date(2027, 6, 1))
    assert camp.next_opening(riga(2027, 1, 1, 0, 0)) == riga(2027, 6, 7, 10, 0)


def test_without_hours_it_is_never_open():
    unknown = schedule(byday="MO", opens_at=None, closes_at=None)
    assert not unknown.is_open_at(riga(2027, 5, 3, 10, 0))
    assert unknown.next_opening(riga(2027, 5, 3, 10, 0)) is None


def test_it_refuses_a_moment_without_a_time_zone():
    with pytest.raises(ValueError, match="timezone-aware"):
        night_shelter().is_open_at(dt.datetime(2027, 5, 3, 10, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("LV", "Europe/Riga"),
        ("EE", "Europe/Tallinn"),
        ("ee", "Europe/Tallinn"),
        ("US", "Europe/Riga"),
        ("", "Europe/Riga"),
    ],
)
def test_the_zone_of_a_country_with_one_zone_else_the_sites(country, zone):
    assert zone_for_country(country) == zone
