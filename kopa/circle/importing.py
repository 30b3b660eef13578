"""Reading HSDS files for `kopa import-hsds`: a JSON array of nested services, or a CSV package.

`read_source()` turns a file into records, each with its position for the report ("record 3",
"services.csv line 4"); problems with the file as a whole (too big, not UTF-8, not JSON, no
datapackage.json) raise SourceError with a one-line message. `import_file()` imports the records
one by one (each in its own transaction, see `services.service_import`) and counts the outcome.
"""

from __future__ import annotations

import csv
import io
import json
import math
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from kopa.circle.services import RecordError, service_import

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# A commit per record made the import wait on the disk (an fsync each) more than it worked; a
# crash loses at most one batch, which importing the file again (idempotent by id) redoes.
RECORDS_PER_TRANSACTION = 100
MAX_ZIP_MEMBERS = 1000

# The CSV tables the importer reads, by HSDS 3.0 resource name, and their usual file names.
TABLES = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "service_at_location": "service_at_location",
    "address": "addresses",
    "phone": "phones",
    "schedule": "schedules",
    "language": "languages",
    "cost_option": "cost_options",
    "required_document": "required_documents",
    "contact": "contacts",
    "attribute": "attributes",
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy_terms",
}
NUMBER_COLUMNS = {
    "year_incorporated",
    "minimum_age",
    "maximum_age",
    "latitude",
    "longitude",
    "extension",
    "timezone",
    "count",
    "interval",
    "amount",
}


class SourceError(Exception):
    """The file as a whole cannot be read; the message is one line, fit for the command."""


@dataclass
class SourceRecord:
    position: str
    record: Any


@dataclass
class Problem:
    position: str
    service_id: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.position} (id {self.service_id})" if self.service_id else self.position
        return f"{where}: {self.reason}"


@dataclass
class ImportSummary:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.total} records: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )


def import_file(
    path: Path,
    *,
    language: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    actor: Any = None,
    lemmatize: bool | None = None,
) -> ImportSummary:
    """Import every service in the file; bad records are counted and described, not raised.

    Records are committed RECORDS_PER_TRANSACTION at a time, each in its own savepoint, and
    indexed for search after the commit (`lemmatize`: see docs/search.md)."""
    records = read_source(path, max_bytes=max_bytes)
    summary = ImportSummary(total=len(records))
    first_seen: dict[uuid.UUID, str] = {}
    for start in range(0, len(records), RECORDS_PER_TRANSACTION):
        # Each record is its own savepoint inside the batch: a bad one is rolled back alone.
        with transaction.atomic():
            for number, item in enumerate(
                records[start : start + RECORDS_PER_TRANSACTION], start=start + 1
            ):
                _import_one(item, summary, first_seen, language, actor, lemmatize)
                if progress is not None:
                    progress(number, summary.total)
    return summary


def _import_one(
    item: SourceRecord,
    summary: ImportSummary,
    first_seen: dict[uuid.UUID, str],
    language: str | None,
    actor: Any,
    lemmatize: bool | None,
) -> None:
    service_id = _service_id(item.record)
    try:
        if service_id in first_seen:
            raise RecordError("id", f"the same service is already at {first_seen[service_id]}")
        if service_id is not None:
            first_seen[service_id] = item.position
        outcome = service_import(
            record=item.record, language=language, actor=actor, lemmatize=lemmatize
        )
    except RecordError as error:
        summary.failed += 1
        summary.problems.append(Problem(item.position, _label(service_id), str(error)))
    except ValidationError as error:
        summary.failed += 1
        summary.problems.append(
            Problem(item.position, _label(service_id), "; ".join(error.messages))
        )
    except (ValueError, TypeError, DatabaseError) as error:
        # Values the schema lets through but the database or a parser refuses.
        summary.failed += 1
        summary.problems.append(
            Problem(item.position, _label(service_id), f"{type(error).__name__}: {error}")
        )
    else:
        setattr(summary, outcome.status, getattr(summary, outcome.status) + 1)


def _service_id(record: Any) -> uuid.UUID | None:
    if not isinstance(record, Mapping):
        return None
    try:
        return uuid.UUID(str(record.get("id")))
    except ValueError:
        return None


def _label(service_id: uuid.UUID | None) -> str | None:
    return str(service_id) if service_id else None


# --- reading files -----------------------------------------------------------------------------


def read_source(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[SourceRecord]:
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    if path.is_dir():
        return read_package(_DirectoryFiles(path), max_bytes=max_bytes, label=str(path))
    if zipfile.is_zipfile(path):
        _check_size(path, max_bytes)
        try:
            with zipfile.ZipFile(path) as archive:
                return read_package(_ZipFiles(archive), max_bytes=max_bytes, label=str(path))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as error:
            raise SourceError(f"{path}: cannot read the zip file: {error}") from error
    _check_size(path, max_bytes)
    return read_json(path.read_bytes(), label=str(path))


def _check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceError(
            f"{path} is {_megabytes(size)}, more than the limit of {_megabytes(max_bytes)}; "
            "split it, or raise the limit with --max-size"
        )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large a number")
    return number


def decode(raw: bytes, label: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError(
            f"{label} is not valid UTF-8: byte {raw[error.start]:#04x} at line {line} "
            f"(offset {error.start}); save it as UTF-8"
        ) from error


def read_json(raw: bytes, *, label: str) -> list[SourceRecord]:
    text = decode(raw, label)
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"{label} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    except RecursionError as error:
        raise SourceError(f"{label} is nested too deeply to be HSDS") from error
    except ValueError as error:
        raise SourceError(f"{label}: {error}") from error
    if isinstance(data, Mapping) and isinstance(data.get("contents"), list):
        data = data["contents"]  # a page of an HSDS API's /services
    elif isinstance(data, Mapping) and "id" in data:
        data = [data]
    if not isinstance(data, list):
        raise SourceError(f"{label}: expected a JSON array of HSDS services")
    return [SourceRecord(f"record {number}", item) for number, item in enumerate(data, start=1)]


class _DirectoryFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def find_descriptor(self) -> str | None:
        return "datapackage.json" if (self.root / "datapackage.json").is_file() else None

    def size(self, name: str) -> int:
        return self._path(name).stat().st_size

    def read(self, name: str) -> bytes:
        return self._path(name).read_bytes()

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root):
            raise SourceError(f"{name}: outside the data package")
        return path


class _ZipFiles:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise SourceError(f"the zip file has more than {MAX_ZIP_MEMBERS} files")
        self.members = {info.filename: info for info in members if not info.is_dir()}

    def find_descriptor(self) -> str | None:
        candidates = sorted(
            (name for name in self.members if PurePosixPath(name).name == "datapackage.json"),
            key=lambda name: name.count("/"),
        )
        return candidates[0] if candidates else None

    def size(self, name: str) -> int:
        return self.members[name].file_size

    def read(self, name: str) -> bytes:
        return self.archive.read(self.members[name])

    def exists(self, name: str) -> bool:
        return name in self.members


def read_package(files: Any, *, max_bytes: int, label: str) -> list[SourceRecord]:
    """The services of an HSDS tabular data package (CSV files and datapackage.json), nested."""
    descriptor = files.find_descriptor()
    if descriptor is None:
        raise SourceError(f"{label}: no datapackage.json (an HSDS CSV package needs one)")
    base = PurePosixPath(descriptor).parent
    package = read_json_object(files.read(descriptor), f"{label}/{descriptor}")
    resources = package.get("resources")
    if not isinstance(resources, list):
        raise SourceError(f"{label}/{descriptor}: no list of resources")
    paths: dict[str, str] = {}
    for resource in resources:
        if not isinstance(resource, Mapping) or not isinstance(resource.get("path"), str):
            continue
        table = _table_name(str(resource.get("name", "")), resource["path"])
        if table is None:
            continue
        relative = PurePosixPath(resource["path"])
        if relative.is_absolute() or ".." in relative.parts or "://" in resource["path"]:
            raise SourceError(f"{label}: resource path {resource['path']!r} is not in the package")
        name = str(base / relative) if str(base) != "." else str(relative)
        if files.exists(name):
            paths[table] = name
    if "service" not in paths:
        raise SourceError(f"{label}: the package has no services table (services.csv)")
    total = sum(files.size(name) for name in paths.values())
    if total > max_bytes:
        raise SourceError(
            f"{label}: the tables hold {_megabytes(total)}, more than the limit of "
            f"{_megabytes(max_bytes)}; raise the limit with --max-size"
        )
    tables = {table: _read_csv(files.read(name), name) for table, name in paths.items()}
    return _Nester(tables).services()


def read_json_object(raw: bytes, label: str) -> dict[str, Any]:
    try:
        data = json.loads(decode(raw, label))
    except (json.JSONDecodeError, RecursionError) as error:
        raise SourceError(f"{label} is not valid JSON") from error
    if not isinstance(data, dict):
        raise SourceError(f"{label}: expected a JSON object")
    return data


def _table_name(name: str, path: str) -> str | None:
    for candidate in (name, PurePosixPath(path).stem):
        key = candidate.strip().lower()
        if key in TABLES:
            return key
        for table, plural in TABLES.items():
            if key == plural:
                return table
    return None


Row = tuple[str, dict[str, Any]]


def _read_csv(raw: bytes, name: str) -> list[Row]:
    text = decode(raw, name)
    rows: list[Row] = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        for row in reader:
            values: dict[str, Any] = {}
            for key, value in row.items():
                if key is None or value is None or value == "":
                    continue  # extra cells without a header, missing cells, empty cells
                values[key.strip()] = _cell(key.strip(), value)
            rows.append((f"{name} line {reader.line_num}", values))
    except csv.Error as error:
        raise SourceError(f"{name}: not a readable CSV file: {error}") from error
    return rows


def _cell(column: str, value: str) -> Any:
    """A CSV cell as JSON would have it: numbers for HSDS's number columns."""
    if column in NUMBER_COLUMNS:
        try:
            number = float(value)
        except ValueError:
            return value  # the schema check reports it, with its place
        if math.isfinite(number):
            return int(number) if number.is_integer() else number
    return value


class _Nester:
    """Builds nested service records from HSDS tables, the way the nested JSON has them."""

    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self.tables = tables
        self.by_id = {
            table: {row.get("id"): row for _position, row in tables.get(table, [])}
            for table in ("organization", "location", "taxonomy", "taxonomy_term")
        }
        self.children: dict[tuple[str, str, Any], list[dict[str, Any]]] = defaultdict(list)
        for table in (
            "phone",
            "schedule",
            "contact",
            "language",
            "address",
            "cost_option",
            "required_document",
            "service_at_location",
            "attribute",
        ):
            for _position, row in tables.get(table, []):
                for parent in self._parents(table, row):
                    self.children[(table, *parent)].append(row)

    @staticmethod
    def _parents(table: str, row: dict[str, Any]) -> list[tuple[str, Any]]:
        """Every record a row hangs off: a tabular row names each of them by id, and the
        importer keeps one record linked to all of them."""
        if table == "attribute":
            return [(str(row.get("link_entity") or "service"), row.get("link_id"))]
        keys = ("contact_id", "phone_id", "service_at_location_id", "service_id", "location_id")
        return [(key.removesuffix("_id"), row[key]) for key in keys if row.get(key)]

    def _list(self, table: str, parent: str, parent_id: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in self.children.get((table, parent, parent_id), [])]

    def services(self) -> list[SourceRecord]:
        return [
            SourceRecord(position, self.service(row))
            for position, row in self.tables.get("service", [])
        ]

    def service(self, row: dict[str, Any]) -> dict[str, Any]:
        service = dict(row)
        service_id = row.get("id")
        organization = self.by_id["organization"].get(row.get("organization_id"))
        if organization is not None:
            service["organization"] = dict(organization)
        service["phones"] = [self.phone(p) for p in self._list("phone", "service", service_id)]
        service["schedules"] = self._list("schedule", "service", service_id)
        service["languages"] = self._list("language", "service", service_id)
        service["cost_options"] = self._list("cost_option", "service", service_id)
        service["required_documents"] = self._list("required_document", "service", service_id)
        service["contacts"] = [
            self.contact(c) for c in self._list("contact", "service", service_id)
        ]
        service["service_at_locations"] = [
            self.service_at_location(item)
            for item in self._list("service_at_location", "service", service_id)
        ]
        service["attributes"] = [
            self.attribute(item) for item in self._list("attribute", "service", service_id)
        ]
        return service

    def phone(self, row: dict[str, Any]) -> dict[str, Any]:
        row["languages"] = self._list("language", "phone", row.get("id"))
        return row

    def contact(self, row: dict[str, Any]) -> dict[str, Any]:
        row["phones"] = [self.phone(p) for p in self._list("phone", "contact", row.get("id"))]
        return row

    def service_at_location(self, row: dict[str, Any]) -> dict[str, Any]:
        item_id = row.get("id")
        location = self.by_id["location"].get(row.get("location_id"))
        if location is not None:
            row["location"] = self.location(dict(location))
        row["phones"] = [self.phone(p) for p in self._list("phone", "service_at_location", item_id)]
        row["schedules"] = self._list("schedule", "service_at_location", item_id)
        row["contacts"] = [
            self.contact(c) for c in self._list("contact", "service_at_location", item_id)
        ]
        return row

    def location(self, row: dict[str, Any]) -> dict[str, Any]:
        location_id = row.get("id")
        row["addresses"] = self._list("address", "location", location_id)
        row["phones"] = [self.phone(p) for p in self._list("phone", "location", location_id)]
        row["schedules"] = self._list("schedule", "location", location_id)
        row["languages"] = self._list("language", "location", location_id)
        row["contacts"] = [self.contact(c) for c in self._list("contact", "location", location_id)]
        return row

    def attribute(self, row: dict[str, Any]) -> dict[str, Any]:
        term = self.by_id["taxonomy_term"].get(row.get("taxonomy_term_id"))
        if term is not None:
            term = dict(term)
            taxonomy = self.by_id["taxonomy"].get(term.get("taxonomy_id"))
            if taxonomy is not None:
                term["taxonomy_detail"] = dict(taxonomy)
            row["taxonomy_term"] = term
        return row
