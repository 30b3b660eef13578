"""Reads of the directory, each saying what it prefetches (the API pins its query counts)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Avg, Prefetch, Q, QuerySet

from kopa.circle.models import (
    Address,
    Attribute,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    search_key,
)
from kopa.circle.opening import Rule

T = TypeVar("T")
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.32


def _phones() -> Prefetch:
    return Prefetch("phones", queryset=Phone.objects.prefetch_related("languages"))


def _contacts() -> Prefetch:
    return Prefetch("contacts", queryset=Contact.objects.prefetch_related(_phones()))


def _location_parts(prefix: str = "") -> list[Any]:
    """What a fully nested location shows: addresses, phones, schedules, languages, contacts."""
    return [
        f"{prefix}addresses",
        Prefetch(f"{prefix}phones", queryset=Phone.objects.prefetch_related("languages")),
        f"{prefix}schedules",
        f"{prefix}languages",
        Prefetch(f"{prefix}contacts", queryset=Contact.objects.prefetch_related(_phones())),
    ]


def service_at_location_parts() -> list[Any]:
    return [_phones(), "schedules", _contacts(), *_location_parts("location__")]


def service_parts() -> list[Any]:
    """Everything a fully nested service shows, except its category links (see attach_…)."""
    return [
        _phones(),
        "schedules",
        "languages",
        "cost_options",
        "required_documents",
        _contacts(),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                *service_at_location_parts()
            ),
        ),
    ]


def attach_attributes(services: Sequence[Service]) -> None:
    """Set `service.hsds_attributes`: its category links with their terms, in one query."""
    by_service: dict[uuid.UUID, list[Attribute]] = defaultdict(list)
    if services:
        links = (
            Attribute.objects.filter(link_entity="service", link_id__in=[s.pk for s in services])
            .select_related("taxonomy_term__taxonomy")
            .order_by("id")
        )
        for link in links:
            by_service[link.link_id].append(link)
    for service in services:
        service.hsds_attributes = by_service[service.pk]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ServiceFilters:
    """The API's filters; each one given narrows the result (they combine with AND)."""

    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: dt.datetime | None = None


def services_filtered(filters: ServiceFilters) -> QuerySet[Service]:
    """Services matching every filter given, in id order; prefetches nothing.

    `search` goes through the multilingual search (kopa.circle.search): the services among its
    best hits (at most MAX_HITS) that also match the other filters. `services_page` keeps the
    search's rank order; here (services at locations) the order stays the id's.
    """
    services = _services_narrowed(filters)
    if filters.search.strip():
        services = services.filter(pk__in=_ranked(filters, services))
    return services.order_by("id")


def _has_other_filters(filters: ServiceFilters) -> bool:
    return any(
        value is not None
        for value in (
            filters.taxonomy_term_id,
            filters.taxonomy_id,
            filters.organization_id,
            filters.modified_after,
        )
    )


def _ranked(filters: ServiceFilters, narrowed: QuerySet[Service]) -> list[uuid.UUID]:
    """The search's hits best first; with other filters, the best among the services they keep
    (one more query for their ids, so the AND does not lose hits beyond the search's limit)."""
    from kopa.circle.search import ranked_service_ids

    among = None
    if _has_other_filters(filters):
        among = [str(pk) for pk in narrowed.values_list("pk", flat=True)]
    return ranked_service_ids(filters.search, among=among)


def _services_narrowed(filters: ServiceFilters) -> QuerySet[Service]:
    """Every filter but `search`."""
    services = Service.objects.all()
    if filters.taxonomy_term_id is not None:
        # The term or a narrower term under it (the taxonomy is at most three levels deep).
        term = filters.taxonomy_term_id
        links = Attribute.objects.filter(
            Q(taxonomy_term_id=term)
            | Q(taxonomy_term__parent_id=term)
            | Q(taxonomy_term__parent__parent_id=term),
            link_entity="service",
        )
        services = services.filter(pk__in=links.values("link_id"))
    if filters.taxonomy_id is not None:
        links = Attribute.objects.filter(
            link_entity="service", taxonomy_term__taxonomy_id=filters.taxonomy_id
        )
        services = services.filter(pk__in=links.values("link_id"))
    if filters.organization_id is not None:
        services = services.filter(organization_id=filters.organization_id)
    if filters.modified_after is not None:
        services = services.filter(last_modified__gte=filters.modified_after)
    return services


@dataclass
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


def paginate(queryset: QuerySet[T], *, page: int, per_page: int) -> Page:
    """One count and (unless the page is past the end) one query for the page's rows."""
    total = queryset.count()
    start = (page - 1) * per_page
    items = list(queryset[start : start + per_page]) if start < total else []
    return Page(items=items, total=total, number=page, per_page=per_page)


def paginate_list(items: list[Any], *, page: int, per_page: int) -> Page:
    start = (page - 1) * per_page
    return Page(
        items=items[start : start + per_page], total=len(items), number=page, per_page=per_page
    )


def services_page(filters: ServiceFilters, *, page: int, per_page: int, full: bool = False) -> Page:
    """A page of services with their organisation; `full` adds everything nested in them.

    With `search`, in the search's rank order: the search's own queries, then the ids of the
    hits that match the other filters (the total) and the page's rows.
    """
    if filters.search.strip():
        result = _searched_page(filters, page=page, per_page=per_page)
    else:
        result = paginate(
            services_filtered(filters).select_related("organization"),
            page=page,
            per_page=per_page,
        )
    if full and result.items:
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(result.items, *service_parts())
        attach_attributes(result.items)
    return result


def _searched_page(filters: ServiceFilters, *, page: int, per_page: int) -> Page:
    narrowed = _services_narrowed(filters)
    ranked = _ranked(filters, narrowed)
    present = set(narrowed.filter(pk__in=ranked).values_list("pk", flat=True)) if ranked else set()
    ordered = [pk for pk in ranked if pk in present]  # an index entry may outlive its service
    start = (page - 1) * per_page
    wanted = ordered[start : start + per_page]
    rows = Service.objects.select_related("organization").in_bulk(wanted) if wanted else {}
    items = [rows[pk] for pk in wanted if pk in rows]
    return Page(items=items, total=len(ordered), number=page, per_page=per_page)


def service_detail(service_id: uuid.UUID) -> Service | None:
    service = (
        Service.objects.select_related("organization")
        .prefetch_related(*service_parts())
        .filter(pk=service_id)
        .first()
    )
    if service is not None:
        attach_attributes([service])
    return service


def services_for_export(*, batch: int = 200) -> Iterator[Service]:
    """Every service, fully nested, in id order, a batch at a time (memory stays flat)."""
    ids = list(Service.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), batch):
        services = list(
            Service.objects.filter(pk__in=ids[start : start + batch])
            .select_related("organization")
            .prefetch_related(*service_parts())
            .order_by("id")
        )
        attach_attributes(services)
        yield from services


def organizations_filtered(*, search: str = "") -> QuerySet[Organization]:
    organizations = Organization.objects.all()
    for word in search_key(search).split():
        organizations = organizations.filter(search_text__contains=word)
    return organizations.order_by("id")


def organization_detail(organization_id: uuid.UUID, *, full_service: bool = False) -> Any:
    """An organisation with its services (fully nested ones with `full_service`), or None."""
    services = Service.objects.select_related("organization").order_by("id")
    if full_service:
        services = services.prefetch_related(*service_parts())
    organization = (
        Organization.objects.prefetch_related(
            Prefetch("services", queryset=services),
            _phones(),
            _contacts(),
            Prefetch("locations", queryset=Location.objects.prefetch_related(*_location_parts())),
        )
        .filter(pk=organization_id)
        .first()
    )
    if organization is not None and full_service:
        attach_attributes(list(organization.services.all()))
    return organization


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    radius_km: float | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def service_at_locations_filtered(
    filters: ServiceFilters, *, near: Near | None = None
) -> QuerySet[ServiceAtLocation]:
    items = ServiceAtLocation.objects.filter(service__in=services_filtered(filters).values("pk"))
    if near is not None:
        items = items.filter(location__latitude__isnull=False, location__longitude__isnull=False)
        if near.radius_km is not None:
            items = items.filter(bounding_box(near))
    return items.select_related("service__organization", "location").order_by("id")


def bounding_box(near: Near) -> Q:
    """A box around the circle, cheap for the database; the exact distance is checked after."""
    assert near.radius_km is not None
    spread = near.radius_km / KM_PER_DEGREE
    box = Q(location__latitude__gte=near.latitude - spread) & Q(
        location__latitude__lte=near.latitude + spread
    )
    cos_lat = math.cos(math.radians(near.latitude))
    lon_spread = spread / cos_lat if cos_lat > 0.01 else 360.0
    west, east = near.longitude - lon_spread, near.longitude + lon_spread
    if west >= -180 and east <= 180:  # the box does not cross the antimeridian or a pole
        box &= Q(location__longitude__gte=west) & Q(location__longitude__lte=east)
    return box


def service_at_locations_page(
    filters: ServiceFilters,
    *,
    page: int,
    per_page: int,
    near: Near | None = None,
    full: bool = False,
) -> Page:
    """A page of services at locations; near a point, nearest first, with `distance_km` set."""
    queryset = service_at_locations_filtered(filters, near=near)
    if near is None:
        result = paginate(queryset, page=page, per_page=per_page)
    else:
        found = []
        for item in queryset:
            distance = distance_km(
                near.latitude, near.longitude, item.location.latitude, item.location.longitude
            )
            if near.radius_km is None or distance <= near.radius_km:
                item.distance_km = distance  # type: ignore[attr-defined]
                found.append(item)
        found.sort(key=lambda item: (item.distance_km, str(item.pk)))
        result = paginate_list(found, page=page, per_page=per_page)
    if full and result.items:
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(result.items, *service_at_location_parts())
    return result


def service_at_location_detail(item_id: uuid.UUID) -> ServiceAtLocation | None:
    return (
        ServiceAtLocation.objects.select_related("service__organization", "location")
        .prefetch_related(*service_at_location_parts())
        .filter(pk=item_id)
        .first()
    )


def taxonomies() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("-is_platform", "id")


def taxonomy_terms(
    *,
    search: str = "",
    taxonomy_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    top_only: bool = False,
) -> list[TaxonomyTerm]:
    """Terms in taxonomy order; `search` matches their names in any language (a small table)."""
    terms = TaxonomyTerm.objects.select_related("taxonomy").order_by(
        "-is_platform", "position", "code", "id"
    )
    if taxonomy_id is not None:
        terms = terms.filter(taxonomy_id=taxonomy_id)
    if parent_id is not None:
        terms = terms.filter(parent_id=parent_id)
    if top_only:
        terms = terms.filter(parent__isnull=True)
    words = search_key(search).split()
    return [term for term in terms if _matches(words, term)]


def _matches(words: Iterable[str], term: TaxonomyTerm) -> bool:
    from kopa.core.i18n import raw_translations

    text = search_key(
        " ".join([term.code, *raw_translations(term.__dict__.get("name") or {}).values()])
    )
    return all(word in text for word in words)


def taxonomy_term_detail(term_id: uuid.UUID) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.select_related("taxonomy").filter(pk=term_id).first()


# --- keeping it true, and the people of the circle ----------------------------------------------


def service_edit_state(service: Service) -> Any:
    """The service as the editors' form edits it (a `services.ServiceEdit`)."""
    from kopa.circle.models import Schedule
    from kopa.circle.services import HoursRow, ServiceEdit, _document_text, _is_simple
    from kopa.core.i18n import raw_translations

    raw = service.__dict__
    at_location = service.service_at_locations.select_related("location").order_by("id").first()
    location = at_location.location if at_location is not None else None
    address = None
    if location is not None:
        address = sorted(
            location.addresses.all(), key=lambda a: (a.address_type != "physical", str(a.pk))
        )
        address = address[0] if address else None
    costs = list(service.cost_options.all())
    schedules = Schedule.objects.filter(
        Q(service=service) | Q(service_at_location__service=service)
    ).order_by("id")
    phones = list(service.phones.all()) + list(
        Phone.objects.filter(service_at_location__service=service).order_by("id")
    )
    return ServiceEdit(
        name=dict(raw_translations(raw.get("name")) or {}),
        original_language=service.original_language,
        description=dict(raw_translations(raw.get("description")) or {}),
        eligibility_description=dict(raw_translations(raw.get("eligibility_description")) or {}),
        fees_description=dict(raw_translations(raw.get("fees_description")) or {}),
        status=service.status,
        url=service.url,
        email=service.email,
        organization_id=service.organization_id,
        terms=list(
            Attribute.objects.filter(link_entity="service", link_id=service.pk).values_list(
                "taxonomy_term_id", flat=True
            )
        ),
        languages=sorted({item.code for item in service.languages.all() if item.code}),
        free_of_charge=bool(costs) and all(c.amount is not None and c.amount == 0 for c in costs),
        documents=[
            _document_text(document, service.original_language)
            for document in service.required_documents.order_by("id")
        ],
        address_1=address.address_1 if address else "",
        postal_code=address.postal_code if address else "",
        city=address.city if address else "",
        country=address.country if address else "",
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        phones=[phone.number for phone in phones],
        hours=[
            HoursRow(tuple(s.byday.split(",")), s.opens_at, s.closes_at)
            for s in schedules
            if _is_simple(s)
        ],
    )


def other_schedules(service: Service) -> list[Any]:
    """The service's opening hours the editors' form cannot show as rows (kept as they are)."""
    from kopa.circle.models import Schedule
    from kopa.circle.services import _is_simple

    schedules = Schedule.objects.filter(
        Q(service=service) | Q(service_at_location__service=service)
    ).order_by("id")
    return [schedule for schedule in schedules if not _is_simple(schedule)]


def services_due_for_review(*, cutoff: dt.date) -> QuerySet[Service]:
    """Services never verified or last verified before `cutoff`: never verified first, then the
    oldest verification first. Defunct services are left out."""
    from django.db.models import F

    return (
        Service.objects.exclude(status=Service.Status.DEFUNCT)
        .filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))
        .select_related("organization")
        .order_by(F("last_verified").asc(nulls_first=True), "created", "id")
    )


def suggestions_open() -> QuerySet[Any]:
    from kopa.circle.models import Suggestion

    return (
        Suggestion.objects.filter(status=Suggestion.Status.OPEN)
        .select_related("service", "suggested_by")
        .order_by("created", "id")
    )


def profiles_listed(
    *, language: str = "", region: str = "", peer_support: bool = False
) -> QuerySet[Any]:
    """Profiles the circle sees (visible, of active people), by name; filters combine with AND."""
    from kopa.circle.models import MemberProfile

    profiles = MemberProfile.objects.filter(visible=True, user__is_active=True)
    if language:
        profiles = profiles.filter(
            Q(languages=language)
            | Q(languages__startswith=f"{language},")
            | Q(languages__endswith=f",{language}")
            | Q(languages__contains=f",{language},")
        )
    if region:
        profiles = profiles.filter(region__iexact=region)
    if peer_support:
        profiles = profiles.filter(offers_peer_support=True)
    return profiles.select_related("user", "organisation").order_by(
        "user__full_name", "user__email"
    )


def profile_regions() -> list[str]:
    from kopa.circle.models import MemberProfile

    regions = (
        MemberProfile.objects.filter(visible=True, user__is_active=True)
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
    )
    return sorted(set(regions), key=str.casefold)


def services_named(text: str) -> QuerySet[Service]:
    """Services whose name or description, or whose organisation's name, has every word of
    `text` (any language, case and diacritics ignored): the editors' plain finder."""
    services = Service.objects.select_related("organization")
    for word in search_key(text).split():
        services = services.filter(
            Q(search_text__contains=word) | Q(organization__search_text__contains=word)
        )
    return services.order_by("created", "id")


# --- the directory's towns and languages ------------------------------------------------------
# Worked out from every service (at 100,000 services, half a second of SQL), so kept in the cache
# under a version that every change to a service or the taxonomy replaces (`directory_changed`,
# called after commit by the indexing in kopa.circle.search), and for PLACES_SECONDS at most:
# with a per-process cache (no Redis), another worker or a command sees a change that late.
PLACES_VERSION_KEY = "circle:places-version"
PLACES_SECONDS = 300


@dataclass(frozen=True)
class DirectoryPlaces:
    towns: list[str]  # every town with a service, in alphabetical order
    centres: dict[str, tuple[float, float]]  # town → the middle of its services' locations
    language_codes: list[str]  # the languages services are delivered in


def directory_changed() -> None:
    cache.set(PLACES_VERSION_KEY, uuid.uuid4().hex, None)


def directory_places() -> DirectoryPlaces:
    version = cache.get(PLACES_VERSION_KEY) or ""
    key = f"circle:places:{version}"
    places = cache.get(key)
    if places is None:
        places = _directory_places()
        cache.set(key, places, PLACES_SECONDS)
    return places


def _directory_places() -> DirectoryPlaces:
    rows = list(
        Address.objects.filter(location__service_at_locations__isnull=False)
        .exclude(city="")
        .values("city")
        .annotate(latitude=Avg("location__latitude"), longitude=Avg("location__longitude"))
        .order_by()
    )
    codes = (
        Language.objects.filter(service__isnull=False)
        .exclude(code="")
        .order_by()  # not the model's order by id, which DISTINCT would keep: one row per code
        .values_list("code", flat=True)
        .distinct()
    )
    return DirectoryPlaces(
        towns=sorted({row["city"] for row in rows}, key=str.casefold),
        centres={
            row["city"]: (row["latitude"], row["longitude"])
            for row in rows
            if row["latitude"] is not None and row["longitude"] is not None
        },
        language_codes=sorted(set(codes)),
    )


# --- open now ---------------------------------------------------------------------------------
RULE_FIELDS = [
    "opens_at",
    "closes_at",
    "time_zone",
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "wkst",
    "dtstart",
    "until",
    "valid_from",
    "valid_to",
]
RULES_PER_CONDITION = 100  # an OR of rules per subquery: SQLite limits an expression's depth


def services_open_at(services: QuerySet[Service], moment: dt.datetime) -> QuerySet[Service]:
    """The services (of this query) with a schedule of their own or of one of their places that
    is open at `moment`.

    Schedules repeat: thousands of services share "weekdays 9–17, Europe/Riga". Each distinct
    rule is worked out once, in Python (its zone, summer time, openings across midnight), and
    the database keeps the services with an open one; at 100,000 services, loading each with its
    schedules took minutes.
    """
    owners = Q(service__in=services.values("pk")) | Q(
        service_at_location__service__in=services.values("pk")
    )
    rules = Schedule.objects.filter(owners).order_by().values_list(*RULE_FIELDS).distinct()
    open_rules = [
        values
        for values in rules
        if Rule(**dict(zip(RULE_FIELDS, values, strict=True))).is_open_at(moment)
    ]
    if not open_rules:
        return services.none()
    condition = Q()
    for start in range(0, len(open_rules), RULES_PER_CONDITION):
        matching = Q()
        for values in open_rules[start : start + RULES_PER_CONDITION]:
            matching |= Q(**dict(zip(RULE_FIELDS, values, strict=True)))
        schedules = Schedule.objects.filter(owners, matching).order_by()
        condition |= Q(pk__in=schedules.filter(service__isnull=False).values("service_id"))
        condition |= Q(pk__in=schedules.values("service_at_location__service_id"))
    return services.filter(condition)
