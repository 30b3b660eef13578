"""schema.org Event for an activity page, so search engines and calendars understand it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kopa.programme.models import Activity

EVENT_STATUS = {
    Activity.Status.CANCELLED: "https://schema.org/EventCancelled",
}


def activity_json_ld(activity: Activity, *, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": activity.title.text,
        "url": base_url + reverse("programme:activity", kwargs={"slug": activity.slug}),
        "inLanguage": activity.title.lang,
        "eventStatus": EVENT_STATUS.get(activity.status, "https://schema.org/EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "organizer": [
            {"@type": "Organization", "name": organiser.name.text}
            for organiser in activity.organisers.all()
        ],
    }
    if activity.purpose:
        data["description"] = activity.purpose.text
    if activity.starts_at:
        data["startDate"] = activity.local_start().isoformat()
    if activity.ends_at:
        data["endDate"] = activity.local_end().isoformat()
    place: dict[str, Any] = {
        "@type": "Place",
        "name": activity.venue.text or activity.country_name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": activity.address,
            "addressCountry": activity.country,
        },
    }
    if activity.latitude is not None and activity.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(activity.latitude),
            "longitude": float(activity.longitude),
        }
    data["location"] = place
    if activity.capacity is not None:
        data["maximumAttendeeCapacity"] = activity.capacity
    return data
