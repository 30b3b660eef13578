"""The `kopa` command: Django's management commands, with configuration errors on one line."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopa.settings")
    from django.core.management import execute_from_command_line

    from kopa.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as error:
        sys.exit(f"kopa: configuration error: {error}")
    execute_from_command_line(["kopa", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
