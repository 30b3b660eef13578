"""The public directory pages: a server-rendered search with filters, and one page per service.

Reads go through the ORM in a fixed number of queries whatever the number of results: the
filter choices (three), the candidate ids, the search (when there is a query), and one page of
services with everything the list shows prefetched. "Open now" is worked out in Python from the
schedules (in each schedule's own zone), so with it the candidates' schedules are read too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kopa.circle import selectors
from kopa.circle.models import (
    Address,
    Attribute,
    Language,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from kopa.circle.opening import parse_byday
from kopa.circle.structured_data import service_json_ld
from kopa.core.cache import cache_public_page
from kopa.core.countries import country_name, language_name
from kopa.core.structured_data import json_ld_script

PAGE_SIZE = 20
MAX_QUERY = 200
HIDDEN = [Service.Status.DEFUNCT, Service.Status.INACTIVE]


@dataclass
class Filters:
    q: str = ""
    category: TaxonomyTerm | None = None
    town: str = ""
    language: str = ""
    open_now: bool = False
    free: bool = False
    messages: list[str] = field(default_factory=list)


def _filter_options() -> dict[str, Any]:
    categories = list(TaxonomyTerm.objects.filter(parent__isnull=True).exclude(code=""))
    categories.sort(key=lambda term: str(term.name).casefold())
    towns = sorted(
        set(
            Address.objects.filter(location__service_at_locations__isnull=False)
            .exclude(city="")
            .values_list("city", flat=True)
            .distinct()
        ),
        key=str.casefold,
    )
    codes = set(
        Language.objects.filter(service__isnull=False)
        .exclude(code="")
        .values_list("code", flat=True)
        .distinct()
    )
    languages = sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])
    return {"categories": categories, "towns": towns, "languages": languages}


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
    return filters


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


def _ordered_ids(filters: Filters, now: dt.datetime) -> tuple[list[uuid.UUID], bool]:
    """The ids of the services to show, in order; and whether the search refused the query."""
    candidates = _candidates(filters)
    if filters.open_now:
        loaded = candidates.prefetch_related(*_schedules())
        ids = [s.pk for s in loaded if s.is_open_at(now)]
    else:
        ids = list(candidates.values_list("pk", flat=True))
    if filters.q:
        from kopa.circle.search import ranked_service_ids
        from kopa.core.search import SearchInputError

        try:
            ranked = ranked_service_ids(filters.q, among=[str(pk) for pk in ids])
        except SearchInputError:
            return [], True
        present = set(ids)
        return [pk for pk in ranked if pk in present], False
    names = dict(Service.objects.filter(pk__in=ids).values_list("pk", "name") if ids else [])
    ids.sort(key=lambda pk: (_name_key(names.get(pk)), str(pk)))
    return ids, False


def _name_key(raw: Any) -> str:
    from django.utils.translation import get_language

    from kopa.core.i18n import raw_translations

    texts = raw_translations(raw) or {}
    if not isinstance(texts, dict):
        return str(texts).casefold()
    text = texts.get(get_language() or "") or next((t for t in texts.values() if t), "")
    return text.casefold()


def _page_services(ids: list[uuid.UUID], now: dt.datetime) -> list[Service]:
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
    ids, refused = _ordered_ids(filters, now)
    if refused:
        filters.messages.append(_("The search could not use these words; try other words."))
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    services = _page_services(list(page.object_list), now)
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
        },
    )


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
