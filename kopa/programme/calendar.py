"""iCalendar (RFC 5545): the whole programme as a feed, and one activity as a file.

Times are written in the venue's time zone with a VTIMEZONE for it, so a calendar shows 17:00 in
Valmiera as 17:00 Riga time across the summer-time change.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vGeo

from kopa.programme.models import Activity

PRODID = "-//Kopa talak//Programme//EN"
STATUS = {
    Activity.Status.CANCELLED: "CANCELLED",
    Activity.Status.PLANNED: "TENTATIVE",
}


def activity_event(activity: Activity, *, base_url: str) -> Event:
    zone = zoneinfo.ZoneInfo(activity.time_zone)
    event = Event()
    event.add("uid", f"activity-{activity.slug}@kopa-talak")
    event.add("dtstamp", activity.updated)
    event.add("last-modified", activity.updated)
    event.add("dtstart", activity.starts_at.astimezone(zone))
    if activity.ends_at:
        event.add("dtend", activity.ends_at.astimezone(zone))
    event.add("summary", activity.title.text)
    if activity.purpose:
        event.add("description", activity.purpose.text)
    location = ", ".join(part for part in [activity.venue.text, activity.address] if part)
    if location:
        event.add("location", location)
    if activity.latitude is not None and activity.longitude is not None:
        event.add("geo", vGeo((float(activity.latitude), float(activity.longitude))))
    event.add("url", base_url + reverse("programme:activity", kwargs={"slug": activity.slug}))
    event.add("status", STATUS.get(activity.status, "CONFIRMED"))
    event.add("categories", [activity.kind.name.text])
    return event


def calendar_bytes(activities: Iterable[Activity], *, base_url: str, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for activity in activities:
        if activity.starts_at is not None:
            calendar.add_component(activity_event(activity, base_url=base_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def programme_calendar_name() -> str:
    return _("Kopā tālāk programme")
