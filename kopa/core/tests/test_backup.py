"""`kopa backup` / `kopa restore`: a restored site is the site that was backed up, row for row and
byte for byte; a damaged, foreign or mismatched archive is refused and changes nothing."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from PIL import Image

from kopa.core import backup
from kopa.core.audit import audit_log

CONTENT_TYPES = "django_content_type"


def table_dump() -> dict[str, list[tuple]]:
    """Every row of every table, all columns, read with plain SQL (not through the code under
    test). Content types and permissions are made by `kopa migrate` with ids local to each
    database, so their ids, and every column pointing at them, are written as natural keys."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        content_types = {pk: f"{app}.{model}" for pk, app, model in cursor.fetchall()}
        cursor.execute("SELECT id, content_type_id, codename FROM auth_permission")
        permissions = {pk: f"{content_types[ct]}.{code}" for pk, ct, code in cursor.fetchall()}
        local = {CONTENT_TYPES: content_types, "auth_permission": permissions}
        dump = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "django_migrations":
                continue  # written by `kopa migrate`, not by a restore
            relations = connection.introspection.get_relations(cursor, table)
            natural = {c: local[other] for c, (_col, other) in relations.items() if other in local}
            if table in local:
                natural["id"] = local[table]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows = []
            for row in cursor.fetchall():
                values = tuple(
                    natural[column].get(value) if column in natural else _plain(value)
                    for column, value in zip(columns, row, strict=True)
                )
                rows.append(values)
            dump[table] = sorted(rows, key=repr)
    return dump


def _plain(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def media_dump(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def jpeg_upload(name: str = "evening.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def fresh_database() -> None:
    """What `kopa migrate` leaves on a new server: empty tables, content types and permissions
    made anew, so with other ids than in the database that was backed up."""
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    ContentType.objects.clear_cache()
    with connection.cursor() as cursor:
        # New ids: insert a few throw-away content types first, then delete them.
        for number in range(7):
            cursor.execute(
                "INSERT INTO django_content_type (app_label, model) VALUES (%s, %s)",
                ["scratch", f"m{number}"],
            )
        cursor.execute("DELETE FROM django_content_type WHERE app_label = 'scratch'")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    ContentType.objects.clear_cache()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def seed_site(media_root: Path) -> None:
    from kopa.programme.models import Activity
    from kopa.programme.photo_services import photo_add

    call_command("seed", "--demo", verbosity=0)
    admin = get_user_model().objects.get(email="admin@demo.kopa.invalid")
    for number, activity in enumerate(Activity.objects.order_by("pk")[:2]):
        photo_add(
            actor=admin,
            activity=activity,
            upload=jpeg_upload(),
            caption={"uk": f"Вечір історій {number}", "lv": "Stāstu vakars"},
            credit="Demo",
            people_consented=bool(number),
        )
    # Files the platform did not write itself (a name in another script, an empty file) must
    # come back too.
    (media_root / "imports" / "2026").mkdir(parents=True)
    (media_root / "imports" / "2026" / "довідник.csv").write_text("id,name\n1,Юрист\n")
    (media_root / "imports" / "empty.txt").write_bytes(b"")
    with transaction.atomic():
        audit_log(action="core.backup.test", actor=admin, target=admin, data={"ā": "ž", "n": 1})


@pytest.mark.django_db(transaction=True)
def test_it_restores_every_row_and_every_file_into_a_fresh_database(media, tmp_path, settings):
    seed_site(media)
    before = table_dump()
    files_before = media_dump(media)
    filled = sorted(table for table, rows in before.items() if rows)
    assert len(filled) >= 20, filled
    assert any(name.endswith(".webp") for name in files_before)

    archive = tmp_path / "site.tar.gz"
    out = io.StringIO()
    started = time.perf_counter()
    call_command("backup", str(archive), stdout=out)
    backup_seconds = time.perf_counter() - started
    assert f"written to {archive}" in out.getvalue()
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds every person's data

    fresh_database()
    assert table_dump() != before
    settings.MEDIA_ROOT = tmp_path / "restored-media"  # a new server's empty media folder
    out = io.StringIO()
    started = time.perf_counter()
    call_command("restore", str(archive), "-v", "2", stdout=out)
    restore_seconds = time.perf_counter() - started
    assert "restore:" in out.getvalue()

    after = table_dump()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"
    assert after.keys() == before.keys()
    assert media_dump(settings.MEDIA_ROOT) == files_before
    print(
        f"\nbackup/restore on {connection.vendor}: {sum(map(len, before.values()))} rows in "
        f"{len(filled)} non-empty tables of {len(before)}, {len(files_before)} files; archive "
        f"{archive.stat().st_size} bytes; backup {backup_seconds:.2f} s, "
        f"restore {restore_seconds:.2f} s"
    )

    # The sequences moved past the restored ids: the site can write new rows straight away.
    user = get_user_model().objects.create_user(email="new@demo.kopa.invalid", password="x")
    assert user.pk > max(row[0] for row in before["accounts_user"])
    with transaction.atomic():
        audit_log(action="core.backup.after", actor=user, target=user)


@pytest.mark.django_db(transaction=True)
def test_a_backup_reads_one_snapshot_while_the_site_goes_on_writing():
    users = get_user_model().objects
    users.create_user(email="before@demo.kopa.invalid", password="x")
    written = threading.Event()

    def another_worker():  # its own database connection, as a web worker has
        try:
            users.create_user(email="during@demo.kopa.invalid", password="x")
            written.set()
        finally:
            connections.close_all()

    with backup.snapshot():
        assert users.count() == 1
        worker = threading.Thread(target=another_worker)
        worker.start()
        worker.join(timeout=30)
        assert written.is_set(), "the backup's read blocked a writer"
        # The row committed meanwhile is not in what the backup reads.
        assert users.count() == 1
        assert not users.filter(email="during@demo.kopa.invalid").exists()
    assert users.count() == 2


# --- refusals -------------------------------------------------------------------------------------


@pytest.fixture
def small_site(media):
    admin = get_user_model().objects.create_user(email="a@demo.kopa.invalid", password="x")
    with transaction.atomic():
        audit_log(action="core.backup.test", actor=admin, target=admin)
    (media / "a.txt").write_text("a")
    return admin


def make_backup(path: Path) -> Path:
    call_command("backup", str(path), verbosity=0)
    return path


def rewrite(source: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting `change(name, bytes)` alter or drop each."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return target


def refusal(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), *args, verbosity=0)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.django_db
def test_it_refuses_a_database_that_holds_other_rows_and_changes_nothing(
    small_site, tmp_path, media
):
    archive = make_backup(tmp_path / "b.tar.gz")
    get_user_model().objects.create_user(email="b@demo.kopa.invalid", password="x")
    (media / "a.txt").unlink()
    before = table_dump()
    assert "database is not empty (accounts.user" in refusal(archive)
    assert table_dump() == before


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_media_folder_that_holds_files(small_site, tmp_path):
    archive = make_backup(tmp_path / "b.tar.gz")
    call_command("flush", interactive=False, verbosity=0)
    assert "media folder" in refusal(archive)


@pytest.mark.django_db
def test_force_replaces_everything_with_the_backup(small_site, tmp_path, media):
    archive = make_backup(tmp_path / "b.tar.gz")
    before = table_dump()
    get_user_model().objects.create_user(email="b@demo.kopa.invalid", password="x")
    (media / "a.txt").write_text("changed")
    call_command("restore", str(archive), "--force", verbosity=0)
    assert table_dump() == before
    assert (media / "a.txt").read_text() == "a"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_damaged_foreign_and_mismatched_archives_and_changes_nothing(
    small_site, tmp_path
):
    archive = make_backup(tmp_path / "b.tar.gz")
    call_command("flush", interactive=False, verbosity=0)
    get_user_model().objects.create_user(email="kept@demo.kopa.invalid", password="x")
    before = table_dump()
    raw = archive.read_bytes()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    flipped = tmp_path / "flipped.tar.gz"
    flipped.write_bytes(raw[:200] + bytes([raw[200] ^ 0xFF]) + raw[201:])
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as other:
        info = tarfile.TarInfo("notes.txt")
        other.addfile(info, io.BytesIO(b""))
    not_gzip = tmp_path / "photo.jpg"
    not_gzip.write_bytes(jpeg_upload().read())
    plain_gzip = tmp_path / "plain.gz"
    plain_gzip.write_bytes(gzip.compress(b"hello"))

    def tamper_rows(name, data):
        return data.replace(b"a@demo.kopa.invalid", b"z@demo.kopa.invalid")

    def other_format(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["format_version"] = 99
        return json.dumps(manifest).encode()

    def other_migrations(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"]["accounts"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    def other_line(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"]["accounts"][-1] = "0002_elsewhere"
        return json.dumps(manifest).encode()

    def gap(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"]["accounts"] = manifest["migrations"]["accounts"][1:]
        return json.dumps(manifest).encode()

    cases = {
        truncated: "damaged",
        flipped: "damaged",
        foreign: "not a Kopā tālāk backup",
        not_gzip: "damaged or not a backup",
        plain_gzip: "damaged or not a backup",
        rewrite(archive, tmp_path / "t.tar.gz", tamper_rows): "does not match its checksum",
        rewrite(archive, tmp_path / "m.tar.gz", lambda n, d: None if "user" in n else d): (
            "incomplete"
        ),
        rewrite(archive, tmp_path / "f.tar.gz", other_format): "format version 99",
        rewrite(archive, tmp_path / "g.tar.gz", other_migrations): (
            "made by a newer release (migrations not applied here: accounts.9999_from_the_future"
        ),
        rewrite(archive, tmp_path / "o.tar.gz", other_line): (
            "another line of development (its migrations accounts.0002_elsewhere are not this"
        ),
        rewrite(archive, tmp_path / "h.tar.gz", gap): (
            "another line of development (it lacks accounts.0001_initial, which its other"
        ),
    }
    with tarfile.open(tmp_path / "slip.tar.gz", "w:gz") as slip:
        slip.addfile(tarfile.TarInfo("media/../../outside.txt"), io.BytesIO(b""))
    cases[tmp_path / "slip.tar.gz"] = "unsafe path"

    for path, expected in cases.items():
        message = refusal(path, "--force")
        assert expected in message, (path.name, message)
        assert table_dump() == before, path.name
    assert not (tmp_path / "outside.txt").exists()


def test_it_names_a_missing_file():
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", "/nonexistent/kopa.tar.gz", verbosity=0)
