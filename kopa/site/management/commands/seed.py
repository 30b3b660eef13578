"""`kopa seed`: load the Kopā tālāk project; `kopa seed --demo` adds fictional demo data."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kopa.site.seeding import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    SeedError,
    SeedReport,
    seed_demo,
    seed_project,
)

# Each domain adds its own fictional content after the people and activities it builds on:
# a module with `seed_demo() -> SeedReport`, idempotent like the rest.
DOMAIN_DEMOS = (
    "kopa.circle.seeding",
    "kopa.stories.seeding",
    "kopa.learning.seeding",
    "kopa.reporting.seeding",
)


class Command(BaseCommand):
    help = (
        "Load the Kopā tālāk project as its source document describes it. Safe to run again: "
        "only what differs from the seed files is changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="also load fictional demo organisations, people and upcoming activities",
        )

    def handle(self, *args: Any, demo: bool, **options: Any) -> None:
        reports: list[SeedReport] = []
        try:
            # One transaction: the demo data refers to the project, so both land or neither.
            with transaction.atomic():
                reports.append(seed_project())
                if demo:
                    reports.append(seed_demo())
                    for module in DOMAIN_DEMOS:
                        reports.append(importlib.import_module(module).seed_demo())
        except SeedError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] == 0:
            return
        for report in reports:
            self.stdout.write(str(report))
        if demo:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo people sign in as admin@{DEMO_EMAIL_DOMAIN} (and others at "
                    f"@{DEMO_EMAIL_DOMAIN}) with the password {DEMO_PASSWORD!r}: "
                    "never load demo data on a site where real people work."
                )
            )
