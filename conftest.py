"""Fast settings for every test: cheap password hashing, plain static storage."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Public pages are cached for anonymous visitors: no test sees another test's page."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
