"""The public directory pages: a server-rendered search with filters, and one page per service.

Reads go through the ORM in a fixed number of queries whatever the number of results: the
filter choices (three), the candidate ids, the search (when there is a query), and one page of
services with everything the list shows prefetched. "Open now" is worked out in Python, in each
schedule's own zone, once per distinct rule among the candidates' schedules
(`selectors.services_open_at`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kopa.circle import selectors
from kopa.circle.models import (
    Attribute,
    Language,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from kopa.circle.opening import parse_byday
from kopa.circle.selectors import Near, bounding_box, distance_km
from kopa.circle.services import can_edit_directory
from kopa.circle.structured_data import service_json_ld
from kopa.core.cache import cache_public_page
from kopa.core.countries import country_name, language_name
from kopa.core.structured_data import json_ld_script

PAGE_SIZE = 20
MAX_QUERY = 200
HIDDEN = [Service.Status.DEFUNCT, Service.Status.INACTIVE]
RADII_KM = [2, 5, 10, 25, 50, 100, 250]
DEFAULT_RADIUS_KM = 25


@dataclass
class Filters:
    q: str = ""
    category: TaxonomyTerm | None = None
    town: str = ""
    language: str = ""
    open_now: bool = False
    free: bool = False
    # Distance: from a town of the directory (`near`) or a point (`lat`, `lon`), within `radius`.
    near_town: str = ""
    near: Near | None = None
    messages: list[str] = field(default_factory=list)

    def narrows(self) -> bool:
        """Whether anything but the words keeps some services out."""
        return bool(
            self.category or self.town or self.language or self.open_now or self.free or self.near
        )


def _filter_options() -> dict[str, Any]:
    categories = list(TaxonomyTerm.objects.filter(parent__isnull=True).exclude(code=""))
    categories.sort(key=lambda term: str(term.name).casefold())
    places = selectors.directory_places()
    languages = sorted(
        ((code, language_name(code)) for code in places.language_codes), key=lambda c: c[1]
    )
    return {
        "categories": categories,
        "towns": places.towns,
        "centres": places.centres,
        "near_towns": sorted(places.centres, key=str.casefold),
        "languages": languages,
        "radii": RADII_KM,
    }


def _read_filters(request: HttpRequest, options: dict[str, Any]) -> Filters:
    get = request.GET
    filters = Filters()
    query = " ".join(get.get("q", "").split())
    if len(query) > MAX_QUERY:
        query = query[:MAX_QUERY]
        filters.messages.append(
            _("Your search was too long; only its first %(count)d characters were used.")
            % {"count": MAX_QUERY}
        )
    filters.q = query
    wanted = get.get("category", "")
    if wanted:
        filters.category = next((t for t in options["categories"] if str(t.pk) == wanted), None)
        if filters.category is None:
            filters.messages.append(_("That category is not in the directory; it was ignored."))
    town = get.get("town", "")
    if town in options["towns"]:
        filters.town = town
    elif town:
        filters.messages.append(_("That town is not in the directory; it was ignored."))
    language = get.get("language", "")
    if language in {code for code, _name in options["languages"]}:
        filters.language = language
    elif language:
        filters.messages.append(_("That language is not in the directory; it was ignored."))
    filters.open_now = get.get("open") == "1"
    filters.free = get.get("free") == "1"
    filters.near = _read_near(get, options, filters)
    return filters


def _read_near(get: Any, options: dict[str, Any], filters: Filters) -> Near | None:
    """The point and radius of the distance filter, if one was asked for and makes sense."""
    radius: float = DEFAULT_RADIUS_KM
    raw_radius = get.get("radius", "")
    if raw_radius:
        try:
            radius = float(raw_radius)
        except ValueError:
            radius = -1
        if not 0 < radius <= max(RADII_KM):
            filters.messages.append(
                _("The distance must be between 1 and %(most)d km; %(default)d km was used.")
                % {"most": max(RADII_KM), "default": DEFAULT_RADIUS_KM}
            )
            radius = DEFAULT_RADIUS_KM
    town = get.get("near", "")
    if town:
        if town in options["centres"]:
            filters.near_town = town
            latitude, longitude = options["centres"][town]
            return Near(latitude=latitude, longitude=longitude, radius_km=radius)
        filters.messages.append(_("That town has no services on the map; it was ignored."))
        return None
    raw_lat, raw_lon = get.get("lat", ""), get.get("lon", "")
    if not raw_lat and not raw_lon:
        return None
    try:
        latitude, longitude = float(raw_lat), float(raw_lon)
    except ValueError:
        latitude = longitude = float("nan")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also false for NaN
        filters.messages.append(_("That point is not on the map; it was ignored."))
        return None
    return Near(latitude=latitude, longitude=longitude, radius_km=radius)


def _distances(candidates: QuerySet[Service], near: Near) -> dict[uuid.UUID, float]:
    """Each candidate within the radius, with the distance to its nearest location (km).

    The database narrows to a box around the circle; the exact distance is worked out here.
    """
    rows = ServiceAtLocation.objects.filter(
        bounding_box(near),
        service__in=candidates.values("pk"),
        location__latitude__isnull=False,
        location__longitude__isnull=False,
    ).values_list("service_id", "location__latitude", "location__longitude")
    nearest: dict[uuid.UUID, float] = {}
    for service_id, latitude, longitude in rows:
        distance = distance_km(near.latitude, near.longitude, latitude, longitude)
        if distance <= (near.radius_km or 0) and distance < nearest.get(service_id, float("inf")):
            nearest[service_id] = distance
    return nearest


def _candidates(filters: Filters) -> QuerySet[Service]:
    services = Service.objects.exclude(status__in=HIDDEN)
    if filters.category is not None:
        term = filters.category.pk
        links = Attribute.objects.filter(
            Q(taxonomy_term_id=term)
            | Q(taxonomy_term__parent_id=term)
            | Q(taxonomy_term__parent__parent_id=term),
            link_entity="service",
        )
        services = services.filter(pk__in=links.values("link_id"))
    if filters.town:
        services = services.filter(
            pk__in=ServiceAtLocation.objects.filter(location__addresses__city=filters.town).values(
                "service_id"
            )
        )
    if filters.language:
        services = services.filter(
            pk__in=Language.objects.filter(code=filters.language).values("service_id")
        )
    if filters.free:
        # Free: it says what it costs, and none of it costs anything.
        services = services.filter(cost_options__amount=0).exclude(cost_options__amount__gt=0)
    return services.distinct()


def _schedules() -> list[Any]:
    return [
        "schedules",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses", "schedules"
            ),
        ),
    ]


def _opening(service: Service, now: dt.datetime) -> None:
    service.open_now = service.is_open_at(now)  # type: ignore[attr-defined]
    service.next_open = (  # type: ignore[attr-defined]
        None if service.open_now else service.next_opening(now)  # type: ignore[attr-defined]
    )


def _ordered_ids(
    filters: Filters, now: dt.datetime
) -> tuple[Sequence[uuid.UUID], dict[uuid.UUID, float], bool]:
    """The ids of the services to show, in order (a list, or a query the paginator slices);
    the distance to each when measured from a point; and whether the search refused the
    query."""
    if filters.q and not filters.narrows():
        # Nothing but words: the search ranks the whole index; reading every candidate id (and
        # handing 100,000 of them back to the search) would cost more than the search itself.
        ranked, refused = _searched_ids(filters.q, among=None)
        return ranked, {}, refused
    candidates = _candidates(filters)
    if filters.open_now:
        candidates = selectors.services_open_at(candidates, now)
    distances: dict[uuid.UUID, float] = {}
    if filters.near is not None:
        distances = _distances(candidates, filters.near)
        ids = list(distances)
    elif not filters.q:
        return _by_name(candidates), distances, False
    else:
        ids = list(candidates.values_list("pk", flat=True))
    if filters.q:
        ranked, refused = _searched_ids(filters.q, among=ids)
        return ranked, distances, refused
    names = dict(Service.objects.filter(pk__in=ids).values_list("pk", "name") if ids else [])
    # Near a point, nearest first; otherwise by name.
    ids.sort(key=lambda pk: (distances.get(pk, 0), _name_key(names.get(pk)), str(pk)))
    return ids, distances, False


def _searched_ids(query: str, *, among: list[uuid.UUID] | None) -> tuple[list[uuid.UUID], bool]:
    """The visible services that answer the query, best first; and whether the search refused
    the query (then there are none)."""
    from kopa.circle.search import ranked_service_ids
    from kopa.core.search import SearchInputError

    try:
        ranked = ranked_service_ids(
            query, among=None if among is None else [str(pk) for pk in among]
        )
    except SearchInputError:
        return [], True
    if among is None:
        visible = set(
            Service.objects.filter(pk__in=ranked)
            .exclude(status__in=HIDDEN)
            .values_list("pk", flat=True)
        )
        ranked = [pk for pk in ranked if pk in visible]
    return ranked, False


def _by_name(services: QuerySet[Service]) -> QuerySet[Any]:
    """The services' ids by their names in the visitor's language (else in the first language
    they have one in), sorted and paged by the database: at 100,000 services, reading every
    name into Python took seconds."""
    language = get_language() or settings.LANGUAGE_CODE
    order = [language, *(code for code, _name in settings.LANGUAGES if code != language)]
    name = Coalesce(*(NullIf(KT(f"name__{code}"), Value("")) for code in order), Value(""))
    return (
        services.annotate(sort_name=Lower(name))
        .order_by("sort_name", "pk")
        .values_list("pk", flat=True)
    )


def _name_key(raw: Any) -> str:
    from kopa.core.i18n import raw_translations

    texts = raw_translations(raw) or {}
    if not isinstance(texts, dict):
        return str(texts).casefold()
    text = texts.get(get_language() or "") or next((t for t in texts.values() if t), "")
    return text.casefold()


def _page_services(
    ids: list[uuid.UUID], now: dt.datetime, distances: dict[uuid.UUID, float]
) -> list[Service]:
    rows = (
        Service.objects.select_related("organization")
        .prefetch_related("languages", *_schedules())
        .in_bulk(ids)
        if ids
        else {}
    )
    services = [rows[pk] for pk in ids if pk in rows]
    selectors.attach_attributes(services)
    for service in services:
        _opening(service, now)
        service.distance_km = distances.get(service.pk)  # type: ignore[attr-defined]
        service.towns = sorted(  # type: ignore[attr-defined]
            {
                address.city
                for at in service.service_at_locations.all()
                for address in at.location.addresses.all()
                if address.city
            }
        )
        service.language_names = [  # type: ignore[attr-defined]
            language_name(item.code) if item.code else str(item.name)
            for item in service.languages.all()
        ]
    return services


@cache_public_page()
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    options = _filter_options()
    filters = _read_filters(request, options)
    now = timezone.now()
    ids, distances, refused = _ordered_ids(filters, now)
    if refused:
        filters.messages.append(_("The search could not use these words; try other words."))
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    services = _page_services(list(page.object_list), now, distances)
    query = request.GET.copy()
    query.pop("page", None)
    if len(query.get("q", "")) > MAX_QUERY:
        query["q"] = filters.q
    return render(
        request,
        "circle/directory.html",
        {
            "filters": filters,
            "options": options,
            "page": page,
            "services": services,
            "query": query.urlencode(),
            "map": _map_data(services),
        },
    )


def _map_data(services: list[Service]) -> dict[str, Any] | None:
    """The page's services as GeoJSON points for the map, which the list never depends on;
    None when the map is turned off or nothing on the page has coordinates."""
    if not settings.KOPA_MAP_TILES:
        return None
    features = []
    for service in services:
        for at in service.service_at_locations.all():
            location = at.location
            if location.latitude is None or location.longitude is None:
                continue
            towns = [address.city for address in location.addresses.all() if address.city]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [location.longitude, location.latitude],
                    },
                    "properties": {
                        "name": str(service.name),
                        "url": reverse("circle:service", args=[service.pk]),
                        "place": ", ".join(towns),
                    },
                }
            )
    if not features:
        return None
    return {
        "geojson": {"type": "FeatureCollection", "features": features},
        "tiles": settings.KOPA_MAP_TILES,
        "attribution": settings.KOPA_MAP_ATTRIBUTION,
        "attribution_url": settings.KOPA_MAP_ATTRIBUTION_URL,
    }


def _hours(schedules: list[Schedule]) -> list[dict[str, Any]]:
    """Opening hours in words: one line per weekday of a weekly schedule, else its description."""
    lines = []
    for schedule in schedules:
        times = ""
        if schedule.opens_at and schedule.closes_at:
            times = f"{schedule.opens_at:%H:%M}–{schedule.closes_at:%H:%M}"
        days = []
        if (schedule.freq or "WEEKLY").upper() == "WEEKLY" and schedule.byday:
            try:
                days = sorted({weekday for _ordinal, weekday in parse_byday(schedule.byday)})
            except ValueError:
                days = []
        lines.append(
            {
                "days": [str(WEEKDAYS[day]) for day in days],
                "times": times,
                "description": schedule.description,
                "zone": schedule.time_zone,
            }
        )
    return lines


def _phones(service: Service) -> list[Any]:
    phones = list(service.phones.all())
    for at in service.service_at_locations.all():
        phones.extend(at.phones.all())
        phones.extend(at.location.phones.all())
    seen: set[uuid.UUID] = set()
    unique = []
    for phone in phones:
        if phone.pk not in seen:
            seen.add(phone.pk)
            phone.tel = "".join(c for c in phone.number if c.isdigit() or c == "+")
            unique.append(phone)
    return unique


@cache_public_page()
@require_safe
def service_page(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        pk = uuid.UUID(service_id)
    except ValueError as error:
        raise Http404 from error
    service = selectors.service_detail(pk)
    if service is None or service.status == Service.Status.DEFUNCT:
        raise Http404
    now = timezone.now()
    _opening(service, now)
    locations = [at.location for at in service.service_at_locations.all()]
    addresses = [
        {"address": address, "country": country_name(address.country)}
        for location in locations
        for address in location.addresses.all()
    ]
    costs = list(service.cost_options.all())
    free = bool(costs) and all(c.amount is not None and c.amount == 0 for c in costs)
    languages = [
        language_name(item.code) if item.code else str(item.name)
        for item in service.languages.all()
    ]
    return render(
        request,
        "circle/service_detail.html",
        {
            "service": service,
            "addresses": addresses,
            "hours": _hours(service.all_schedules()),
            "phones": _phones(service),
            "languages": languages,
            "costs": costs,
            "free": free,
            "categories": [a.taxonomy_term for a in service.hsds_attributes],  # type: ignore[attr-defined]
            "documents": list(service.required_documents.all()),
            # visitors get the cached page, which never has these links
            "can_edit": request.user.is_authenticated and can_edit_directory(request.user),
            "json_ld": json_ld_script(
                service_json_ld(
                    service,
                    url=request.build_absolute_uri(),
                    addresses=[a["address"] for a in addresses],
                    languages=[item.code for item in service.languages.all() if item.code],
                )
            ),
        },
    )
