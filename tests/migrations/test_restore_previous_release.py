"""A backup made by the previous release restores into this one: its rows are loaded at the
migrations they were made at, then migrated forward, and every value survives
(docs/resilience.md). A backup this release cannot bring forward is refused and changes nothing.

The previous release's database is built as tests/migrations/test_upgrade.py builds it: the test
database taken back to the migrations of commit b7b2d4e and filled through the historical models.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from kopa.core import backup
from tests.migrations.test_upgrade import (
    DROPPED_ON_PURPOSE,
    KOPA_APPS,
    executor,
    fill,
    previous_targets,
    read_all,
)


def everything() -> dict:
    """Every row of every table this release has, by primary key."""
    return read_all(apps, {m._meta.label_lower for m in apps.get_models(include_auto_created=True)})


def broken_copy(source: Path, target: Path) -> Path:
    """The archive with one audit entry pointing at a user nobody has, its checksum made to
    match: it unpacks cleanly and fails only when the rows are loaded."""
    with tarfile.open(source, "r:gz") as old:
        members = {m.name: old.extractfile(m).read() for m in old.getmembers()}
    name = "data/core.auditentry.jsonl"
    lines = members[name].decode().splitlines()
    row = json.loads(lines[0])
    row["fields"]["actor"] = ["nobody@demo.kopa.invalid"]
    lines[0] = json.dumps(row)
    members[name] = ("\n".join(lines) + "\n").encode()
    manifest = json.loads(members[backup.MANIFEST])
    entry = manifest["tables"]["core.auditentry"]
    entry["sha256"] = hashlib.sha256(members[name]).hexdigest()
    entry["bytes"] = len(members[name])
    members[backup.MANIFEST] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as new:
        for member_name, data in members.items():  # the manifest stays last
            info = tarfile.TarInfo(member_name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_previous_release_restores_into_this_one(tmp_path, settings):
    graph = executor().loader.graph
    latest = sorted(graph.leaf_nodes())
    old = previous_targets(graph)
    archive = tmp_path / "previous-release.tar.gz"
    settings.MEDIA_ROOT = tmp_path / "old-media"
    (settings.MEDIA_ROOT / "activities").mkdir(parents=True)
    (settings.MEDIA_ROOT / "activities" / "вечір.jpg").write_bytes(b"\xff\xd8 a photo")
    try:
        executor().migrate(old)
        old_state = executor().loader.project_state([t for t in old if t[1] is not None])
        counts = fill(old_state.apps)
        labels = {
            model._meta.label_lower
            for model in old_state.apps.get_models(include_auto_created=True)
            if model._meta.app_label in KOPA_APPS
        }
        before = read_all(old_state.apps, labels)
        # What that release's `kopa backup` wrote: the rows at its own migrations.
        backup.backup_create(path=archive)
        with tarfile.open(archive) as opened:
            manifest = json.load(opened.extractfile(backup.MANIFEST))
        assert manifest["migrations"]["accounts"] == ["0001_initial"]
        assert "stories" not in manifest["migrations"]

        # A new server with this release: migrated, nothing in it but what migrations ship.
        with transaction.atomic():
            backup._delete_all(old_state.apps, connection.alias)
        executor().migrate(latest)
        settings.MEDIA_ROOT = tmp_path / "media"
        fresh = everything()

        # Rows that cannot be loaded: refused after the round trip, and nothing changed.
        with pytest.raises(CommandError, match="could not be loaded, nothing was changed"):
            call_command("restore", str(broken_copy(archive, tmp_path / "b.tar.gz")), verbosity=0)
        assert everything() == fresh
        assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.iterdir())

        out = io.StringIO()
        started = time.perf_counter()
        call_command("restore", str(archive), "-v", "2", stdout=out)
        seconds = time.perf_counter() - started
        assert "migrating the restored rows forward" in out.getvalue()
        after = read_all(apps, labels)
    finally:
        executor().migrate(latest)  # leave the database as the other tests expect it

    lost = [
        f"{label} {pk}: {values!r} became {after[label].get(pk)!r}"
        for label, rows in before.items()
        for pk, values in rows.items()
        if {
            column: value
            for column, value in (after[label].get(pk) or {}).items()
            if column in values
        }
        != {c: v for c, v in values.items() if f"{label}.{c}" not in DROPPED_ON_PURPOSE}
    ]
    assert not lost, "\n".join(lost[:10])
    # The later migrations ran on the restored rows: the shipped lists are there again.
    assert apps.get_model("learning", "QuestionnaireTemplate").objects.exists()
    assert (settings.MEDIA_ROOT / "activities" / "вечір.jpg").read_bytes() == b"\xff\xd8 a photo"
    print(
        f"\nrestore of a b7b2d4e backup on {connection.vendor}: {sum(counts.values())} rows in "
        f"{len(counts)} tables, every value kept after migrating forward; restore {seconds:.1f} s"
    )
