"""`kopa restore FILE`: load an archive made by `kopa backup` (docs/resilience.md).

Into an empty, freshly migrated database and an empty media folder; `--force` replaces what is
there. Every checksum and the migrations are checked first: a damaged or foreign archive, or one
made by a newer release, is refused with one line and changes nothing. An older release's backup
is loaded at its own migrations and then migrated forward.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from kopa.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Load a backup archive into an empty database and media folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an archive written by kopa backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete every row in the database first and overwrite media files",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=argparse.SUPPRESS)

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        verbose = int(options["verbosity"]) > 1  # type: ignore[call-overload]
        progress = self.stdout.write if verbose else (lambda _message: None)
        try:
            summary = backup_restore(
                path=path,
                using=str(options["database"]),
                force=bool(options["force"]),
                progress=progress,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        if int(options["verbosity"]) > 0:  # type: ignore[call-overload]
            self.stdout.write(
                f"restore: {summary.total_rows} rows in {len(summary.rows)} tables and "
                f"{summary.files} media files ({summary.media_bytes} bytes) loaded from {path} "
                f"in {summary.seconds:.1f} s"
            )
