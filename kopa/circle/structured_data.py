"""schema.org JSON-LD for a directory service page (a Service with its provider)."""

from __future__ import annotations

from typing import Any

from kopa.circle.models import Address, Service

SCHEMA_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def _text(value: Any) -> str:
    return getattr(value, "text", None) or str(value or "")


def _hours(service: Service) -> list[dict[str, Any]]:
    """Weekly schedules with plain weekdays and times; anything more complex is left out."""
    specs = []
    for schedule in service.all_schedules():
        if (schedule.freq or "WEEKLY").upper() != "WEEKLY":
            continue
        if not (schedule.opens_at and schedule.closes_at and schedule.byday):
            continue
        days = [code.strip().upper() for code in schedule.byday.split(",")]
        if not all(day in SCHEMA_DAYS for day in days):
            continue
        specs.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{SCHEMA_DAYS[day]}" for day in days],
                "opens": f"{schedule.opens_at:%H:%M}",
                "closes": f"{schedule.closes_at:%H:%M}",
            }
        )
    return specs


def service_json_ld(
    service: Service, *, url: str, addresses: list[Address], languages: list[str]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": _text(service.name),
        "url": url,
    }
    if _text(service.description):
        data["description"] = _text(service.description)
    if service.organization is not None:
        data["provider"] = {"@type": "Organization", "name": _text(service.organization.name)}
        if service.organization.website:
            data["provider"]["url"] = service.organization.website
    places = [
        {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": ", ".join(p for p in (a.address_1, a.address_2) if p),
                "addressLocality": a.city,
                "postalCode": a.postal_code,
                "addressCountry": a.country,
            },
        }
        for a in addresses
    ]
    if places:
        data["areaServed"] = places
    if languages:
        data["availableLanguage"] = languages
    hours = _hours(service)
    if hours:
        data["hoursAvailable"] = hours
    return data
