"""Loaded with `-p` before pytest-django reads the settings: the test environment variables.

Tests run with debug off, as production does; the database comes from KOPA_DATABASE_URL (SQLite
when unset, PostgreSQL in the second CI pass).
"""

import os

os.environ["KOPA_DEBUG"] = "false"
os.environ.pop("KOPA_SECRET_KEY_FILE", None)
os.environ["KOPA_SECRET_KEY"] = "test-secret-key-that-is-long-enough-for-checks"
os.environ["KOPA_EMAIL_URL"] = "locmem://"
os.environ.setdefault("KOPA_CACHE_URL", "locmem://")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright in live-server tests
