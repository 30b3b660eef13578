"""The directory in the multilingual search of `core` (docs/search.md, docs/circle.md "Search").

`service_search_document()` turns a service and what it nests into the keyword arguments of
`kopa.core.search.index_document` (the same fields as bench/search_eval.py's adapter of HSDS
JSON); `service_index()` / `service_unindex()` write and remove it; `taxonomy_index()` gives the
search the category labels. The writes in `kopa.circle.services` call them after commit.
`ranked_service_ids()` is the read side the API uses.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch

from kopa.circle.models import Attribute, Service, ServiceAtLocation, TaxonomyTerm
from kopa.circle.selectors import directory_changed
from kopa.core.i18n import raw_translations

KIND = "circle.service"
# The search gives at most this many hits (kopa.core.search.querying.MAX_LIMIT).
MAX_HITS = 100


def service_key(service_id: uuid.UUID | str) -> str:
    return f"{KIND}:{service_id}"


def _text(value: Any, language: str) -> str:
    """The text in the record's own language, else any text it has."""
    texts = raw_translations(value) or {}
    if not isinstance(texts, dict):
        return str(texts or "")
    return texts.get(language) or next((t for t in texts.values() if t), "")


def _join(parts: list[str], separator: str = " ") -> str:
    return separator.join(part for part in parts if part)


def _loaded(service: Service) -> Service:
    """The service again with everything the document reads, in a fixed number of queries."""
    return (
        Service.objects.select_related("organization")
        .prefetch_related(
            "languages",
            "schedules",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses", "schedules"
                ),
            ),
        )
        .get(pk=service.pk)
    )


def service_search_document(service: Service) -> dict[str, Any]:
    """One service as the keyword arguments of `index_document` (texts in its own language)."""
    from kopa.core.countries import country_name

    language = service.original_language
    organization = service.organization
    locations: list[str] = []
    schedules = list(service.schedules.all())
    for at_location in service.service_at_locations.all():
        schedules.extend(at_location.schedules.all())
        location = at_location.location
        parts = [_text(location.__dict__.get("name"), location.original_language)]
        for address in location.addresses.all():
            parts += [
                address.address_1,
                address.city,
                address.region,
                address.state_province,
                country_name(address.country, "en") if address.country else "",
            ]
        locations.append(_join(parts, ", "))
    codes = (
        Attribute.objects.filter(link_entity="service", link_id=service.pk)
        .exclude(taxonomy_term__code="")
        .values_list("taxonomy_term__code", flat=True)
    )
    org_texts = []
    if organization is not None:
        org_lang = organization.original_language
        org_texts = [
            _text(organization.__dict__.get("name"), org_lang),
            _text(organization.__dict__.get("description"), org_lang),
        ]
    raw = service.__dict__
    return {
        "key": service_key(service.pk),
        "kind": KIND,
        "language": language or None,
        "texts": {
            "name": _text(raw.get("name"), language),
            "description": _join(
                [
                    _text(raw.get("description"), language),
                    _text(raw.get("eligibility_description"), language),
                    _text(raw.get("fees_description"), language),
                ]
            ),
            "organization": _join(org_texts),
            "location": _join(locations, "; "),
            "languages": _join(
                [
                    _text(item.__dict__.get("name"), item.original_language)
                    for item in service.languages.all()
                ],
                ", ",
            ),
            "schedule": _join(
                [
                    _text(item.__dict__.get("description"), item.original_language)
                    for item in schedules
                ]
            ),
        },
        "categories": sorted(set(codes)),
    }


def service_index(*, service: Service, lemmatize: bool | None = None) -> None:
    """Write the service's search document (again); unchanged content costs no analysis."""
    from kopa.core.search import index_document

    directory_changed()  # every change to a service passes here after its commit
    try:
        loaded = _loaded(service)
    except Service.DoesNotExist:  # deleted meanwhile
        service_unindex(service_id=service.pk)
        return
    index_document(**service_search_document(loaded), lemmatize=lemmatize)


def services_index_all(*, lemmatize: bool | None = None) -> int:
    """Index every service (a database that has services but no search documents); returns how
    many. Unchanged documents cost no analysis."""
    count = 0
    for service_id in Service.objects.order_by("id").values_list("pk", flat=True).iterator():
        service_index(service=Service(pk=service_id), lemmatize=lemmatize)
        count += 1
    return count


def service_unindex(*, service_id: uuid.UUID | str) -> None:
    from kopa.core.search import remove_document

    directory_changed()
    remove_document(key=service_key(service_id))


def taxonomy_index() -> None:
    """Give the search every category's labels, so category words in a query boost services."""
    from kopa.core.search import index_categories

    directory_changed()
    labels: dict[str, dict[str, str]] = {}
    for term in TaxonomyTerm.objects.exclude(code="").order_by("code", "id"):
        names = raw_translations(term.__dict__.get("name")) or {}
        labels.setdefault(term.code, {}).update(
            {language: text for language, text in names.items() if text}
        )
    index_categories(labels=labels)


def ranked_service_ids(query: str, *, among: list[str] | None = None) -> list[uuid.UUID]:
    """The ids of the services that answer `query`, best first (at most MAX_HITS).

    `among`: only these service ids (the other filters of the API), ranked among themselves.
    An empty or meaningless query gives []; raises SearchInputError only if the search does.
    """
    from kopa.core.search import search

    filter_keys = None if among is None else [service_key(pk) for pk in among]
    hits = search(query=query, kinds=[KIND], limit=MAX_HITS, filter_keys=filter_keys)
    ids = []
    for hit in hits:
        try:
            ids.append(uuid.UUID(hit.key.partition(":")[2]))
        except ValueError:
            continue
    return ids
