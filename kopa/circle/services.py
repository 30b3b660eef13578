"""Writes to the directory: importing HSDS service records, loading the platform's taxonomy.

`service_import()` takes one nested HSDS 3.0 service (a dict, as in a JSON feed) and creates or
updates it and everything nested in it, in one transaction: a record either lands whole or not
at all, and a second import of the same record changes nothing. The rules, in short (the full
list is in docs/circle.md):

- Records are matched by their HSDS ids. What a service record nests and owns (phones,
  schedules, languages, cost options, required documents, contacts, category links, its
  services-at-locations) is replaced by what the record says: a phone the record no longer lists
  is removed. Organisations, locations and taxonomy terms are shared by many services, so a
  record only changes the fields it states and never removes them.
- The language of each text is the one the record states (`x_original_language`, or `language`
  on a taxonomy term), else the one the importer was told, else the one `detect_language()`
  finds, else the language of the record it is nested in. A translation the platform holds is
  kept while the original text stays the same, and dropped when the original changes.
- Schedules take the IANA zone of their location's country (`x_timezone` when stated).
- The platform's own taxonomy terms are never changed by an import; an unknown term id fails the
  record unless the record nests the term itself.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import is_circle_member, is_project_admin, require
from kopa.circle.hsds import (
    SPECS,
    json_path,
    normalise_language,
    read_uuid,
    schema_problems,
)
from kopa.circle.language import detect_language
from kopa.circle.models import (
    Address,
    Attribute,
    CircleMessage,
    Contact,
    CostOption,
    Language,
    Location,
    MemberProfile,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceAtLocation,
    Suggestion,
    Taxonomy,
    TaxonomyTerm,
)
from kopa.circle.opening import zone_for_country
from kopa.circle.search import service_index, service_unindex, taxonomy_index
from kopa.core.audit import audit_log
from kopa.core.i18n import language_codes, raw_translations
from kopa.core.timezones import is_time_zone

TAXONOMY_FILE = Path(__file__).resolve().parent / "seed" / "taxonomy.json"

# The records that may hang off each kind of nested object, by foreign key.
PARENTS: dict[type[models.Model], tuple[str, ...]] = {
    Phone: ("organization", "service", "service_at_location", "location", "contact"),
    Schedule: ("service", "location", "service_at_location"),
    Contact: ("organization", "service", "service_at_location", "location"),
    Language: ("service", "location", "phone"),
    Address: ("location",),
    CostOption: ("service",),
    RequiredDocument: ("service",),
    ServiceAtLocation: ("service",),
}
# Shared records a service record may describe; each change to one is audited on its own.
SHARED = {"organization", "location", "taxonomy", "taxonomy_term"}


class RecordError(Exception):
    """An import record that cannot be stored; `path` says where in the record (JSON path)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class EditConflict(Exception):
    """Someone else saved the service after this editor opened it."""


@dataclass
class ImportOutcome:
    status: str  # "created", "updated" or "unchanged"
    service_id: uuid.UUID
    changed: list[str] = field(default_factory=list)


def service_import(
    *,
    record: Any,
    language: str | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
    lemmatize: bool | None = None,
) -> ImportOutcome:
    """Create or update one nested HSDS service; raises RecordError (nothing is written then).

    After commit the service is (re-)indexed for search, with the services whose organisation
    or location the record changed; `lemmatize` is passed to the search (docs/search.md). A
    failure to index is logged, not raised: the record is stored, and the next import or
    `services_index_all()` indexes it.
    """
    if actor is not None:
        require(is_project_admin(actor))
    if not isinstance(record, Mapping):
        raise RecordError("", "a service must be a JSON object")
    problems = schema_problems(record)
    if problems:
        raise RecordError(problems[0].path, problems[0].message)
    if language is not None and normalise_language(language) is None:
        raise ValueError(f"not a language of the platform: {language!r}")
    with transaction.atomic():
        importer = _Import(language=normalise_language(language), actor=actor, now=now)
        outcome = importer.service(record)
        affected = {outcome.service_id}
        if importer.shared_changed["organization"] or importer.shared_changed["location"]:
            affected |= set(
                Service.objects.filter(
                    models.Q(organization_id__in=importer.shared_changed["organization"])
                    | models.Q(
                        service_at_locations__location_id__in=importer.shared_changed["location"]
                    )
                ).values_list("pk", flat=True)
            )
        transaction.on_commit(lambda: _index_services(affected, lemmatize=lemmatize), robust=True)
        return outcome


def _index_services(service_ids: set[uuid.UUID], *, lemmatize: bool | None = None) -> None:
    for service in Service.objects.filter(pk__in=service_ids).order_by("id"):
        service_index(service=service, lemmatize=lemmatize)


def service_update(
    *, actor: Any, service: Service, expected_version: int, **fields: Any
) -> Service:
    """Save an editor's changes unless someone saved a newer version meanwhile (EditConflict)."""
    require(can_edit_directory(actor))
    editable = {f.name for f in Service._meta.get_fields() if getattr(f, "editable", False)}
    unknown = set(fields) - editable - {"organization"}
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(service, name, value)
    service.full_clean(exclude=["organization"])
    now = timezone.now()
    with transaction.atomic():
        updated = Service.objects.filter(pk=service.pk, version=expected_version).update(
            version=F("version") + 1, last_modified=now
        )
        if not updated:
            raise EditConflict
        service.version = expected_version + 1
        service.last_modified = now
        service.save()
        audit_log(
            action="circle.service.updated",
            actor=actor,
            target=service,
            data={"fields": sorted(fields), "version": service.version},
        )
        transaction.on_commit(lambda: service_index(service=service), robust=True)
    return service


def service_delete(*, actor: Any, service: Service) -> None:
    """Delete a service with everything it owns (audited); it leaves the search after commit."""
    require(is_project_admin(actor))
    service_id = service.pk
    with transaction.atomic():
        Attribute.objects.filter(link_entity="service", link_id=service_id).delete()
        audit_log(
            action="circle.service.deleted",
            actor=actor,
            target=service,
            data={"name": str(service.name)},
        )
        service.delete()
        transaction.on_commit(lambda: service_unindex(service_id=service_id), robust=True)


def _raw(record: models.Model, name: str) -> dict[str, str]:
    return dict(raw_translations(record.__dict__.get(name)) or {})


class _Import:
    """One service record being written; collects what changed for the audit record."""

    def __init__(self, *, language: str | None, actor: Any, now: dt.datetime | None) -> None:
        self.language = language
        self.actor = actor
        self.now = now or timezone.now()
        self.changed: set[str] = set()
        # (model, id) → (path, content) of each object met, to catch one id used twice.
        self.seen: dict[tuple[type[models.Model], uuid.UUID], tuple[str, Any]] = {}
        # (model, parent field, parent id) → ids the record lists under that parent.
        self.listed: dict[tuple[type[models.Model], str, Any], set[uuid.UUID]] = {}
        self.terms: dict[uuid.UUID, TaxonomyTerm] = {}
        # Shared records whose texts changed: their other services need indexing again.
        self.shared_changed: dict[str, set[Any]] = {"organization": set(), "location": set()}

    # The service and what it owns ---------------------------------------------------------

    def service(self, data: Mapping[str, Any]) -> ImportOutcome:
        pk, values, texts, lang = self.read("service", data, "", inherited=None)
        values["organization"] = self.service_organization(data, lang)
        service, state = self.save("service", "", pk, values, texts, lang)
        owner = {"service": service}

        zones = []
        sals = self.items(data, "service_at_locations", owner, ServiceAtLocation)
        for index, item in enumerate(sals):
            at_location = self.service_at_location(
                item, f"service_at_locations[{index}]", service, lang
            )
            zones.append(self.zone_of(at_location.location))
        zone = zones[0] if zones else settings.TIME_ZONE

        for index, item in enumerate(self.items(data, "phones", owner, Phone)):
            self.phone(item, f"phones[{index}]", owner, lang)
        for index, item in enumerate(self.items(data, "schedules", owner, Schedule)):
            self.schedule(item, f"schedules[{index}]", owner, lang, zone)
        for index, item in enumerate(self.items(data, "languages", owner, Language)):
            self.language_of(item, f"languages[{index}]", owner, lang)
        for index, item in enumerate(self.items(data, "cost_options", owner, CostOption)):
            self.simple("cost_option", item, f"cost_options[{index}]", owner, lang)
        for index, item in enumerate(
            self.items(data, "required_documents", owner, RequiredDocument)
        ):
            self.simple("required_document", item, f"required_documents[{index}]", owner, lang)
        for index, item in enumerate(self.items(data, "contacts", owner, Contact)):
            self.contact(item, f"contacts[{index}]", owner, lang)
        self.attributes(data.get("attributes") or [], service)
        self.prune()

        if state == "created":
            audit_log(
                action="circle.service.created",
                actor=self.actor,
                target=service,
                data={"source": "hsds_import"},
            )
        elif self.changed:
            state = "updated"
            service.version += 1
            service.last_modified = self.now
            service.save(update_fields=["version", "last_modified"])
            audit_log(
                action="circle.service.updated",
                actor=self.actor,
                target=service,
                data={
                    "source": "hsds_import",
                    "changed": sorted(self.changed),
                    "version": service.version,
                },
            )
        return ImportOutcome(status=state, service_id=service.pk, changed=sorted(self.changed))

    def service_organization(self, data: Mapping[str, Any], lang: str) -> Organization | None:
        stated_id = read_uuid(data["organization_id"]) if "organization_id" in data else None
        if "organization" in data:
            organization = self.organization(data["organization"], "organization", lang)
            if stated_id and stated_id != organization.pk:
                raise RecordError("organization_id", "differs from organization.id")
            return organization
        if stated_id is None:
            return None
        found = Organization.objects.filter(pk=stated_id).first()
        if found is None:
            raise RecordError(
                "organization_id", f"no organisation {stated_id}; nest the organization object"
            )
        return found

    def service_at_location(
        self, data: Mapping[str, Any], path: str, service: Service, inherited: str
    ) -> ServiceAtLocation:
        pk, values, texts, lang = self.read("service_at_location", data, path, inherited)
        self.check_link(data, "service_id", service.pk, path)
        if "location" in data:
            location = self.location(data["location"], f"{path}.location", lang)
            self.check_link(data, "location_id", location.pk, path)
        elif "location_id" in data:
            location_id = read_uuid(data["location_id"])
            location = Location.objects.filter(pk=location_id).first()
            if location is None:
                raise RecordError(
                    f"{path}.location_id", f"no location {location_id}; nest the location object"
                )
        else:
            raise RecordError(path, "needs a location (or the location_id of a known one)")
        values["location"] = location
        at_location, _state = self.save(
            "service_at_location", path, pk, values, texts, lang, parents={"service": service}
        )
        owner = {"service_at_location": at_location}
        for index, item in enumerate(self.items(data, "phones", owner, Phone)):
            self.phone(item, f"{path}.phones[{index}]", owner, lang)
        zone = self.zone_of(location)
        for index, item in enumerate(self.items(data, "schedules", owner, Schedule)):
            self.schedule(item, f"{path}.schedules[{index}]", owner, lang, zone)
        for index, item in enumerate(self.items(data, "contacts", owner, Contact)):
            self.contact(item, f"{path}.contacts[{index}]", owner, lang)
        return at_location

    def phone(
        self, data: Mapping[str, Any], path: str, parents: dict[str, Any], inherited: str
    ) -> Phone:
        pk, values, texts, lang = self.read("phone", data, path, inherited)
        phone, _state = self.save("phone", path, pk, values, texts, lang, parents=parents)
        owner = {"phone": phone}
        for index, item in enumerate(self.items(data, "languages", owner, Language)):
            self.language_of(item, f"{path}.languages[{index}]", owner, lang)
        return phone

    def schedule(
        self,
        data: Mapping[str, Any],
        path: str,
        parents: dict[str, Any],
        inherited: str,
        zone: str,
    ) -> Schedule:
        pk, values, texts, lang = self.read("schedule", data, path, inherited)
        stated = data.get("x_timezone")
        if stated is not None and not is_time_zone(stated):
            raise RecordError(f"{path}.x_timezone", "not an IANA time zone such as Europe/Riga")
        values["time_zone"] = stated or zone
        return self.save("schedule", path, pk, values, texts, lang, parents=parents)[0]

    def language_of(
        self, data: Mapping[str, Any], path: str, parents: dict[str, Any], inherited: str
    ) -> Language:
        pk, values, texts, lang = self.read("language", data, path, inherited)
        return self.save("language", path, pk, values, texts, lang, parents=parents)[0]

    def contact(
        self, data: Mapping[str, Any], path: str, parents: dict[str, Any], inherited: str
    ) -> Contact:
        pk, values, texts, lang = self.read("contact", data, path, inherited)
        contact, _state = self.save("contact", path, pk, values, texts, lang, parents=parents)
        owner = {"contact": contact}
        for index, item in enumerate(self.items(data, "phones", owner, Phone)):
            self.phone(item, f"{path}.phones[{index}]", owner, lang)
        return contact

    def simple(
        self,
        kind: str,
        data: Mapping[str, Any],
        path: str,
        parents: dict[str, Any],
        inherited: str,
    ) -> models.Model:
        pk, values, texts, lang = self.read(kind, data, path, inherited)
        return self.save(kind, path, pk, values, texts, lang, parents=parents)[0]

    def attributes(self, items: list[Any], service: Service) -> None:
        listed: set[uuid.UUID] = set()
        for index, data in enumerate(items):
            path = f"attributes[{index}]"
            if not isinstance(data, Mapping):
                raise RecordError(path, "must be an object")
            pk, values, _texts, _lang = self.read("attribute", data, path, None)
            self.check_link(data, "link_id", service.pk, path)
            # Nested in a service, it is the service's, whatever `link_entity` says (HSDS leaves
            # the values open; the specification's own example has a placeholder there).
            values.update(
                link_entity="service",
                link_id=service.pk,
                taxonomy_term=self.attribute_term(data, path),
            )
            self.save("attribute", path, pk, values, {}, None)
            listed.add(pk)
        stale = Attribute.objects.filter(link_entity="service", link_id=service.pk).exclude(
            pk__in=listed
        )
        if stale.exists():
            stale.delete()
            self.changed.add("attribute")

    def attribute_term(self, data: Mapping[str, Any], path: str) -> TaxonomyTerm:
        nested = data.get("taxonomy_term")
        if "taxonomy_term_id" in data:
            term_id = read_uuid(data["taxonomy_term_id"])
        elif isinstance(nested, Mapping) and "id" in nested:
            term_id = read_uuid(nested["id"])
        else:
            raise RecordError(path, "needs a taxonomy_term_id")
        if isinstance(nested, Mapping):
            if read_uuid(nested.get("id")) != term_id:
                raise RecordError(f"{path}.taxonomy_term.id", "differs from taxonomy_term_id")
            return self.taxonomy_term(nested, f"{path}.taxonomy_term")
        term = self.terms.get(term_id) or TaxonomyTerm.objects.filter(pk=term_id).first()
        if term is None:
            raise RecordError(
                f"{path}.taxonomy_term_id",
                f"unknown taxonomy term {term_id}; nest the taxonomy_term or load its taxonomy",
            )
        self.terms[term_id] = term
        return term

    # Shared records ---------------------------------------------------------------------------

    def organization(self, data: Any, path: str, inherited: str) -> Organization:
        pk, values, texts, lang = self.read("organization", data, path, inherited, partial=True)
        if "parent_organization_id" in data:
            parent_id = read_uuid(data["parent_organization_id"])
            values["parent_organization"] = Organization.objects.filter(pk=parent_id).first()
        return self.save("organization", path, pk, values, texts, lang, partial=True)[0]

    def location(self, data: Any, path: str, inherited: str) -> Location:
        pk, values, texts, lang = self.read("location", data, path, inherited, partial=True)
        if "organization_id" in data:
            organization_id = read_uuid(data["organization_id"])
            values["organization"] = Organization.objects.filter(pk=organization_id).first()
        location, _state = self.save("location", path, pk, values, texts, lang, partial=True)
        lang = location.original_language
        owner = {"location": location}
        # A location may be nested in many services' records: only what this one lists counts.
        if "addresses" in data:
            for index, item in enumerate(self.items(data, "addresses", owner, Address)):
                self.simple("address", item, f"{path}.addresses[{index}]", owner, lang)
        if "phones" in data:
            for index, item in enumerate(self.items(data, "phones", owner, Phone)):
                self.phone(item, f"{path}.phones[{index}]", owner, lang)
        if "languages" in data:
            for index, item in enumerate(self.items(data, "languages", owner, Language)):
                self.language_of(item, f"{path}.languages[{index}]", owner, lang)
        if "contacts" in data:
            for index, item in enumerate(self.items(data, "contacts", owner, Contact)):
                self.contact(item, f"{path}.contacts[{index}]", owner, lang)
        if "schedules" in data:
            zone = self.zone_of(location)
            for index, item in enumerate(self.items(data, "schedules", owner, Schedule)):
                self.schedule(item, f"{path}.schedules[{index}]", owner, lang, zone)
        return location

    def taxonomy_term(self, data: Mapping[str, Any], path: str) -> TaxonomyTerm:
        term_id = read_uuid(data.get("id"))
        known = self.terms.get(term_id) or TaxonomyTerm.objects.filter(pk=term_id).first()
        if known is not None and known.is_platform:
            self.terms[term_id] = known
            return known
        pk, values, texts, lang = self.read("taxonomy_term", data, path, "en", partial=True)
        taxonomy = None
        if isinstance(data.get("taxonomy_detail"), Mapping):
            taxonomy = self.taxonomy(data["taxonomy_detail"], f"{path}.taxonomy_detail")
            self.check_link(data, "taxonomy_id", taxonomy.pk, path)
        elif "taxonomy_id" in data:
            taxonomy = Taxonomy.objects.filter(pk=read_uuid(data["taxonomy_id"])).first()
        if taxonomy is not None:
            values["taxonomy"] = taxonomy
        elif isinstance(data.get("taxonomy"), str):
            values["taxonomy_label"] = data["taxonomy"][:300]
        if "parent_id" in data:
            # A parent the platform does not know is left out rather than failing the record.
            values["parent"] = TaxonomyTerm.objects.filter(pk=read_uuid(data["parent_id"])).first()
        term = self.save("taxonomy_term", path, pk, values, texts, lang, partial=True)[0]
        self.terms[term_id] = term
        return term

    def taxonomy(self, data: Mapping[str, Any], path: str) -> Taxonomy:
        taxonomy_id = read_uuid(data.get("id"))
        known = Taxonomy.objects.filter(pk=taxonomy_id).first()
        if known is not None and known.is_platform:
            return known
        pk, values, texts, lang = self.read("taxonomy", data, path, "en", partial=True)
        return self.save("taxonomy", path, pk, values, texts, lang, partial=True)[0]

    # Reading, saving and pruning --------------------------------------------------------------

    def items(
        self,
        data: Mapping[str, Any],
        key: str,
        owner: dict[str, models.Model],
        model: type[models.Model] | None = None,
    ) -> list[Any]:
        """The list under `key`; registers `owner` so that children it no longer lists go."""
        ((parent_field, parent),) = owner.items()
        if model is not None:
            self.listed.setdefault((model, parent_field, parent.pk), set())
        value = data.get(key) or []
        if not isinstance(value, list):
            raise RecordError(key, "must be a list")
        return value

    def read(
        self,
        kind: str,
        data: Any,
        path: str,
        inherited: str | None,
        *,
        partial: bool = False,
    ) -> tuple[uuid.UUID, dict[str, Any], dict[str, dict[str, str]], str | None]:
        """The id, plain values, texts by language, and the language of one HSDS object."""
        spec = SPECS[kind]
        if not isinstance(data, Mapping):
            raise RecordError(path, "must be an object")
        try:
            pk = read_uuid(data.get("id"))
        except ValueError as error:
            raise RecordError(json_path([path, "id"]) if path else "id", str(error)) from error
        values: dict[str, Any] = {} if partial else spec.defaults()
        for name, plain in spec.plain.items():
            if name not in data:
                continue
            try:
                values[plain.model_field] = plain.read(data[name])
            except ValueError as error:
                raise RecordError(_join(path, name), str(error)) from error
        texts, lang = self.texts(kind, data, path, inherited, partial=partial)
        return pk, values, texts, lang

    def texts(
        self,
        kind: str,
        data: Mapping[str, Any],
        path: str,
        inherited: str | None,
        *,
        partial: bool,
    ) -> tuple[dict[str, dict[str, str]], str | None]:
        spec = SPECS[kind]
        if not spec.texts:
            return {}, None
        plain = {
            name: data[name]
            for name in spec.texts
            if isinstance(data.get(name), str) and data[name].strip()
        }
        extra = _translations(data.get("x_translations"), _join(path, "x_translations"))
        stated = normalise_language(data.get("x_original_language"))
        if stated is None and kind == "taxonomy_term":
            stated = normalise_language(data.get("language"))
        detected = detect_language("\n".join(plain.values())) if plain else None
        lang = stated or self.language or detected or inherited
        if lang is None and not plain and not extra:
            return {}, None
        lang = lang or settings.LANGUAGE_CODE
        texts: dict[str, dict[str, str]] = {}
        for name in spec.texts:
            if name not in data and name not in extra and partial:
                continue
            value = dict(extra.get(name, {}))
            if name in plain:
                value[lang] = plain[name]
            texts[name] = value
        return texts, lang

    def save(
        self,
        kind: str,
        path: str,
        pk: uuid.UUID,
        values: dict[str, Any],
        texts: dict[str, dict[str, str]],
        lang: str | None,
        *,
        parents: dict[str, models.Model] | None = None,
        partial: bool = False,
    ) -> tuple[Any, str]:
        """Create or update one object; returns it and "created", "updated" or "unchanged"."""
        model = SPECS[kind].model
        parents = parents or {}
        has_text = any(texts.values())
        # The language matters only for an object with text of its own.
        content = (sorted(values.items(), key=str), sorted(texts.items()), has_text and lang)
        first = self.seen.get((model, pk))
        if first is not None and first[1] != content:
            raise RecordError(path, f"id {pk} is used twice, differently (also at {first[0]})")
        self.seen.setdefault((model, pk), (path or "the service", content))
        for name, parent in parents.items():
            self.listed.setdefault((model, name, parent.pk), set()).add(pk)

        record = model._default_manager.filter(pk=pk).first()
        if record is None:
            record = model(pk=pk, **values, **parents)
            for name, value in texts.items():
                setattr(record, name, value)
            if lang and hasattr(record, "original_language"):
                record.original_language = lang
            self.validate(record, path)
            record.save(force_insert=True)
            self.note(kind, record, "created", [])
            return record, "created"

        wanted = {**values, **parents}
        changed = [name for name, value in wanted.items() if not _same(record, name, value)]
        for name in changed:
            setattr(record, name, wanted[name])
        old_lang = getattr(record, "original_language", None)
        for name, new in texts.items():
            old = _raw(record, name)
            merged = _merge(old, new, old_lang=old_lang, new_lang=lang)
            if merged != old:
                setattr(record, name, merged)
                changed.append(name)
        if lang and old_lang is not None and lang != old_lang and has_text:
            record.original_language = lang
            changed.append("original_language")
        if not changed:
            return record, "unchanged"
        if kind in ("organization", "location"):
            record.version += 1
            record.last_modified = self.now
        self.validate(record, path)
        record.save()
        self.note(kind, record, "updated", changed)
        return record, "updated"

    def note(self, kind: str, record: models.Model, state: str, fields: list[str]) -> None:
        self.changed.add(kind)
        if kind in self.shared_changed and state == "updated":
            self.shared_changed[kind].add(record.pk)
        if kind in SHARED:
            data: dict[str, Any] = {"source": "hsds_import"}
            if fields:
                data["fields"] = sorted(fields)
            audit_log(action=f"circle.{kind}.{state}", actor=self.actor, target=record, data=data)

    def validate(self, record: models.Model, path: str) -> None:
        relations = [f.name for f in record._meta.concrete_fields if f.is_relation]
        try:
            record.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                name, messages = next(iter(error.message_dict.items()))
                where = path if name == "__all__" else _join(path, _hsds_name(record, name))
                raise RecordError(where, " ".join(messages)) from error
            raise RecordError(path, " ".join(error.messages)) from error

    def check_link(self, data: Mapping[str, Any], key: str, expected: Any, path: str) -> None:
        """An id the record states for its container must be the container's."""
        if key in data and read_uuid(data[key]) != expected:
            raise RecordError(_join(path, key), "differs from the record it is nested in")

    def zone_of(self, location: Location) -> str:
        return zone_for_country(location.country())

    def prune(self) -> None:
        """Unlink what the record no longer lists; delete what then hangs off nothing."""
        for (model, parent_field, parent_id), ids in self.listed.items():
            stale = model._default_manager.filter(**{parent_field: parent_id}).exclude(pk__in=ids)
            for record in stale:
                others = [
                    name
                    for name in PARENTS[model]
                    if name != parent_field and getattr(record, f"{name}_id") is not None
                ]
                if others:
                    setattr(record, parent_field, None)
                    record.save(update_fields=[parent_field])
                else:
                    record.delete()
                self.changed.add(model._meta.model_name or "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _hsds_name(record: models.Model, model_field: str) -> str:
    for spec in SPECS.values():
        if spec.model is type(record):
            for name, plain in spec.plain.items():
                if plain.model_field == model_field:
                    return name
    return model_field


def _translations(value: Any, path: str) -> dict[str, dict[str, str]]:
    """`x_translations` of our profile: {field: {language: text}}, platform languages only."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordError(path, "must be an object of {field: {language: text}}")
    result: dict[str, dict[str, str]] = {}
    for name, texts in value.items():
        if not isinstance(texts, Mapping) or not all(
            isinstance(text, str) for text in texts.values()
        ):
            raise RecordError(f"{path}.{name}", "must be an object of {language: text}")
        result[name] = {
            code: text for code, text in texts.items() if code in language_codes() and text.strip()
        }
    return result


def _merge(
    old: dict[str, str], new: dict[str, str], *, old_lang: str | None, new_lang: str | None
) -> dict[str, str]:
    """The record's texts, plus the translations we hold while the original is unchanged."""
    original = new_lang or old_lang
    if original == old_lang and old.get(original or "") == new.get(original or ""):
        return {**old, **new}
    return dict(new)


def _same(record: models.Model, name: str, value: Any) -> bool:
    model_field = record._meta.get_field(name)
    if model_field.many_to_one:
        return getattr(record, model_field.attname) == (value.pk if value is not None else None)
    # A translated field reads as the text in the active language: compare the stored dicts.
    return raw_translations(getattr(record, name)) == value


# --- the platform's taxonomy --------------------------------------------------------------------


@dataclass
class TaxonomyReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def taxonomy_load(*, path: Path | None = None) -> TaxonomyReport:
    """Create or update the taxonomy shipped in seed/taxonomy.json; a second load changes nothing.

    Raises TaxonomyFileError (a ValueError) when the file is missing or malformed.
    """
    path = path or TAXONOMY_FILE
    try:
        return _taxonomy_load(path)
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise TaxonomyFileError(f"{path}: {type(error).__name__}: {error}") from error


class TaxonomyFileError(ValueError):
    """The taxonomy file is missing or malformed; the message names the file."""


def _taxonomy_load(path: Path) -> TaxonomyReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    report = TaxonomyReport()
    with transaction.atomic():
        item = data["taxonomy"]
        taxonomy = _sync_platform(
            Taxonomy,
            report,
            pk=uuid.UUID(item["id"]),
            values={
                "name": _texts(item["name"]),
                "description": _texts(item.get("description", {})),
                "version": str(item.get("version", "")),
                "uri": item.get("uri", ""),
                "original_language": item["original_language"],
                "is_platform": True,
            },
        )
        by_code: dict[str, TaxonomyTerm] = {}
        for position, term in enumerate(data["terms"], start=1):
            parent_code = term.get("parent")
            if parent_code and parent_code not in by_code:
                raise ValueError(f"term {term['code']!r}: parent {parent_code!r} must come first")
            by_code[term["code"]] = _sync_platform(
                TaxonomyTerm,
                report,
                pk=uuid.UUID(term["id"]),
                values={
                    "code": term["code"],
                    "name": _texts(term["name"]),
                    "description": _texts(term.get("description", {})),
                    "parent": by_code[parent_code] if parent_code else None,
                    "taxonomy": taxonomy,
                    "original_language": term.get("original_language", "en"),
                    "is_platform": True,
                    "position": position,
                },
            )
        if report.changed:
            audit_log(
                action="circle.taxonomy.loaded",
                target=taxonomy,
                data={"created": report.created, "updated": report.updated},
            )
        transaction.on_commit(taxonomy_index, robust=True)
    return report


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(t, str) for t in value.values()):
        raise TypeError(f"a text must be {{language: text}}: {value!r}")
    unknown = set(value) - set(language_codes())
    if unknown:
        raise ValueError(f"unknown languages {sorted(unknown)} in {value!r}")
    return {code: text.strip() for code, text in value.items() if text.strip()}


def _sync_platform(
    model: type[Any], report: TaxonomyReport, *, pk: uuid.UUID, values: dict[str, Any]
) -> Any:
    record = model.objects.filter(pk=pk).first()
    if record is None:
        record = model(pk=pk, **values)
        record.full_clean(exclude=["parent", "taxonomy"], validate_unique=False)
        record.save(force_insert=True)
        report.created += 1
        return record
    changed = [name for name, value in values.items() if not _same(record, name, value)]
    if not changed:
        report.unchanged += 1
        return record
    for name in changed:
        setattr(record, name, values[name])
    record.full_clean(exclude=["parent", "taxonomy"], validate_unique=False)
    record.save()
    report.updated += 1
    return record


# --- keeping the directory true: editors' forms, verification, suggestions --------------------
#
# Who keeps the directory: project admins, and the editors and coordinators of every member
# organisation. The directory's services belong to many outside organisations (HSDS records),
# not to one member organisation, so there is no per-organisation scope to check; every change
# is audited with its author instead (docs/circle.md, "Keeping it true").

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def can_edit_directory(user: Any) -> bool:
    if is_project_admin(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user, role__in=[Membership.Role.EDITOR, Membership.Role.COORDINATOR]
    ).exists()


@dataclass(frozen=True)
class HoursRow:
    """Open on these weekdays (codes MO…SU) from `opens_at` to `closes_at`, local time."""

    days: tuple[str, ...]
    opens_at: dt.time
    closes_at: dt.time


@dataclass
class ServiceEdit:
    """Everything the editors' form edits, as plain values; also what `service_edit_state()`
    reads from a service, so that comparing the two says which parts changed."""

    name: dict[str, str]
    original_language: str
    description: dict[str, str] = field(default_factory=dict)
    eligibility_description: dict[str, str] = field(default_factory=dict)
    fees_description: dict[str, str] = field(default_factory=dict)
    status: str = Service.Status.ACTIVE
    url: str = ""
    email: str = ""
    organization_id: uuid.UUID | None = None
    terms: list[uuid.UUID] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    free_of_charge: bool = False
    documents: list[str] = field(default_factory=list)
    address_1: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phones: list[str] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)

    def normalised(self) -> ServiceEdit:
        """The same edit with lists in a fixed order, so equal content compares equal."""
        return ServiceEdit(
            **{
                **self.__dict__,
                "terms": sorted(self.terms, key=str),
                "languages": sorted(set(self.languages)),
                "hours": sorted(set(self.hours), key=lambda r: (r.days, r.opens_at, r.closes_at)),
            }
        )


def _compare(before: ServiceEdit, after: ServiceEdit) -> list[str]:
    old, new = before.normalised().__dict__, after.normalised().__dict__
    return sorted(name for name in new if old[name] != new[name])


def service_save(
    *,
    actor: Any,
    edit: ServiceEdit,
    service: Service | None = None,
    expected_version: int | None = None,
    organization_name: str | None = None,
    verified: bool = False,
    source: str = "editor",
) -> Service:
    """Create a service (`service` None) or save an editor's changes to one.

    An edit that started from an older version than the stored one raises EditConflict and
    changes nothing. `organization_name`, when given, decides the organisation instead of
    `edit.organization_id` (see `_organization_named`): the editors' form names it rather than
    listing every organisation of a directory that may hold tens of thousands. Invalid values
    raise ValidationError (nothing is written). The change is audited
    (`circle.service.created` / `.updated` with the parts that changed); the service is indexed
    for search after commit.
    """
    from kopa.circle.selectors import service_edit_state

    require(can_edit_directory(actor))
    _check_edit(edit)
    today = timezone.localdate()
    new_organization_name = ""
    with transaction.atomic():
        if organization_name is not None:
            current = service.organization if service is not None else None
            edit.organization_id, new_organization_name = _organization_named(
                organization_name, current=current
            )
        if service is None:
            service = Service(original_language=edit.original_language)
            changed = ["created"]
        else:
            service = Service.objects.select_for_update().get(pk=service.pk)
            if expected_version is None or service.version != expected_version:
                raise EditConflict
            changed = _compare(service_edit_state(service), edit)
            if new_organization_name:
                changed = sorted({*changed, "organization_id"})
            if not changed and not verified:
                return service
            service.version += 1
        now = timezone.now()
        for name in ("name", "description", "eligibility_description", "fees_description"):
            setattr(service, name, getattr(edit, name))
        service.original_language = edit.original_language
        service.status = edit.status
        service.url = edit.url
        service.email = edit.email
        if new_organization_name:
            organization = Organization(
                name={edit.original_language: new_organization_name},
                original_language=edit.original_language,
            )
            organization.full_clean()
            organization.save(force_insert=True)
            audit_log(
                action="circle.organization.created",
                actor=actor,
                target=organization,
                data={"source": source},
            )
            service.organization = organization
        else:
            service.organization_id = edit.organization_id
        if verified:
            service.last_verified = today
        service.last_modified = now
        service.full_clean(exclude=["organization"])
        service.save()
        _save_location(service, edit)
        _save_phones(service, edit.phones)
        _save_hours(service, edit.hours, zone_for_country(edit.country or None))
        _save_languages(service, edit.languages)
        _save_cost(service, edit.free_of_charge)
        _save_documents(service, edit.documents)
        _save_terms(service, edit.terms)
        created = changed == ["created"]
        data: dict[str, Any] = {"source": source, "version": service.version}
        if not created:
            data["changed"] = changed
        if verified:
            data["verified"] = today.isoformat()
        audit_log(
            action="circle.service.created" if created else "circle.service.updated",
            actor=actor,
            target=service,
            data=data,
        )
        service_id = service.pk
        transaction.on_commit(lambda: _index_services({service_id}), robust=True)
    return service


def _organization_named(name: str, *, current: Organization | None) -> tuple[uuid.UUID | None, str]:
    """(id of the organisation, "") for a name the directory knows — the current one first,
    compared in every language, case and diacritics aside — else (None, name) for a new one."""
    from kopa.circle.models import search_key

    wanted = search_key(" ".join(name.split()))
    if not wanted:
        return None, ""

    def names(organization: Organization) -> set[str]:
        texts = raw_translations(organization.__dict__.get("name")) or {}
        return {search_key(" ".join(text.split())) for text in texts.values()}

    if current is not None and wanted in names(current):
        return current.pk, ""
    candidates = Organization.objects.filter(search_text__contains=wanted).order_by("created", "id")
    for organization in candidates[:50]:
        if wanted in names(organization):
            return organization.pk, ""
    return None, " ".join(name.split())


def _check_edit(edit: ServiceEdit) -> None:
    errors: dict[str, str] = {}
    if edit.original_language not in language_codes():
        errors["original_language"] = "not a language of the platform"
    if (edit.latitude is None) != (edit.longitude is None):
        errors["longitude"] = "give both latitude and longitude, or neither"
    if edit.latitude is not None and not -90 <= edit.latitude <= 90:
        errors["latitude"] = "must be from -90 to 90"
    if edit.longitude is not None and not -180 <= edit.longitude <= 180:
        errors["longitude"] = "must be from -180 to 180"
    has_address = any((edit.address_1, edit.city))
    if has_address and not (edit.address_1 and edit.city and edit.country):
        errors["address_1"] = "give the street, the town and the country"
    for row in edit.hours:
        if not row.days or set(row.days) - set(WEEKDAY_CODES):
            errors["hours"] = "weekdays must be codes MO…SU"
    if errors:
        raise ValidationError(errors)


def _save_location(service: Service, edit: ServiceEdit) -> None:
    """The service's first place: its location's physical address and coordinates.

    A location several services share changes for all of them (it is the same building).
    """
    at_location = (
        service.service_at_locations.select_related("location").order_by("id").first()
        if service.pk
        else None
    )
    if not edit.address_1:
        if at_location is not None:
            at_location.delete()
        return
    if at_location is None:
        location = Location(original_language=edit.original_language)
        location.latitude, location.longitude = edit.latitude, edit.longitude
        location.full_clean(exclude=["organization"])
        location.save(force_insert=True)
        at_location = ServiceAtLocation.objects.create(
            service=service, location=location, original_language=edit.original_language
        )
    location = at_location.location
    if (location.latitude, location.longitude) != (edit.latitude, edit.longitude):
        location.latitude, location.longitude = edit.latitude, edit.longitude
        location.version += 1
        location.last_modified = timezone.now()
        location.full_clean(exclude=["organization"])
        location.save()
    address = location.addresses.order_by(
        models.Case(models.When(address_type="physical", then=0), default=1), "id"
    ).first() or Address(location=location)
    wanted = {
        "address_1": edit.address_1,
        "postal_code": edit.postal_code,
        "city": edit.city,
        "country": edit.country,
    }
    if address.pk is None or any(getattr(address, k) != v for k, v in wanted.items()):
        for name, value in wanted.items():
            setattr(address, name, value)
        address.full_clean(exclude=["location"])
        address.save()


def _save_phones(service: Service, numbers: list[str]) -> None:
    owned = list(service.phones.all()) + list(
        Phone.objects.filter(service_at_location__service=service)
    )
    wanted = [number for number in numbers if number]
    for phone in owned:
        if phone.number in wanted:
            wanted.remove(phone.number)
        else:
            phone.delete()
    for number in wanted:
        Phone.objects.create(service=service, number=number, type="voice", original_language="en")


def _is_simple(schedule: Schedule) -> bool:
    """A plain weekly opening the form can show as a row; others are kept as they are."""
    return bool(
        (schedule.freq or "WEEKLY") == "WEEKLY"
        and schedule.byday
        and all(code in WEEKDAY_CODES for code in schedule.byday.split(","))
        and schedule.opens_at
        and schedule.closes_at
        and (schedule.interval or 1) == 1
        and not (schedule.valid_from or schedule.valid_to or schedule.dtstart or schedule.until)
        and not (raw_translations(schedule.__dict__.get("description")) or {})
        and not (raw_translations(schedule.__dict__.get("notes")) or {})
    )


def _service_schedules(service: Service) -> list[Schedule]:
    return list(
        Schedule.objects.filter(
            models.Q(service=service) | models.Q(service_at_location__service=service)
        ).order_by("id")
    )


def _save_hours(service: Service, rows: list[HoursRow], zone: str) -> None:
    wanted = {(row.days, row.opens_at, row.closes_at) for row in rows}
    for schedule in _service_schedules(service):
        if not _is_simple(schedule):
            continue
        key = (tuple(schedule.byday.split(",")), schedule.opens_at, schedule.closes_at)
        if key in wanted and schedule.time_zone == zone:
            wanted.discard(key)
        else:
            schedule.delete()
    for days, opens_at, closes_at in sorted(wanted):
        schedule = Schedule(
            service=service,
            freq=Schedule.Frequency.WEEKLY,
            byday=",".join(days),
            opens_at=opens_at,
            closes_at=closes_at,
            time_zone=zone,
            original_language=service.original_language,
        )
        schedule.full_clean(exclude=["service", "location", "service_at_location"])
        schedule.save(force_insert=True)


def _save_languages(service: Service, codes: list[str]) -> None:
    from kopa.core.countries import language_name

    wanted = set(codes)
    for item in service.languages.all():
        if not item.code:
            continue
        if item.code in wanted:
            wanted.discard(item.code)
        else:
            item.delete()
    lang = service.original_language
    for code in sorted(wanted):
        Language.objects.create(
            service=service,
            code=code,
            name={lang: language_name(code, lang)},
            original_language=lang,
        )


def _save_cost(service: Service, free: bool) -> None:
    costs = list(service.cost_options.all())
    was_free = bool(costs) and all(c.amount is not None and c.amount == 0 for c in costs)
    if free and not was_free:
        service.cost_options.all().delete()
        CostOption.objects.create(
            service=service, amount=0, currency="EUR", original_language=service.original_language
        )
    elif not free and was_free:
        service.cost_options.all().delete()


def _document_text(document: RequiredDocument, language: str) -> str:
    texts = raw_translations(document.__dict__.get("document")) or {}
    return texts.get(language) or next((t for t in texts.values() if t), "")


def _save_documents(service: Service, lines: list[str]) -> None:
    lang = service.original_language
    wanted = [line for line in lines if line]
    for document in service.required_documents.all():
        text = _document_text(document, lang)
        if text in wanted:
            wanted.remove(text)
        else:
            document.delete()
    for line in wanted:
        document = RequiredDocument(service=service, document={lang: line}, original_language=lang)
        document.full_clean(exclude=["service"])
        document.save(force_insert=True)


def _save_terms(service: Service, term_ids: list[uuid.UUID]) -> None:
    wanted = set(term_ids)
    for link in Attribute.objects.filter(link_entity="service", link_id=service.pk):
        if link.taxonomy_term_id in wanted:
            wanted.discard(link.taxonomy_term_id)
        else:
            link.delete()
    for term in TaxonomyTerm.objects.filter(pk__in=wanted):
        Attribute.objects.create(
            link_entity="service", link_id=service.pk, link_type="category", taxonomy_term=term
        )


def service_verify(*, actor: Any, service: Service) -> Service:
    """ "Still correct": the service's last-verified date becomes today (audited).

    The version stays: an editor who has the form open may still save their changes.
    """
    require(can_edit_directory(actor))
    today = timezone.localdate()
    with transaction.atomic():
        Service.objects.filter(pk=service.pk).update(
            last_verified=today, last_modified=timezone.now()
        )
        service.refresh_from_db()
        audit_log(
            action="circle.service.verified",
            actor=actor,
            target=service,
            data={"verified": today.isoformat()},
        )
    return service


def review_cutoff(*, today: dt.date | None = None, months: int | None = None) -> dt.date:
    """Entries last verified before this date are due for review (KOPA_CIRCLE_REVIEW_MONTHS)."""
    today = today or timezone.localdate()
    months = months if months is not None else review_months()
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, last_day))


def review_months() -> int:
    return int(getattr(settings, "KOPA_CIRCLE_REVIEW_MONTHS", 12))


# --- suggestions from the circle ------------------------------------------------------------------

# What a member may propose, as plain text (an editor turns it into the entry).
SUGGESTION_FIELDS = (
    "name",
    "organization",
    "description",
    "address",
    "city",
    "phone",
    "website",
    "opening_hours",
    "languages",
    "cost",
)
SUGGESTION_FIELD_LENGTH = 2000


class SuggestionClosed(Exception):
    """The suggestion was already accepted or rejected (by someone else, meanwhile)."""


def suggestion_create(
    *,
    actor: Any,
    note: str,
    proposed: Mapping[str, str],
    language: str,
    service: Service | None = None,
) -> Suggestion:
    """A circle member proposes a new service (`service` None) or a correction to one."""
    require(is_circle_member(actor))
    note = note.strip()
    values = {k: str(v).strip() for k, v in proposed.items() if str(v or "").strip()}
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = "say what should change"
    if len(note) > 4000:
        errors["note"] = "at most 4000 characters"
    unknown = set(values) - set(SUGGESTION_FIELDS)
    if unknown:
        errors["proposed"] = f"unknown fields: {sorted(unknown)}"
    if any(len(v) > SUGGESTION_FIELD_LENGTH for v in values.values()):
        errors["proposed"] = f"at most {SUGGESTION_FIELD_LENGTH} characters each"
    if language not in language_codes():
        errors["language"] = "not a language of the platform"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            kind=Suggestion.Kind.NEW if service is None else Suggestion.Kind.CORRECTION,
            service=service,
            suggested_by=actor,
            note=note,
            proposed=values,
            language=language,
        )
        audit_log(
            action="circle.suggestion.created",
            actor=actor,
            target=suggestion,
            data={"kind": suggestion.kind, "fields": sorted(values)},
        )
    return suggestion


def _open_suggestion(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != Suggestion.Status.OPEN:
        raise SuggestionClosed
    return locked


def suggestion_accept(
    *,
    actor: Any,
    suggestion: Suggestion,
    edit: ServiceEdit,
    expected_version: int | None = None,
    organization_name: str | None = None,
    verified: bool = False,
) -> Service:
    """Apply the editor's version of the suggestion through `service_save`, in one transaction;
    the suggester is told by mail after commit."""
    require(can_edit_directory(actor))
    with transaction.atomic():
        locked = _open_suggestion(suggestion)
        service = service_save(
            actor=actor,
            edit=edit,
            service=locked.service,
            expected_version=expected_version,
            organization_name=organization_name,
            verified=verified,
            source="suggestion",
        )
        _decide(locked, actor=actor, status=Suggestion.Status.ACCEPTED, service=service)
    suggestion.refresh_from_db()
    return service


def suggestion_reject(*, actor: Any, suggestion: Suggestion, reason: str) -> Suggestion:
    require(can_edit_directory(actor))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "say why, for the person who suggested it"})
    with transaction.atomic():
        locked = _open_suggestion(suggestion)
        locked.reason = reason[:2000]
        _decide(locked, actor=actor, status=Suggestion.Status.REJECTED, service=locked.service)
    suggestion.refresh_from_db()
    return suggestion


def _decide(suggestion: Suggestion, *, actor: Any, status: str, service: Service | None) -> None:
    suggestion.status = status
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.service = service
    suggestion.save()
    audit_log(
        action=f"circle.suggestion.{status}",
        actor=actor,
        target=suggestion,
        data={"kind": suggestion.kind, "service": str(service.pk) if service else None},
    )
    suggestion_id = suggestion.pk
    transaction.on_commit(lambda: _mail_decision(suggestion_id), robust=True)


def _mail_decision(suggestion_id: uuid.UUID) -> None:
    from django.urls import reverse
    from django.utils.translation import override

    from kopa.core.mail import send_templated_mail

    suggestion = Suggestion.objects.select_related("suggested_by", "service").get(pk=suggestion_id)
    person = suggestion.suggested_by
    if person is None or not person.is_active:
        return
    url = ""
    if suggestion.service is not None and suggestion.status == Suggestion.Status.ACCEPTED:
        with override(person.preferred_language):
            url = settings.KOPA_BASE_URL + reverse(
                "circle:service", kwargs={"service_id": suggestion.service.pk}
            )
    send_templated_mail(
        template="circle/manage/mail_suggestion",
        to=person.email,
        language=person.preferred_language,
        context={"suggestion": suggestion, "person": person, "service_url": url},
    )


# --- people of the circle --------------------------------------------------------------------

MESSAGE_MAX_LENGTH = 4000


class MessageRefused(Exception):
    """The profile cannot receive this message (hidden, blocked, or one's own)."""


def profile_save(
    *,
    actor: Any,
    role: str = "",
    expertise: Mapping[str, str] | None = None,
    original_language: str = "en",
    languages: list[str] | None = None,
    region: str = "",
    organisation: Organisation | None = None,
    offers_peer_support: bool = False,
    visible: bool = True,
    accepts_messages: bool = True,
) -> MemberProfile:
    """Create or update the actor's own profile (audited with the fields that changed)."""
    require(is_circle_member(actor))
    if organisation is not None and not (
        is_project_admin(actor)
        or Membership.objects.filter(user=actor, organisation=organisation).exists()
    ):
        raise ValidationError({"organisation": "choose one of your own organisations"})
    values: dict[str, Any] = {
        "role": role.strip(),
        "expertise": dict(expertise or {}),
        "original_language": original_language,
        "languages": ",".join(sorted(set(languages or []))),
        "region": region.strip(),
        "organisation": organisation,
        "offers_peer_support": offers_peer_support,
        "visible": visible,
        "accepts_messages": accepts_messages,
    }
    with transaction.atomic():
        profile = MemberProfile.objects.select_for_update().filter(user=actor).first()
        created = profile is None
        if profile is None:
            profile = MemberProfile(user=actor)
            changed = sorted(values)
        else:
            changed = sorted(
                name for name, value in values.items() if not _same(profile, name, value)
            )
            if not changed:
                return profile
        for name, value in values.items():
            setattr(profile, name, value)
        profile.full_clean(exclude=["user", "organisation"])
        profile.save()
        audit_log(
            action="circle.profile.created" if created else "circle.profile.updated",
            actor=actor,
            target=profile,
            data={"fields": changed},
        )
    return profile


def profile_delete(*, actor: Any, profile: MemberProfile) -> None:
    require(getattr(actor, "pk", None) == profile.user_id)
    with transaction.atomic():
        audit_log(action="circle.profile.deleted", actor=actor, target=profile)
        profile.delete()


def message_send(
    *, sender: Any, profile: MemberProfile, body: str, share_address: bool
) -> CircleMessage:
    """Relay a message to the profile's owner by mail, after commit, without showing them
    anything of the sender but their name (and their address only when `share_address`).

    Stored: sender, recipient, time, whether the address was shared, and whether the mail went
    out. The text is never stored; it travels from here into the mail.
    """
    require(is_circle_member(sender))
    # The owner may have just closed their profile: decide on what is stored, not on a copy.
    profile = MemberProfile.objects.select_related("user").get(pk=profile.pk)
    recipient = profile.user
    if recipient.pk == sender.pk:
        raise MessageRefused("own")
    if not (profile.visible and profile.accepts_messages and recipient.is_active):
        raise MessageRefused("closed")
    body = body.strip()
    if not body or len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"body": f"write 1 to {MESSAGE_MAX_LENGTH} characters"})
    with transaction.atomic():
        message = CircleMessage.objects.create(
            sender=sender, recipient=recipient, shared_address=share_address
        )
        audit_log(
            action="circle.message.relayed",
            actor=sender,
            target=message,
            data={"recipient": recipient.pk, "shared_address": share_address},
        )
        message_id = message.pk
        transaction.on_commit(lambda: _relay(message_id, body), robust=True)
    return message


def _relay(message_id: int, body: str) -> None:
    import logging

    from django.urls import reverse
    from django.utils.translation import override

    from kopa.core.mail import send_templated_mail

    message = CircleMessage.objects.select_related("sender", "recipient").get(pk=message_id)
    sender, recipient = message.sender, message.recipient
    if sender is None or recipient is None:
        return
    sender_profile = MemberProfile.objects.filter(user=sender, visible=True).first()
    profile_url = ""
    if sender_profile is not None:
        with override(recipient.preferred_language):
            profile_url = settings.KOPA_BASE_URL + reverse(
                "circle:person", kwargs={"profile_id": sender_profile.pk}
            )
    try:
        send_templated_mail(
            template="circle/people/mail_message",
            to=recipient.email,
            language=recipient.preferred_language,
            context={
                "sender_name": sender.full_name or sender.get_short_name(),
                "body": body,
                "shared_address": message.shared_address,
                "sender_email": sender.email if message.shared_address else "",
                "profile_url": profile_url,
            },
            reply_to=[sender.email] if message.shared_address else None,
        )
    except Exception:
        logging.getLogger(__name__).exception("circle message %s was not relayed", message_id)
        CircleMessage.objects.filter(pk=message_id).update(status=CircleMessage.Status.FAILED)
        return
    CircleMessage.objects.filter(pk=message_id).update(status=CircleMessage.Status.RELAYED)
