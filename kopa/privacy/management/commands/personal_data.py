"""Answer a person's request on their behalf (docs/privacy.md):

    kopa personal_data export EMAIL FILE    # ZIP (data.json + data.html); JSON for FILE.json
    kopa personal_data erase EMAIL [--yes]  # asks to type the address again unless --yes

Both are audited (`privacy.data.exported`, `privacy.erased`, with via "admin").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from kopa.privacy import services


class Command(BaseCommand):
    help = "Export or erase everything the platform holds on an email address."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write a copy of the person's data to FILE.")
        export.add_argument("email")
        export.add_argument("file")
        export.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the labels in the copy.",
        )
        erase = actions.add_parser("erase", help="Erase the person in every domain.")
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, action: str, email: str, **options: Any) -> None:
        email = services.normalise_email(email)
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"not an email address: {email!r}") from error
        if action == "export":
            self.export(email, Path(options["file"]), options["language"])
        else:
            self.erase(email, confirmed=options["yes"])

    def export(self, email: str, path: Path, language: str) -> None:
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a directory")
        holdings = services.personal_data_collect(email=email, language=language)
        if path.suffix == ".json":
            body = (json.dumps(holdings.as_json(), ensure_ascii=False, indent=2) + "\n").encode()
        else:
            body = services.personal_data_zip(holdings)
        # Readable by the admin alone: the file is the person's data.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(body)
        services.personal_data_downloaded(data_request=None, via="admin")
        sections = sum(len(domain.sections) for domain in holdings.domains)
        self.stdout.write(f"{path}: {sections} section(s) of personal data, {len(body)} bytes")

    def erase(self, email: str, *, confirmed: bool) -> None:
        if not confirmed:
            typed = input(f"Erase everything held on {email}? Type the address again: ")
            if services.normalise_email(typed) != email:
                raise CommandError("the addresses differ; nothing was erased")
        counts = services.personal_data_erase(email=email, via="admin")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"erased: {sum(counts.values())} record(s) changed")
