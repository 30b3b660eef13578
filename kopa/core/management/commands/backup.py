"""`kopa backup FILE`: the database and the uploaded files in one archive (docs/resilience.md).

Safe while the site runs: the rows are read in one snapshot. Run it from a timer and keep the
archives somewhere else; `kopa restore FILE` puts one back.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from kopa.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write the database and the media files into one archive (.tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive to write, e.g. kopa-2026-11-24.tar.gz")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=argparse.SUPPRESS)

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if path.is_dir():
            raise CommandError(f"{path} is a folder: name the archive file to write")
        if not path.parent.is_dir():
            raise CommandError(f"no such folder: {path.parent}")
        verbose = int(options["verbosity"]) > 1  # type: ignore[call-overload]
        progress = self.stdout.write if verbose else (lambda _message: None)
        try:
            summary = backup_create(path=path, using=str(options["database"]), progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if int(options["verbosity"]) > 0:  # type: ignore[call-overload]
            self.stdout.write(
                f"backup: {summary.total_rows} rows in {len(summary.rows)} tables and "
                f"{summary.files} media files ({summary.media_bytes} bytes) written to {path} "
                f"({summary.archive_bytes} bytes) in {summary.seconds:.1f} s"
            )
