"""`kopa backup` and `kopa restore`: the database and the uploaded files in one archive.

The archive is a gzipped tar (docs/resilience.md):

    data/<app_label>.<model_name>.jsonl   every row of one model, Django's JSON Lines serialization
    media/<path under MEDIA_ROOT>         every uploaded file, byte for byte
    manifest.json                         written last: format, migrations, rows and checksums

The rows are serialized by Django (natural keys for content types and users), so a backup taken
on SQLite restores into PostgreSQL and back. The read is one snapshot while the site runs: a
REPEATABLE READ, READ ONLY transaction on PostgreSQL, one deferred read transaction on SQLite
(WAL lets writers go on meanwhile). Restoring checks every checksum and the schema before it
changes anything, loads all rows in one transaction and moves the files in only after it commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "kopa-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_DIR = "data"
MEDIA_DIR = "media"
CHUNK = 1 << 20
BATCH = 500  # rows per INSERT on restore

# Created by `kopa migrate` itself, identical in every database of the same code: rows elsewhere
# point at them by natural key (app label and model), never by their local ids.
MIGRATE_MADE = {"contenttypes.contenttype", "auth.permission"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """Why a backup or a restore cannot go on, in one line."""


@dataclass
class Summary:
    archive: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    media_bytes: int = 0
    archive_bytes: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _quiet(_message: str) -> None:
    """The default progress reporter says nothing."""


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages, in an order where natural-key targets come first.

    The tables behind many-to-many fields come last, as tables of their own: their rows keep
    their ids, and every row they link is loaded before them.
    """
    app_list = [(config, None) for config in apps.get_app_configs()]
    ordered = [
        model
        for model in serializers.sort_dependencies(app_list, allow_cycles=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label_lower not in MIGRATE_MADE
    ]
    links = [
        field.remote_field.through
        for model in ordered
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    return ordered + links


def _own_fields(model: type[models.Model]) -> list[str] | None:
    """The fields to serialize: all but many-to-many ones, whose tables are backed up apart."""
    if not model._meta.local_many_to_many:
        return None
    return [field.name for field in model._meta.local_fields if not field.primary_key]


def _member(label: str) -> str:
    return f"{DATA_DIR}/{label}.jsonl"


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kopa-talak")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


@contextlib.contextmanager
def snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """One consistent read of the whole database while the site keeps writing."""
    connection = connections[using]
    if connection.in_atomic_block:
        # Already inside one transaction (a test, a caller's atomic block): it is the snapshot.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Django's atomic() opens IMMEDIATE transactions here (kopa.config), which would hold the
        # write lock for the whole backup; a deferred one only reads, and in WAL mode sees the
        # database as it was at its first read while writers carry on.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("ROLLBACK")
    else:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(
        path
        for path in media_root.rglob("*")
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".")
    )


def _check_migrated(using: str) -> None:
    existing = set(connections[using].introspection.table_names())
    for model in backed_up_models():
        if model._meta.db_table not in existing:
            raise BackupError(
                f"the database has no table {model._meta.db_table}: run kopa migrate first"
            )


def backup_create(
    *,
    path: Path,
    using: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
    progress: Progress = _quiet,
) -> Summary:
    """Write the whole database and every media file into the archive at `path`."""
    started = time.perf_counter()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    path = Path(path)
    summary = Summary(archive=path)
    _check_migrated(using)
    tables: dict[str, dict[str, Any]] = {}
    media: dict[str, dict[str, Any]] = {}
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        # Readable by its owner only: the archive holds every person's data.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            tempfile.TemporaryDirectory(prefix="kopa-backup-") as work,
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
        ):
            with snapshot(using):
                applied = _applied_migrations(using)
                serializer = serializers.get_serializer("jsonl")
                for model in backed_up_models():
                    label = model._meta.label_lower
                    rows = model._base_manager.using(using).order_by("pk")
                    target = Path(work) / f"{label}.jsonl"
                    with target.open("w", encoding="utf-8") as stream:
                        serializer().serialize(
                            rows.iterator(chunk_size=2000),
                            stream=stream,
                            fields=_own_fields(model),
                            use_natural_foreign_keys=True,
                            cls=_Encoder,
                        )
                    with target.open("rb") as stream:
                        count = sum(1 for _line in stream)
                    digest, size = _sha256_file(target)
                    archive.add(target, arcname=_member(label), recursive=False)
                    target.unlink()
                    tables[label] = {"rows": count, "bytes": size, "sha256": digest}
                    summary.rows[label] = count
                    if count:
                        progress(f"  {label}: {count} row(s)")
            # Uploaded files are written once under new names (docs/media.md), so reading them
            # after the rows still gives every file a row points at.
            for file in _media_files(media_root):
                name = file.relative_to(media_root).as_posix()
                data = file.read_bytes()  # one read: the bytes hashed are the bytes stored
                info = tarfile.TarInfo(f"{MEDIA_DIR}/{name}")
                info.size = len(data)
                info.mtime = int(file.stat().st_mtime)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(data))
                media[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                summary.files += 1
                summary.media_bytes += len(data)
            progress(f"  media: {summary.files} file(s), {summary.media_bytes} bytes")
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "kopa_version": _version(),
                "database": connections[using].vendor,
                "migrations": applied,
                "tables": tables,
                "media": media,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(time.time())
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(body))
        os.replace(partial, path)  # a reader never sees a half-written archive under `path`
    finally:
        partial.unlink(missing_ok=True)
    summary.archive_bytes = path.stat().st_size
    summary.seconds = time.perf_counter() - started
    return summary


# --- restore -------------------------------------------------------------------------------------


@dataclass
class _Unpacked:
    manifest: dict[str, Any]
    data_dir: Path
    media_dir: Path


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"not a Kopā tālāk backup: unsafe path {name!r} in the archive")
    return path


def _unpack(path: Path, data_dir: Path, media_dir: Path) -> _Unpacked:
    """Extract the archive into the two folders, checking every file against the manifest."""
    seen: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(path, "r|gz") as archive:
            for member in archive:
                if member.isdir():
                    continue
                name = _safe_name(member.name)
                if not member.isfile():
                    raise BackupError(f"not a Kopā tālāk backup: {member.name!r} is not a file")
                source = archive.extractfile(member)
                assert source is not None  # a regular file always has contents
                if member.name == MANIFEST:
                    manifest_bytes = source.read(16 * CHUNK + 1)
                    if len(manifest_bytes) > 16 * CHUNK:
                        raise BackupError("not a Kopā tālāk backup: the manifest is too large")
                    continue
                top, rest = name.parts[0], PurePosixPath(*name.parts[1:])
                if top == DATA_DIR and len(name.parts) == 2:
                    target = data_dir / rest.name
                elif top == MEDIA_DIR and rest.parts:
                    target = media_dir.joinpath(*rest.parts)
                else:
                    raise BackupError(f"not a Kopā tālāk backup: unexpected file {member.name!r}")
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                seen[member.name] = (digest.hexdigest(), size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise BackupError(f"no such file: {path}") from None
        raise BackupError(f"the archive is damaged or not a backup: {error}") from None
    if manifest_bytes is None and seen:
        raise BackupError(
            "the archive is damaged or cut short: manifest.json (written last) is missing"
        )
    if manifest_bytes is None:
        raise BackupError("not a Kopā tālāk backup: it has no manifest.json")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BackupError("not a Kopā tālāk backup: manifest.json is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a Kopā tālāk backup: manifest.json names another format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')!r} is not one this "
            f"version of Kopā tālāk reads ({FORMAT_VERSION})"
        )
    expected = {_member(label): entry for label, entry in manifest.get("tables", {}).items()}
    expected.update({f"{MEDIA_DIR}/{name}": e for name, e in manifest.get("media", {}).items()})
    for name, entry in expected.items():
        if name not in seen:
            raise BackupError(f"the archive is incomplete: {name} is missing")
        if seen[name] != (entry.get("sha256"), entry.get("bytes")):
            raise BackupError(f"the archive is damaged: {name} does not match its checksum")
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise BackupError(f"the archive is damaged: {extra[0]} is not in its manifest")
    return _Unpacked(manifest=manifest, data_dir=data_dir, media_dir=media_dir)


def _check_schema(manifest: dict[str, Any], using: str) -> None:
    ours = {(app, name) for app, names in _applied_migrations(using).items() for name in names}
    theirs = {
        (app, name) for app, names in manifest.get("migrations", {}).items() for name in names
    }
    if ours == theirs:
        return
    missing = sorted(theirs - ours)
    extra = sorted(ours - theirs)
    if missing:
        raise BackupError(
            "the backup was made by a newer release (migrations not applied here: "
            + ", ".join(f"{a}.{n}" for a, n in missing[:3])
            + "): install that release or a later one, kopa migrate, then restore"
        )
    # The rows are loaded through this release's models, which match only their own schema:
    # an older backup goes back through its own release, then upgrades (tests/migrations).
    raise BackupError(
        "the backup was made by an older release (newer here: "
        + ", ".join(f"{a}.{n}" for a, n in extra[:3])
        + "): restore it with the release that made it "
        f"(kopa {manifest.get('kopa_version', '?')}), then upgrade and kopa migrate"
    )


def _archived_pks(unpacked: _Unpacked, model: type[models.Model]) -> set[str]:
    to_python = model._meta.pk.to_python
    label = model._meta.label_lower
    if label not in unpacked.manifest.get("tables", {}):
        return set()
    with (unpacked.data_dir / f"{label}.jsonl").open(encoding="utf-8") as stream:
        return {str(to_python(json.loads(line)["pk"])) for line in stream if line.strip()}


def _foreign_rows(unpacked: _Unpacked, using: str) -> list[str]:
    """Tables holding rows the backup does not have: what a restore would lose.

    A freshly migrated database is not quite empty: data migrations ship rows (the learning
    app's questionnaire templates, say). Rows the backup has too are replaced by its version.
    """
    foreign = []
    for model in backed_up_models():
        pks = model._base_manager.using(using).values_list("pk", flat=True)
        if not pks.exists():
            continue
        archived = _archived_pks(unpacked, model)
        to_python = model._meta.pk.to_python
        if any(str(to_python(pk)) not in archived for pk in pks.iterator()):
            foreign.append(model._meta.label_lower)
    return foreign


def _insert(model: type[models.Model], batch: list[DeserializedObject], using: str) -> None:
    """Insert a batch of rows with a few statements, not one per row."""
    if not batch:
        return
    if model._meta.parents:  # multi-table inheritance: bulk_create cannot, save each
        for obj in batch:
            obj.save(using=using)
        return
    # QuerySet._insert with raw=True is what Model.save_base(raw=True) (loaddata) runs, for many
    # rows at once: values exactly as stored (bulk_create would fill auto_now fields anew).
    fields = model._meta.local_concrete_fields
    objects = [obj.object for obj in batch]
    size = max(1, connections[using].ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        model._base_manager.using(using)._insert(
            objects[start : start + size], fields=fields, using=using, raw=True
        )


def _load(unpacked: _Unpacked, using: str, progress: Progress) -> dict[str, int]:
    connection = connections[using]
    known = {model._meta.label_lower: model for model in backed_up_models()}
    tables = unpacked.manifest.get("tables", {})
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise BackupError(f"the backup holds a table this version does not know: {unknown[0]}")
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        # Every table is emptied first: with --force that is the point; without it, whatever
        # rows are there are also in the backup (_foreign_rows), which brings them back.
        names = [model._meta.db_table for model in known.values()]
        # DELETE rather than TRUNCATE: PostgreSQL refuses TRUNCATE of a table with pending
        # deferred checks in the transaction, and the foreign keys (deferred) only need to
        # agree at commit.
        with connection.cursor() as cursor:
            for table in sorted(set(names)):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
        deferred = []
        with connection.constraint_checks_disabled():
            for label in known:
                if label not in tables:
                    continue
                count = 0
                batch: list[DeserializedObject] = []
                with (unpacked.data_dir / f"{label}.jsonl").open(encoding="utf-8") as stream:
                    for obj in serializers.deserialize(
                        "jsonl", stream, using=using, handle_forward_references=True
                    ):
                        if obj.deferred_fields:
                            deferred.append(obj)
                        batch.append(obj)
                        count += 1
                        if len(batch) >= BATCH:
                            _insert(known[label], batch, using)
                            batch = []
                _insert(known[label], batch, using)
                if count != tables[label].get("rows"):
                    raise BackupError(f"the archive is damaged: {label} has {count} rows")
                counts[label] = count
                if count:
                    progress(f"  {label}: {count} row(s)")
            for obj in deferred:
                obj.save_deferred_fields(using=using)
        connection.check_constraints(
            table_names=[known[label]._meta.db_table for label, count in counts.items() if count]
        )
        statements = connection.ops.sequence_reset_sql(no_style(), list(known.values()))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
    return counts


def backup_restore(
    *,
    path: Path,
    using: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
    force: bool = False,
    progress: Progress = _quiet,
) -> Summary:
    """Load the archive at `path` into an empty database and media folder (any, with `force`).

    Everything is checked first; a refusal changes nothing. The rows load in one transaction;
    the files move into place after it commits.
    """
    started = time.perf_counter()
    path = Path(path)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    summary = Summary(archive=path)
    _check_migrated(using)
    if not force and _media_files(media_root):
        raise BackupError(
            f"the media folder {media_root} already holds files: empty it, or pass --force"
        )
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # The files are unpacked next to MEDIA_ROOT (the same file system), so moving them in is a
    # rename, and nothing under MEDIA_ROOT changes until the rows are committed.
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}-restore-", dir=media_root.parent))
    try:
        with tempfile.TemporaryDirectory(prefix="kopa-restore-") as work:
            unpacked = _unpack(path, Path(work), staging)
            _check_schema(unpacked.manifest, using)
            foreign = [] if force else _foreign_rows(unpacked, using)
            if foreign:
                raise BackupError(
                    f"the database is not empty ({', '.join(foreign[:3])} hold rows the backup "
                    "lacks): restore into a freshly migrated database, or pass --force to "
                    "replace everything in it"
                )
            progress(f"  archive verified: made {unpacked.manifest.get('created')}")
            try:
                summary.rows = _load(unpacked, using, progress)
            except (DeserializationError, DatabaseError, ValueError) as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                raise BackupError(
                    f"the rows could not be loaded, nothing was changed: {type(error).__name__}"
                    f"{': ' + first if first else ''}"
                ) from error
        for source in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = media_root / source.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            summary.files += 1
            summary.media_bytes += target.stat().st_size
        progress(f"  media: {summary.files} file(s), {summary.media_bytes} bytes")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary.archive_bytes = path.stat().st_size
    summary.seconds = time.perf_counter() - started
    return summary
