"""`kopa export-hsds FILE`: every service as a JSON array of nested HSDS 3.0 services.

Texts are in each record's original language, with every translation in `x_translations` (the
profile in docs/hsds-profile.md), so `kopa import-hsds` of the file restores the same records.
`-` writes to standard output.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kopa.circle.hsds import Writer
from kopa.circle.selectors import services_for_export


def write_services(out: IO[str]) -> int:
    writer = Writer()
    count = 0
    out.write("[")
    for service in services_for_export():
        data = writer.service(service, attributes=service.hsds_attributes)  # type: ignore[attr-defined]
        out.write(",\n" if count else "\n")
        out.write(json.dumps(data, ensure_ascii=False, indent=2))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


class Command(BaseCommand):
    help = "Export every service of the directory as a JSON array of nested HSDS 3.0 services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the JSON (- for standard output)")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        if file == "-":
            count = write_services(self.stdout._out)
            self.stderr.write(f"exported {count} services")
            return
        target = Path(file)
        if target.is_dir():
            raise CommandError(f"{target} is a directory; name a file")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such directory")
        # Write beside the target and rename, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                count = write_services(out)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"exported {count} services to {target}")
