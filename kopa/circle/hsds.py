"""The HSDS 3.0 shape of the directory: which model field is which HSDS field, both ways.

`SPECS` names, for each HSDS object, its model, the fields people read (TranslatedFields) and the
plain fields with how to read them from JSON. The importer (`kopa.circle.services`) reads
records through it, the API and the exporter (`serialize_*`) write them through it, so the two
directions cannot drift apart.

Our profile of HSDS (docs/hsds-profile.md) adds, to every object that has text:

- `x_original_language`: the language the record was written in (importers: stating it skips
  language detection);
- `x_translations`: `{field: {language: text}}`, every language the platform has for each text.

Plain text fields carry one language: the one the API client asked for, falling back like the
site does (the record's own language, then English, then any); exports carry the original.
Schedules also carry `x_timezone`, the IANA zone their wall-clock times are in.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models

from kopa.circle.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kopa.core.i18n import TranslatedText, raw_translations

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SERVICE_SCHEMA = SCHEMA_DIR / "service_with_definitions.json"

# ISO 639-2/3 codes that HSDS data may use for the platform's languages.
THREE_LETTER = {"lav": "lv", "est": "et", "eng": "en", "ukr": "uk", "rus": "ru"}


# --- reading and writing values ---------------------------------------------------------------


def read_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def read_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise ValueError(f"not a UUID: {_short(value)}") from error


def read_date(value: Any) -> dt.date:
    text = read_str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as error:
        raise ValueError(f"not a date (YYYY-MM-DD): {_short(value)}") from error


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def read_time(value: Any) -> dt.time:
    """ "09:00", "9:00", "09:00:00", "09:00:00Z": the wall-clock time (an offset is dropped)."""
    match = _TIME.match(read_str(value).strip())
    if not match:
        raise ValueError(f"not a time (HH:MM): {_short(value)}")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours == 24 and minutes == 0 and seconds == 0:
        return dt.time(23, 59)  # the end of the day, as HSDS data writes it
    try:
        return dt.time(hours, minutes, seconds)
    except ValueError as error:
        raise ValueError(f"not a time (HH:MM): {_short(value)}") from error


def read_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    raise ValueError(f"must be a whole number, not {_short(value)}")


def read_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, not {_short(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def read_decimal(value: Any) -> Decimal:
    number = read_float(value)
    try:
        return Decimal(str(number)).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {_short(value)}") from error


def write_value(value: Any) -> Any:
    """A model value as HSDS JSON; None for "leave the field out"."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    if isinstance(value, Decimal | float):
        return int(value) if value == int(value) else float(value)
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def normalise_language(code: Any) -> str | None:
    """'lv', 'LV', 'lv-LV', 'lav' → 'lv'; None for codes that are not the platform's."""
    from kopa.core.i18n import language_codes

    if not isinstance(code, str):
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    base = THREE_LETTER.get(base, base)
    return base if base in language_codes() else None


# --- which field is which ---------------------------------------------------------------------


@dataclass(frozen=True)
class Plain:
    """A plain HSDS field: its model field and how to read it from JSON."""

    model_field: str
    read: Callable[[Any], Any]


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    texts: tuple[str, ...] = ()
    plain: dict[str, Plain] = field(default_factory=dict)

    def defaults(self) -> dict[str, Any]:
        """The value of each plain field that a record leaves out."""
        values = {}
        for plain in self.plain.values():
            model_field = self.model._meta.get_field(plain.model_field)
            values[plain.model_field] = None if model_field.null else model_field.get_default()
        return values


def _plain(*names: str, read: Callable[[Any], Any] = read_str) -> dict[str, Plain]:
    return {name: Plain(name, read) for name in names}


SCHEDULE_PLAIN = {
    **_plain("valid_from", "valid_to", "dtstart", "until", read=read_date),
    **_plain("count", "interval", read=read_int),
    **_plain("wkst", "freq", "byday", "byweekno", "bymonthday", "byyearday", "schedule_link"),
    **_plain("opens_at", "closes_at", read=read_time),
}

SPECS: dict[str, Spec] = {
    "organization": Spec(
        Organization,
        texts=("name", "alternate_name", "description"),
        plain={
            **_plain("email", "website", "logo", "uri", "legal_status"),
            **_plain("year_incorporated", read=read_int),
        },
    ),
    "service": Spec(
        Service,
        texts=(
            "name",
            "alternate_name",
            "description",
            "interpretation_services",
            "application_process",
            "fees_description",
            "eligibility_description",
            "alert",
        ),
        plain={
            **_plain("url", "email", "status", "assurer_email"),
            **_plain("minimum_age", "maximum_age", read=read_float),
            "assured_date": Plain("last_verified", read_date),
        },
    ),
    "location": Spec(
        Location,
        texts=("name", "alternate_name", "description", "transportation"),
        plain={
            **_plain("location_type", "url", "external_identifier", "external_identifier_type"),
            **_plain("latitude", "longitude", read=read_float),
        },
    ),
    "service_at_location": Spec(ServiceAtLocation, texts=("description",)),
    "address": Spec(
        Address,
        plain=_plain(
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    ),
    "contact": Spec(Contact, texts=("title", "department"), plain=_plain("name", "email")),
    "phone": Spec(
        Phone,
        texts=("description",),
        plain={**_plain("number", "type"), **_plain("extension", read=read_int)},
    ),
    "schedule": Spec(
        Schedule, texts=("description", "attending_type", "notes"), plain=SCHEDULE_PLAIN
    ),
    "language": Spec(Language, texts=("name", "note"), plain=_plain("code")),
    "cost_option": Spec(
        CostOption,
        texts=("option", "amount_description"),
        plain={
            **_plain("valid_from", "valid_to", read=read_date),
            **_plain("currency"),
            **_plain("amount", read=read_decimal),
        },
    ),
    "required_document": Spec(RequiredDocument, texts=("document",), plain=_plain("uri")),
    "taxonomy": Spec(Taxonomy, texts=("name", "description"), plain=_plain("uri", "version")),
    "taxonomy_term": Spec(
        TaxonomyTerm, texts=("name", "description"), plain=_plain("code", "term_uri")
    ),
    "attribute": Spec(Attribute, plain=_plain("link_type", "value")),
}


# --- writing records as HSDS JSON --------------------------------------------------------------


class Writer:
    """Writes records as HSDS objects, with texts in `language` (None: each record's own)."""

    def __init__(self, language: str | None = None) -> None:
        self.language = language

    def fields(self, kind: str, record: models.Model) -> dict[str, Any]:
        spec = SPECS[kind]
        data: dict[str, Any] = {"id": str(record.pk)}
        translations: dict[str, dict[str, str]] = {}
        original = getattr(record, "original_language", None)
        for name in spec.texts:
            stored = raw_translations(record.__dict__.get(name)) or {}
            if not stored:
                continue
            text = TranslatedText(stored, original, self.language or original)
            data[name] = text.text
            translations[name] = dict(sorted(stored.items()))
        for name, plain in spec.plain.items():
            value = write_value(getattr(record, plain.model_field))
            if value is not None:
                data[name] = value
        if spec.texts:
            data["x_original_language"] = original
            data["x_translations"] = translations
        return data

    # Objects nested in a service -------------------------------------------------------------

    def phone(self, phone: Phone) -> dict[str, Any]:
        data = self.fields("phone", phone)
        data["languages"] = [self.language_of(item) for item in phone.languages.all()]
        return data

    def language_of(self, language: Language) -> dict[str, Any]:
        return self.fields("language", language)

    def schedule(self, schedule: Schedule) -> dict[str, Any]:
        data = self.fields("schedule", schedule)
        data["x_timezone"] = schedule.time_zone
        return data

    def contact(self, contact: Contact) -> dict[str, Any]:
        data = self.fields("contact", contact)
        data["phones"] = [self.phone(phone) for phone in contact.phones.all()]
        return data

    def taxonomy(self, taxonomy: Taxonomy) -> dict[str, Any]:
        data = self.fields("taxonomy", taxonomy)
        data.setdefault("description", "")  # HSDS requires it
        return data

    def taxonomy_term(self, term: TaxonomyTerm) -> dict[str, Any]:
        data = self.fields("taxonomy_term", term)
        data.setdefault("description", "")  # HSDS requires it
        if term.parent_id:
            data["parent_id"] = str(term.parent_id)
        if term.taxonomy_id:
            data["taxonomy_id"] = str(term.taxonomy_id)
            data["taxonomy_detail"] = self.taxonomy(term.taxonomy)
            data["taxonomy"] = TranslatedText(
                raw_translations(term.taxonomy.__dict__.get("name")),
                term.taxonomy.original_language,
                self.language or term.taxonomy.original_language,
            ).text
        elif term.taxonomy_label:
            data["taxonomy"] = term.taxonomy_label
        if "name" in data:
            data["language"] = TranslatedText(
                raw_translations(term.__dict__.get("name")),
                term.original_language,
                self.language or term.original_language,
            ).lang
        return data

    def attribute(self, attribute: Attribute) -> dict[str, Any]:
        data = self.fields("attribute", attribute)
        data.update(
            link_entity=attribute.link_entity,
            link_id=str(attribute.link_id),
            taxonomy_term_id=str(attribute.taxonomy_term_id),
            taxonomy_term=self.taxonomy_term(attribute.taxonomy_term),
        )
        return data

    def organization(self, organization: Organization) -> dict[str, Any]:
        data = self.fields("organization", organization)
        data.setdefault("description", "")  # HSDS requires it
        if organization.parent_organization_id:
            data["parent_organization_id"] = str(organization.parent_organization_id)
        return data

    def address(self, address: Address) -> dict[str, Any]:
        data = self.fields("address", address)
        for name in ("address_1", "city", "state_province", "postal_code", "country"):
            data.setdefault(name, "")  # HSDS requires them, even when we do not know them
        return data

    def location(self, location: Location, *, full: bool = True) -> dict[str, Any]:
        data = self.fields("location", location)
        if location.organization_id:
            data["organization_id"] = str(location.organization_id)
        if full:
            data["addresses"] = [self.address(a) for a in location.addresses.all()]
            data["phones"] = [self.phone(phone) for phone in location.phones.all()]
            data["schedules"] = [self.schedule(s) for s in location.schedules.all()]
            data["languages"] = [self.language_of(item) for item in location.languages.all()]
            data["contacts"] = [self.contact(contact) for contact in location.contacts.all()]
        return data

    def service_at_location(
        self, item: ServiceAtLocation, *, full: bool = True, service: bool = False
    ) -> dict[str, Any]:
        data = self.fields("service_at_location", item)
        data["service_id"] = str(item.service_id)
        data["location_id"] = str(item.location_id)
        data["location"] = self.location(item.location, full=full)
        if full:
            data["phones"] = [self.phone(phone) for phone in item.phones.all()]
            data["schedules"] = [self.schedule(s) for s in item.schedules.all()]
            data["contacts"] = [self.contact(contact) for contact in item.contacts.all()]
        if service:
            data["service"] = self.service(item.service, full=False)
        return data

    def service(
        self,
        service: Service,
        *,
        full: bool = True,
        attributes: Iterable[Attribute] = (),
    ) -> dict[str, Any]:
        data = self.fields("service", service)
        data["last_modified"] = write_value(service.last_modified)
        if service.organization_id:
            data["organization_id"] = str(service.organization_id)
            data["organization"] = self.organization(service.organization)
        if not full:
            return data
        data["phones"] = [self.phone(phone) for phone in service.phones.all()]
        data["schedules"] = [self.schedule(s) for s in service.schedules.all()]
        data["service_at_locations"] = [
            self.service_at_location(item) for item in service.service_at_locations.all()
        ]
        data["languages"] = [self.language_of(item) for item in service.languages.all()]
        data["cost_options"] = [self.fields("cost_option", c) for c in service.cost_options.all()]
        data["required_documents"] = [
            self.fields("required_document", d) for d in service.required_documents.all()
        ]
        data["contacts"] = [self.contact(contact) for contact in service.contacts.all()]
        data["attributes"] = [self.attribute(attribute) for attribute in attributes]
        return data


# --- validating records against the HSDS schema -------------------------------------------------


@dataclass(frozen=True)
class SchemaProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@cache
def _service_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(SERVICE_SCHEMA.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_problems(record: Any, *, limit: int = 5) -> list[SchemaProblem]:
    """Where a nested service record breaks the HSDS 3.0 schema (shipped in schema/)."""
    errors = sorted(_service_validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    return [SchemaProblem(json_path(error.absolute_path), _message(error)) for error in errors][
        :limit
    ]


def _message(error: Any) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "type":
        return f"{_short(error.instance)} is not of type {error.validator_value!r}"
    if error.validator == "enum":
        return f"{_short(error.instance)} is not one of {error.validator_value}"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


def json_path(parts: Iterable[Any]) -> str:
    """['phones', 0, 'number'] → 'phones[0].number'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
