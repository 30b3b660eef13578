"""The HSDS 3.0 read API under /api/hsds/: public, read-only JSON (docs/circle.md, the profile in
docs/hsds-profile.md).

Each view parses and checks its query parameters (a wrong one is a 400 with a JSON error, never
a 500), calls one selector and writes the records through `kopa.circle.hsds.Writer`. Texts come
in the language the client asks for (`lang=`, else `Accept-Language`), each with the fallback the
site uses; without either, every record speaks its own language.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from kopa.circle import selectors
from kopa.circle.hsds import (
    HSDS_VERSION,
    OPENAPI_URL,
    SERVICE_SCHEMA,
    Writer,
    normalise_language,
)
from kopa.circle.selectors import Near, Page, ServiceFilters
from kopa.core.search import SearchInputError

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 1_000_000
MAX_SEARCH_LENGTH = 200
MAX_RADIUS_KM = 20_000

PAGING = {"page", "per_page", "format", "lang"}
SERVICE_FILTERS = {"search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after"}


_DIGITS = re.compile(r"^\s*\d{1,12}\s*$", re.ASCII)


class BadRequest(Exception):
    def __init__(self, error: str, detail: Any) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail


def error_response(status: int, error: str, detail: Any = None) -> JsonResponse:
    return _json({"error": error, "detail": detail}, status=status)


def _json(data: Any, *, status: int = 200, language: str | None = None) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept-Language"
    if language:
        response["Content-Language"] = language
    return response


def hsds_view(*allowed: str) -> Callable[..., Any]:
    """GET only; only the named query parameters, each at most once; BadRequest → 400."""
    names = set(allowed)

    def decorate(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
        # Read-only and without cookies: any other method must reach the JSON 405 below, not
        # the CSRF check's HTML 403 (found by the schemathesis run in tests/fuzz).
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in ("GET", "HEAD"):
                response = error_response(405, "method_not_allowed", "this API is read-only")
                response["Allow"] = "GET, HEAD"
                return response
            try:
                unknown = sorted(set(request.GET) - names)
                if unknown:
                    raise BadRequest(
                        "unknown_parameter", {"unknown": unknown, "allowed": sorted(names)}
                    )
                repeated = sorted(n for n in request.GET if len(request.GET.getlist(n)) > 1)
                if repeated:
                    raise BadRequest("repeated_parameter", dict.fromkeys(repeated, "give it once"))
                if request.GET.get("format", "json") != "json":
                    raise BadRequest("invalid_parameter", {"format": "only 'json' is supported"})
                try:
                    return view(request, *args, **kwargs)
                except SearchInputError as error:  # the search refused the query
                    raise _invalid("search", str(error)) from error
            except BadRequest as problem:
                return error_response(400, problem.error, problem.detail)

        return wrapper

    return decorate


# --- reading parameters ------------------------------------------------------------------------


def _invalid(name: str, message: str) -> BadRequest:
    return BadRequest("invalid_parameter", {name: message})


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.match(raw) or not low <= int(raw) <= high:
        raise _invalid(name, f"must be a whole number from {low} to {high}")
    return int(raw)


def _float(request: HttpRequest, name: str, low: float, high: float) -> float | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise _invalid(name, f"must be a number from {low:g} to {high:g}")
    return value


def _uuid(request: HttpRequest, name: str) -> uuid.UUID | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    return _parse_uuid(raw, name)


def _parse_uuid(raw: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _invalid(name, "must be a UUID") from None


def _bool(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "").lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise _invalid(name, "must be true or false")


def _datetime(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(name, "must be an ISO 8601 date or date and time") from None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)  # the API's times are in UTC
    return value


def _search(request: HttpRequest) -> str:
    search = request.GET.get("search", "")
    if len(search) > MAX_SEARCH_LENGTH:
        raise _invalid("search", f"keep it to {MAX_SEARCH_LENGTH} characters")
    return search


def _language(request: HttpRequest) -> str | None:
    """The language asked for: `lang=`, else the first platform language in Accept-Language."""
    raw = request.GET.get("lang")
    if raw is not None and raw != "":
        language = normalise_language(raw)
        if language is None:
            raise _invalid("lang", "must be one of lv, et, en, uk, ru")
        return language
    wanted = []
    for part in request.headers.get("Accept-Language", "").split(","):
        code, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code and quality > 0:
            wanted.append((-quality, len(wanted), code))
    for _quality, _order, code in sorted(wanted):
        language = normalise_language(code)
        if language:
            return language
    return None


def _paging(request: HttpRequest) -> tuple[int, int]:
    page = _int(request, "page", 1, 1, MAX_PAGE)
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


def _service_filters(request: HttpRequest) -> ServiceFilters:
    return ServiceFilters(
        search=_search(request),
        taxonomy_term_id=_uuid(request, "taxonomy_term_id"),
        taxonomy_id=_uuid(request, "taxonomy_id"),
        organization_id=_uuid(request, "organization_id"),
        modified_after=_datetime(request, "modified_after"),
    )


def _page(page: Page, contents: list[Any]) -> dict[str, Any]:
    """The HSDS Page object around `contents`."""
    return {
        "total_items": page.total,
        "total_pages": page.total_pages,
        "page_number": page.number,
        "size": len(contents),
        "first_page": page.number == 1,
        "last_page": page.number >= page.total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _not_found(kind: str, record_id: uuid.UUID) -> JsonResponse:
    return error_response(404, "not_found", f"no {kind} {record_id}")


# --- the endpoints -----------------------------------------------------------------------------


@hsds_view()
def root(request: HttpRequest) -> JsonResponse:
    return _json(
        {
            "version": HSDS_VERSION,
            "profile": request.build_absolute_uri(reverse("hsds:profile")),
            "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
        }
    )


@hsds_view()
def openapi(request: HttpRequest) -> JsonResponse:
    """This API's own OpenAPI 3.1 document: what it serves, with the HSDS 3.0 object schemas."""
    return _json(openapi_document())


@hsds_view()
def profile(request: HttpRequest) -> JsonResponse:
    """Our profile of HSDS 3.0, in brief and machine-readable; docs/hsds-profile.md in full."""
    return _json(
        {
            "name": "Kopā tālāk HSDS profile",
            "hsds_version": HSDS_VERSION,
            "languages": ["lv", "et", "en", "uk", "ru"],
            "parameters": {
                "lang": "the language of plain text fields (else Accept-Language; else the "
                "record's own language); a text missing in it falls back to the record's "
                "language, then English, then any",
                "lat, lon, radius": "on /service_at_locations: within radius km of the "
                "point, nearest first",
            },
            "extra_fields": {
                "x_original_language": "the language the record was written in",
                "x_translations": "{field: {language: text}}: every language held for each text",
                "x_timezone": "on schedules: the IANA zone of opens_at and closes_at",
                "x_distance_km": "on /service_at_locations near a point: the distance",
            },
            "not_supported": ["format=ndjson", "minimal", "postcode", "proximity"],
        }
    )


@hsds_view(*PAGING, *SERVICE_FILTERS, "full")
def services(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    page, per_page = _paging(request)
    full = _bool(request, "full")
    result = selectors.services_page(
        _service_filters(request), page=page, per_page=per_page, full=full
    )
    writer = Writer(language)
    contents = [
        writer.service(service, full=full, attributes=getattr(service, "hsds_attributes", ()))
        for service in result.items
    ]
    return _json(_page(result, contents), language=language)


@hsds_view("lang")
def service(request: HttpRequest, service_id: str) -> JsonResponse:
    language = _language(request)
    pk = _parse_uuid(service_id, "id")
    found = selectors.service_detail(pk)
    if found is None:
        return _not_found("service", pk)
    data = Writer(language).service(found, attributes=found.hsds_attributes)  # type: ignore[attr-defined]
    return _json(data, language=language)


@hsds_view(*PAGING, "search")
def organizations(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    page, per_page = _paging(request)
    result = selectors.paginate(
        selectors.organizations_filtered(search=_search(request)), page=page, per_page=per_page
    )
    writer = Writer(language)
    return _json(_page(result, [writer.organization(o) for o in result.items]), language=language)


@hsds_view("lang", "full_service")
def organization(request: HttpRequest, organization_id: str) -> JsonResponse:
    language = _language(request)
    pk = _parse_uuid(organization_id, "id")
    full_service = _bool(request, "full_service")
    found = selectors.organization_detail(pk, full_service=full_service)
    if found is None:
        return _not_found("organization", pk)
    writer = Writer(language)
    data = writer.organization(found)
    data["services"] = [
        writer.service(item, full=full_service, attributes=getattr(item, "hsds_attributes", ()))
        for item in found.services.all()
    ]
    data["phones"] = [writer.phone(phone) for phone in found.phones.all()]
    data["contacts"] = [writer.contact(contact) for contact in found.contacts.all()]
    data["locations"] = [writer.location(location) for location in found.locations.all()]
    return _json(data, language=language)


@hsds_view(*PAGING, "search")
def taxonomies(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    page, per_page = _paging(request)
    words = _search(request).casefold().split()
    writer = Writer(language)
    matching = [
        taxonomy
        for taxonomy in selectors.taxonomies()
        if all(word in " ".join(taxonomy.name.translations.values()).casefold() for word in words)
    ]
    result = selectors.paginate_list(matching, page=page, per_page=per_page)
    return _json(_page(result, [writer.taxonomy(t) for t in result.items]), language=language)


@hsds_view("lang")
def taxonomy(request: HttpRequest, taxonomy_id: str) -> JsonResponse:
    language = _language(request)
    pk = _parse_uuid(taxonomy_id, "id")
    found = selectors.taxonomies().filter(pk=pk).first()
    if found is None:
        return _not_found("taxonomy", pk)
    return _json(Writer(language).taxonomy(found), language=language)


@hsds_view(*PAGING, "search", "taxonomy_id", "parent_id", "top_only")
def taxonomy_terms(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    page, per_page = _paging(request)
    terms = selectors.taxonomy_terms(
        search=_search(request),
        taxonomy_id=_uuid(request, "taxonomy_id"),
        parent_id=_uuid(request, "parent_id"),
        top_only=_bool(request, "top_only"),
    )
    result = selectors.paginate_list(terms, page=page, per_page=per_page)
    writer = Writer(language)
    return _json(_page(result, [writer.taxonomy_term(t) for t in result.items]), language=language)


@hsds_view("lang")
def taxonomy_term(request: HttpRequest, term_id: str) -> JsonResponse:
    language = _language(request)
    pk = _parse_uuid(term_id, "id")
    found = selectors.taxonomy_term_detail(pk)
    if found is None:
        return _not_found("taxonomy_term", pk)
    return _json(Writer(language).taxonomy_term(found), language=language)


@hsds_view(*PAGING, *SERVICE_FILTERS, "full", "lat", "lon", "radius")
def service_at_locations(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    page, per_page = _paging(request)
    full = _bool(request, "full")
    latitude = _float(request, "lat", -90, 90)
    longitude = _float(request, "lon", -180, 180)
    radius = _float(request, "radius", 0, MAX_RADIUS_KM)
    if (latitude is None) != (longitude is None):
        raise BadRequest("invalid_parameter", {"lat": "give lat and lon together"})
    if radius is not None and latitude is None:
        raise BadRequest("invalid_parameter", {"radius": "give lat and lon with radius"})
    near = None
    if latitude is not None and longitude is not None:
        near = Near(latitude, longitude, radius)
    result = selectors.service_at_locations_page(
        _service_filters(request), page=page, per_page=per_page, near=near, full=full
    )
    writer = Writer(language)
    contents = []
    for item in result.items:
        data = writer.service_at_location(item, full=full, service=True)
        if near is not None:
            data["x_distance_km"] = round(item.distance_km, 3)
        contents.append(data)
    return _json(_page(result, contents), language=language)


@hsds_view("lang")
def service_at_location(request: HttpRequest, item_id: str) -> JsonResponse:
    language = _language(request)
    pk = _parse_uuid(item_id, "id")
    found = selectors.service_at_location_detail(pk)
    if found is None:
        return _not_found("service_at_location", pk)
    return _json(Writer(language).service_at_location(found, service=True), language=language)


# --- the OpenAPI document ----------------------------------------------------------------------

# The HSDS schema files carry Frictionless Data Package keys beside the JSON Schema ones; the
# document keeps only JSON Schema (their `example`s are often of the wrong type, e.g. "12" for a
# number, and would mislead clients and test generators).
_NOT_SCHEMA = {"name", "constraints", "core", "path", "datapackage_metadata", "datapackage_type"}
_NOT_SCHEMA |= {"tabular_required", "example"}


def _schema_only(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                {name: _schema_only(sub) for name, sub in value.items()}
                if key == "properties"
                else _schema_only(value)
            )
            for key, value in node.items()
            if key not in _NOT_SCHEMA or key == "properties"
        }
    if isinstance(node, list):
        return [_schema_only(item) for item in node]
    if isinstance(node, str) and node.startswith("#/definitions/"):
        return "#/components/schemas/" + node.removeprefix("#/definitions/")
    return node


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """An empty value is the same as leaving the parameter out."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


_UUID = _or_empty({"type": "string", "format": "uuid"})
# What _bool and normalise_language accept, written out (JSON Schema patterns have no flags).
_BOOLEAN = {
    "type": "string",
    "pattern": "^(" + "|".join(_any_case(word) for word in ("true", "false", "1", "0")) + ")?$",
}
_LANGUAGE_CODES = ("lv", "et", "en", "uk", "ru", "lav", "est", "eng", "ukr", "rus")
_LANGUAGE = {
    "type": "string",
    "pattern": r"^\s*("
    + "|".join(_any_case(code) for code in _LANGUAGE_CODES)
    + r")([-_][\s\S]*)?\s*$|^$",
}
_PARAMETERS = {
    "page": _query(
        "page",
        "Page number, from 1.",
        _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    ),
    "per_page": _query(
        "per_page",
        "Items per page.",
        _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
    ),
    "format": _query("format", "Only json.", {"type": "string", "enum": ["json"]}),
    "lang": _query(
        "lang",
        "The language of the plain text fields: lv, et, en, uk or ru (a region or the "
        "three-letter code is accepted too; docs/hsds-profile.md).",
        _LANGUAGE,
    ),
    "search": _query(
        "search", "Words to find.", {"type": "string", "maxLength": MAX_SEARCH_LENGTH}
    ),
    "taxonomy_term_id": _query("taxonomy_term_id", "Under this term or a narrower one.", _UUID),
    "taxonomy_id": _query("taxonomy_id", "With a term of this taxonomy.", _UUID),
    "organization_id": _query("organization_id", "Of this organization.", _UUID),
    "modified_after": _query(
        "modified_after",
        "Changed after this date or time (ISO 8601; UTC without a zone); anything else is a 400.",
        {"type": "string"},
    ),
    "full": _query("full", "Nest every related object (true or false).", _BOOLEAN),
    "full_service": _query("full_service", "Nest the services fully (true or false).", _BOOLEAN),
    "parent_id": _query("parent_id", "Narrower terms of this term.", _UUID),
    "top_only": _query("top_only", "Only terms without a parent (true or false).", _BOOLEAN),
    "lat": _query(
        "lat",
        "Latitude of the point (WGS84); with lon.",
        _or_empty({"type": "number", "minimum": -90, "maximum": 90}),
    ),
    "lon": _query(
        "lon",
        "Longitude of the point (WGS84); with lat.",
        _or_empty({"type": "number", "minimum": -180, "maximum": 180}),
    ),
    "radius": _query(
        "radius",
        "Within this many km of lat, lon (only with them).",
        _or_empty({"type": "number", "minimum": 0, "maximum": MAX_RADIUS_KM}),
    ),
}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(
    operation_id: str, summary: str, parameters: list[str], ok: dict[str, Any], *, path_id: bool
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": summary, "content": _json_content(ok)},
        "400": {
            "description": "A parameter is unknown, repeated or not valid.",
            "content": _json_content(_ref("Error")),
        },
        "405": {"description": "Only GET and HEAD.", "content": _json_content(_ref("Error"))},
    }
    if path_id:
        responses["404"] = {
            "description": "No record with this id.",
            "content": _json_content(_ref("Error")),
        }
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in parameters],
        "responses": responses,
    }
    if path_id:
        operation["parameters"].insert(
            0,
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            },
        )
    return {"get": operation}


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "allOf": [
            _ref("Page"),
            {
                "type": "object",
                "required": ["contents"],
                "properties": {"contents": {"type": "array", "items": item}},
            },
        ]
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """Built once from the API's parameters and the vendored HSDS 3.0 schema (CC BY-SA 4.0)."""
    hsds = _schema_only(json.loads(SERVICE_SCHEMA.read_text(encoding="utf-8")))
    schemas: dict[str, Any] = dict(hsds.pop("definitions"))
    hsds.pop("datapackage_metadata", None)
    schemas["service"] = hsds
    listing = [*sorted(PAGING - {"lang"}), "lang"]
    service_filters = sorted(SERVICE_FILTERS)
    organization_full = {
        "allOf": [
            _ref("organization"),
            {
                "type": "object",
                "properties": {
                    "services": {"type": "array", "items": _ref("service")},
                    "phones": {"type": "array", "items": _ref("phone")},
                    "contacts": {"type": "array", "items": _ref("contact")},
                    "locations": {"type": "array", "items": _ref("location")},
                },
            },
        ]
    }
    at_location = {
        "allOf": [
            _ref("service_at_location"),
            {
                "type": "object",
                "properties": {
                    "service": _ref("service"),
                    "x_distance_km": {"type": "number", "minimum": 0},
                },
            },
        ]
    }
    paths = {
        "/": {
            "get": {
                "operationId": "getAPIMetaInformation",
                "summary": "The HSDS version, our profile and this document.",
                "responses": {
                    "200": {
                        "description": "About this API.",
                        "content": _json_content(
                            {
                                "type": "object",
                                "required": ["version", "profile", "openapi_url"],
                                "properties": {
                                    "version": {"type": "string", "const": HSDS_VERSION},
                                    "profile": {"type": "string", "format": "uri"},
                                    "openapi_url": {"type": "string", "format": "uri"},
                                },
                            }
                        ),
                    }
                },
            }
        },
        "/profile": {
            "get": {
                "operationId": "getProfile",
                "summary": "Our profile of HSDS 3.0 in brief (docs/hsds-profile.md).",
                "responses": {
                    "200": {
                        "description": "The profile.",
                        "content": _json_content(
                            {
                                "type": "object",
                                "required": ["name", "hsds_version", "languages"],
                            }
                        ),
                    }
                },
            }
        },
        "/services": _operation(
            "getPaginatedListOfServices",
            "A page of services.",
            [*listing, *service_filters, "full"],
            _page_of(_ref("service")),
            path_id=False,
        ),
        "/services/{id}": _operation(
            "getFullyNestedServiceById",
            "One service, fully nested.",
            ["lang"],
            _ref("service"),
            path_id=True,
        ),
        "/organizations": _operation(
            "getPaginatedListOfOrganizations",
            "A page of organizations.",
            [*listing, "search"],
            _page_of(_ref("organization")),
            path_id=False,
        ),
        "/organizations/{id}": _operation(
            "getOrganizationById",
            "One organization with its services.",
            ["lang", "full_service"],
            organization_full,
            path_id=True,
        ),
        "/taxonomies": _operation(
            "getPaginatedListOfTaxonomies",
            "A page of taxonomies.",
            [*listing, "search"],
            _page_of(_ref("taxonomy")),
            path_id=False,
        ),
        "/taxonomies/{id}": _operation(
            "getTaxonomyById",
            "One taxonomy.",
            ["lang"],
            _ref("taxonomy"),
            path_id=True,
        ),
        "/taxonomy_terms": _operation(
            "getPaginatedListOfTaxonomyTerms",
            "A page of taxonomy terms.",
            [*listing, "search", "taxonomy_id", "parent_id", "top_only"],
            _page_of(_ref("taxonomy_term")),
            path_id=False,
        ),
        "/taxonomy_terms/{id}": _operation(
            "getTaxonomyTermById",
            "One taxonomy term.",
            ["lang"],
            _ref("taxonomy_term"),
            path_id=True,
        ),
        "/service_at_locations": _operation(
            "getPaginatedListOfServiceAtLocations",
            "A page of services at locations.",
            [*listing, *service_filters, "full", "lat", "lon", "radius"],
            _page_of(at_location),
            path_id=False,
        ),
        "/service_at_locations/{id}": _operation(
            "getServiceAtLocationById",
            "One service at a location.",
            ["lang"],
            at_location,
            path_id=True,
        ),
    }
    schemas["Page"] = {
        "type": "object",
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
        ],
        "properties": {
            **{
                name: {"type": "integer", "minimum": 0}
                for name in ("total_items", "total_pages", "page_number", "size")
            },
            **{name: {"type": "boolean"} for name in ("first_page", "last_page", "empty")},
        },
    }
    schemas["Error"] = {
        "type": "object",
        "required": ["error", "detail"],
        "properties": {"error": {"type": "string"}, "detail": {}},
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Kopā tālāk HSDS API",
            "version": HSDS_VERSION,
            "summary": "The support circle's directory as HSDS 3.0, read-only, in five languages.",
            "description": "Human Services Data Specification: an Open Referral resource "
            "(https://openreferral.org/). The object schemas are HSDS 3.0's; the profile's "
            "extra fields (x_…) are described in docs/hsds-profile.md.",
            "license": {
                "name": "CC BY-SA 4.0",
                "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            },
        },
        "externalDocs": {"description": "HSDS 3.0 API specification", "url": OPENAPI_URL},
        "servers": [{"url": "/api/hsds"}],
        "paths": paths,
        "components": {"schemas": schemas, "parameters": _PARAMETERS},
    }


@hsds_view()
def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    return error_response(404, "not_found", f"no such endpoint: /api/hsds/{rest}")
