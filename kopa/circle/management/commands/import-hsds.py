"""`kopa import-hsds FILE`: import HSDS 3.0 services (a JSON array, or a CSV data package).

Safe to run again: records are matched by id, unchanged ones are left alone. Each record is
imported in its own transaction; a bad one is reported with its position and reason and the
others still import. The exit status is 1 when any record failed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kopa.circle.hsds import normalise_language
from kopa.circle.importing import DEFAULT_MAX_BYTES, SourceError, import_file

SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """'50M', '2G', '500k', '1048576' → bytes."""
    match = SIZE.match(text)
    if not match:
        raise ValueError(text)
    return int(float(match[1]) * UNITS[match[2].lower()])


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 services from a JSON array of nested services, or from an HSDS CSV "
        "data package (a directory or zip file with datapackage.json). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON file, the package directory or its zip file")
        parser.add_argument(
            "--language",
            help="the language of the texts (lv, et, en, uk or ru), when the file does not "
            "say; otherwise each record's language is detected from its text",
        )
        parser.add_argument(
            "--max-size",
            default=f"{DEFAULT_MAX_BYTES // 1024 // 1024}M",
            help="refuse files larger than this (default %(default)s; e.g. 200M, 1G)",
        )

    def handle(
        self, *args: Any, file: str, language: str | None, max_size: str, **options: Any
    ) -> None:
        if language is not None and normalise_language(language) is None:
            raise CommandError(f"--language: not one of lv, et, en, uk, ru: {language!r}")
        try:
            max_bytes = parse_size(max_size)
        except ValueError:
            raise CommandError(f"--max-size: not a size such as 50M: {max_size!r}") from None
        path = Path(file)

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\rimporting: {done}/{total}", ending="")
            self.stderr.flush()

        try:
            summary = import_file(path, language=language, max_bytes=max_bytes, progress=progress)
        except SourceError as error:
            raise CommandError(str(error)) from error
        if summary.total:
            self.stderr.write("")
        for problem in summary.problems:
            self.stderr.write(f"failed: {problem}")
        self.stdout.write(f"{path}: {summary}")
        if summary.failed:
            raise CommandError(f"{summary.failed} of {summary.total} records failed", returncode=1)
