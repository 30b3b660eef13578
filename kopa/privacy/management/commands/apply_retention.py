"""Remove or anonymise what is kept longer than its retention period (docs/privacy.md).

Run it daily from a timer; it is idempotent, and audited when it changed something.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kopa.privacy.retention import retention_apply


class Command(BaseCommand):
    help = "Remove or anonymise records older than their retention period (KOPA_RETENTION)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        try:
            outcomes = retention_apply(dry_run=dry_run)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        verb = "would be " if dry_run else ""
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.kind}: {outcome.count} {verb}{outcome.effect} (kept {outcome.days} days)"
            )
