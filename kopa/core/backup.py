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

Rows are read and written through the models of the migrations they were made at: the current
models when those are all of this release's migrations, otherwise the historical models Django's
migration state builds. So a backup of an older release (its migrations a prefix of ours) is
restored at its own schema and then migrated forward, as an upgrade would.
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
from django.apps.registry import Apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer as JSONLDeserializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
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
Migrations = set[tuple[str, str]]


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


def backed_up_models(registry: Apps = apps) -> list[type[models.Model]]:
    """Every table Django manages, in an order where natural-key targets come first.

    The tables behind many-to-many fields come last, as tables of their own: their rows keep
    their ids, and every row they link is loaded before them. `registry` is the current models
    or the historical ones of an older migration state (`_models_at`).
    """
    app_list = [(config, None) for config in registry.get_app_configs()]
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


# What a model's natural_key() reads besides its fields (AbstractBaseUser's goes through these).
_NATURAL_KEY_ATTRIBUTES = ("natural_key", "get_username", "USERNAME_FIELD")


def _models_at(migrations: Migrations, loader: MigrationLoader) -> Apps:
    """The models as they were after exactly `migrations`: the current ones when that is every
    migration of this release, else the historical ones."""
    if migrations == set(loader.graph.nodes):
        return apps
    registry = loader.project_state(nodes=sorted(migrations), at_end=True).apps
    using = loader.connection.alias
    # Historical models carry no methods, but rows pointing at content types and users must
    # keep referring to them by natural key (their ids differ from one database to the next).
    # Their managers do have get_by_natural_key (use_in_migrations).
    for model in registry.get_models(include_auto_created=True):
        try:
            real = apps.get_model(model._meta.label)
        except LookupError:
            continue  # a model this release no longer has
        if hasattr(real, "natural_key") and hasattr(model._default_manager, "get_by_natural_key"):
            for name in _NATURAL_KEY_ATTRIBUTES:
                if hasattr(real, name):
                    setattr(model, name, getattr(real, name))
        if model._meta.label_lower in MIGRATE_MADE:
            # Permission's manager finds the content type through the current model, which a
            # query on the historical one refuses. These tables are the same in every state.
            model._default_manager.get_by_natural_key = _found_through(real, model, using)
    return registry


def _found_through(
    real: type[models.Model], historical: type[models.Model], using: str
) -> Callable[..., models.Model]:
    def get_by_natural_key(*key: Any) -> models.Model:
        found = real._default_manager.db_manager(using).get_by_natural_key(*key)
        return historical._base_manager.using(using).get(pk=found.pk)

    return get_by_natural_key


class _Deserializer(JSONLDeserializer):
    """Django's JSON Lines reader, with the models taken from `registry`."""

    def __init__(self, stream: Any, *, registry: Apps, **options: Any) -> None:
        self.registry = registry
        super().__init__(stream, **options)

    def _get_model_from_node(self, model_identifier: str) -> type[models.Model]:  # type: ignore[override]
        try:
            return self.registry.get_model(model_identifier)
        except (LookupError, TypeError):
            raise DeserializationError(f"Invalid model identifier: {model_identifier}") from None


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


def _as_set(migrations: dict[str, list[str]]) -> Migrations:
    return {(app, name) for app, names in migrations.items() for name in names}


def _named(migrations: Migrations) -> str:
    return ", ".join(f"{app}.{name}" for app, name in sorted(migrations)[:3])


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


def _check_migrated(using: str, registry: Apps = apps) -> None:
    existing = set(connections[using].introspection.table_names())
    for model in backed_up_models(registry):
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
    loader = MigrationLoader(connections[using])
    unknown = set(loader.applied_migrations) - set(loader.graph.nodes)
    if unknown:
        raise BackupError(
            f"the database has migrations this release does not have ({_named(unknown)}): "
            "back it up with the release that migrated it"
        )
    # A database not yet migrated to this release (a backup before `kopa migrate`, say) is
    # written as its own migrations have it.
    registry = _models_at(set(loader.applied_migrations), loader)
    _check_migrated(using, registry)
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
                if _as_set(applied) != set(loader.applied_migrations):
                    raise BackupError("the database was migrated as the backup began: run it again")
                serializer = serializers.get_serializer("jsonl")
                for model in backed_up_models(registry):
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


def _schema_of(manifest: dict[str, Any], using: str) -> tuple[Migrations, MigrationLoader]:
    """The backup's migrations, if this release can load its rows: all of its own (the same
    release), or a prefix of them (an older release: restored at that state, then migrated)."""
    loader = MigrationLoader(connections[using])
    ours = set(loader.graph.nodes)
    applied = set(loader.applied_migrations)
    if applied != ours:
        raise BackupError(
            "the database is not migrated to this release ("
            + _named(ours - applied or applied - ours)
            + "): restore into a database made with kopa migrate"
        )
    theirs = _as_set(manifest.get("migrations", {}))
    unknown = theirs - ours
    if unknown and ours <= theirs:
        raise BackupError(
            f"the backup was made by a newer release (migrations not applied here: "
            f"{_named(unknown)}): install kopa {manifest.get('kopa_version', '?')} or a later "
            "one, kopa migrate, then restore"
        )
    # Every migration of an older release is one of ours, with all it depends on.
    closed = {step for node in theirs - unknown for step in loader.graph.forwards_plan(node)}
    if unknown or closed != theirs:
        why = (
            f"its migrations {_named(unknown)} are not this release's"
            if unknown
            else f"it lacks {_named(closed - theirs)}, which its other migrations need"
        )
        raise BackupError(
            f"the backup was made by a release on another line of development ({why}): "
            f"restore it with the release that made it (kopa {manifest.get('kopa_version', '?')})"
        )
    return theirs, loader


def _archived_pks(unpacked: _Unpacked, model: type[models.Model]) -> set[str]:
    to_python = model._meta.pk.to_python
    label = model._meta.label_lower
    if label not in unpacked.manifest.get("tables", {}):
        return set()
    with (unpacked.data_dir / f"{label}.jsonl").open(encoding="utf-8") as stream:
        return {str(to_python(json.loads(line)["pk"])) for line in stream if line.strip()}


def _foreign_rows(unpacked: _Unpacked, using: str, labels: set[str] | None = None) -> list[str]:
    """Tables holding rows the backup does not have: what a restore would lose (of `labels`,
    when given).

    A freshly migrated database is not quite empty: data migrations ship rows (the learning
    app's questionnaire templates, say). Rows the backup has too are replaced by its version.
    """
    foreign = []
    for model in backed_up_models():
        if labels is not None and model._meta.label_lower not in labels:
            continue
        pks = model._base_manager.using(using).values_list("pk", flat=True)
        if not pks.exists():
            continue
        archived = _archived_pks(unpacked, model)
        to_python = model._meta.pk.to_python
        if any(str(to_python(pk)) not in archived for pk in pks.iterator()):
            foreign.append(model._meta.label_lower)
    return foreign


def _refuse_foreign(foreign: list[str]) -> None:
    if foreign:
        raise BackupError(
            f"the database is not empty ({', '.join(foreign[:3])} hold rows the backup "
            "lacks): restore into a freshly migrated database, or pass --force to "
            "replace everything in it"
        )


def _delete_all(registry: Apps, using: str) -> None:
    """Empty every backed-up table, in the caller's transaction.

    DELETE rather than TRUNCATE: PostgreSQL refuses TRUNCATE of a table with pending deferred
    checks in the transaction, and the foreign keys (deferred) only need to agree at commit.
    """
    connection = connections[using]
    names = {model._meta.db_table for model in backed_up_models(registry)}
    with connection.cursor() as cursor:
        for table in sorted(names):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


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


def _load(
    unpacked: _Unpacked, using: str, progress: Progress, registry: Apps = apps
) -> dict[str, int]:
    connection = connections[using]
    known = {model._meta.label_lower: model for model in backed_up_models(registry)}
    tables = unpacked.manifest.get("tables", {})
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise BackupError(f"the backup holds a table this version does not know: {unknown[0]}")
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        # Every table is emptied first: with --force that is the point; without it, whatever
        # rows are there are also in the backup (_foreign_rows), which brings them back.
        _delete_all(registry, using)
        deferred = []
        with connection.constraint_checks_disabled():
            for label in known:
                if label not in tables:
                    continue
                count = 0
                batch: list[DeserializedObject] = []
                with (unpacked.data_dir / f"{label}.jsonl").open(encoding="utf-8") as stream:
                    for obj in _Deserializer(
                        stream, registry=registry, using=using, handle_forward_references=True
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


def _not_loaded(error: Exception) -> BackupError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return BackupError(
        f"the rows could not be loaded, nothing was changed: {type(error).__name__}"
        f"{': ' + first if first else ''}"
    )


def _targets(migrations: Migrations, graph: Any) -> list[tuple[str, str | None]]:
    """Where `kopa migrate` would have to stop, app by app, to reach exactly `migrations`."""
    targets: list[tuple[str, str | None]] = []
    for app in sorted({app for app, _name in graph.nodes}):
        own = {node for node in migrations if node[0] == app}
        if not own:
            targets.append((app, None))  # an app the older release did not have
            continue
        targets += sorted(
            node for node in own if not any(c.key in own for c in graph.node_map[node].children)
        )
    return targets


def _upgrade(
    unpacked: _Unpacked,
    theirs: Migrations,
    loader: MigrationLoader,
    registry: Apps,
    using: str,
    *,
    work: Path,
    force: bool,
    progress: Progress,
) -> dict[str, int]:
    """Restore an older release's backup: the database goes back to the backup's migrations,
    the rows load through the models of that state, then every later migration runs on them.

    Changing the schema cannot happen inside the rows' transaction on SQLite, so the database
    as it was is copied first and put back if anything fails: a failure changes nothing.
    """
    then = {model._meta.label_lower for model in backed_up_models(registry)}
    # The tables the older release lacked go and are made anew by the migrations. In a freshly
    # migrated database they hold only what data migrations ship, which the migrations ship
    # again; any other row in them would be lost, and makes the restore fail.
    shipped = {
        model: set(model._base_manager.using(using).values_list("pk", flat=True))
        for model in backed_up_models()
        if not force and model._meta.label_lower not in then
    }
    before = work / "before.tar.gz"
    backup_create(path=before, using=using, media_root=work / "no-media")
    latest = sorted(loader.graph.leaf_nodes())
    try:
        with transaction.atomic(using=using):
            _delete_all(apps, using)
        progress(f"  migrating back to the backup's {len(theirs)} migrations")
        MigrationExecutor(connections[using]).migrate(_targets(theirs, loader.graph))
        counts = _load(unpacked, using, progress, registry)
        progress("  migrating the restored rows forward to this release")
        MigrationExecutor(connections[using]).migrate(latest)
        _refuse_foreign(
            [
                model._meta.label_lower
                for model, pks in shipped.items()
                if pks - set(model._base_manager.using(using).values_list("pk", flat=True))
            ]
        )
    except Exception as error:
        MigrationExecutor(connections[using]).migrate(latest)
        backup_restore(path=before, using=using, media_root=work / "no-media", force=True)
        if isinstance(error, BackupError):
            raise
        raise _not_loaded(error) from error
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
            theirs, loader = _schema_of(unpacked.manifest, using)
            registry = _models_at(theirs, loader)
            if not force:
                # Of an older release's tables; the tables it lacked are checked by _upgrade.
                then = {model._meta.label_lower for model in backed_up_models(registry)}
                _refuse_foreign(_foreign_rows(unpacked, using, labels=then))
            progress(f"  archive verified: made {unpacked.manifest.get('created')}")
            if registry is apps:
                try:
                    summary.rows = _load(unpacked, using, progress)
                except (DeserializationError, DatabaseError, ValueError) as error:
                    raise _not_loaded(error) from error
            else:
                summary.rows = _upgrade(
                    unpacked,
                    theirs,
                    loader,
                    registry,
                    using,
                    work=Path(work),
                    force=force,
                    progress=progress,
                )
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
