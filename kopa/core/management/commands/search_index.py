"""`kopa search_index`: analyse search documents fully (lemmatized), off the web workers.

Run it from a timer (every few minutes) or after an import: it picks up documents that web
workers indexed lightly and documents analysed with an older vocabulary; idempotent.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from kopa.core.search.indexing import reindex


class Command(BaseCommand):
    help = "Lemmatize and tag the search documents that need it (all of them with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="analyse and embed every document again"
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        count = reindex(everything=bool(options["all"]))
        self.stdout.write(
            f"search: {count} document(s) analysed in {time.perf_counter() - started:.1f} s"
        )
