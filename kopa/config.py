"""Typed helpers that read settings from environment variables.

Each helper raises ConfigError with one line that names the variable, so a bad value stops
start-up with a message a person can act on (the `kopa` command prints it without a traceback).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A setting from the environment is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str | None:
    """A plain value; NAME_FILE, when set, names a file that holds it (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(
                f"{name}_FILE: cannot read {file_name!r} ({error.strerror})"
            ) from error
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def tile_url_from_env(name: str, default: str) -> tuple[str, str]:
    """A map tile URL template ({z}/{x}/{y}) and its origin for the Content-Security-Policy;
    ("", "") when set empty, which turns the map off."""
    raw = os.environ.get(name, default).strip()
    if not raw:
        return "", ""
    parts = urlsplit(raw)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise ConfigError(f"{name}: expected an http(s) URL, got {raw!r}")
    missing = [key for key in ("{z}", "{x}", "{y}") if key not in raw]
    if missing:
        raise ConfigError(f"{name}: the URL needs {', '.join(missing)}, got {raw!r}")
    # Leaflet's {s} subdomains would need every subdomain in the policy: name one host instead.
    if "{s}" in parts.netloc:
        raise ConfigError(f"{name}: use one host instead of {{s}} subdomains, got {raw!r}")
    return raw, f"{parts.scheme}://{parts.netloc}"


def database_from_url(name: str, url: str) -> dict[str, Any]:
    """sqlite:///path or postgresql://user:pass@host:port/db into Django's DATABASES entry."""
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(f"{name}: use sqlite:///path or postgresql://…, got scheme {scheme!r}")
    try:
        config = dj_database_url.parse(url)
    except ValueError as error:
        raise ConfigError(f"{name}: {error}") from None
    if not config.get("NAME"):
        raise ConfigError(f"{name}: the URL names no database")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction, so two writers queue instead of failing half-way.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Tests use a file beside the database, not Django's in-memory default: concurrent
        # requests in the suite must meet the same locking as in production. One per process,
        # so two test runs on one machine do not share it.
        test_name = f"test-kopa-{os.getpid()}.sqlite3"
        config["TEST"] = {"NAME": str(Path(config["NAME"]).with_name(test_name))}
    else:
        # Persistent connections: each new PostgreSQL connection pays for loading dictionaries.
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
        # The search aggregates tens of thousands of postings at 100,000 services; with the
        # default 4 MB PostgreSQL sorts them on disk (docs/search.md). A URL's own ?options=
        # wins.
        config.setdefault("OPTIONS", {}).setdefault("options", "-c work_mem=32MB")
    return config


def cache_from_url(name: str, url: str) -> dict[str, Any]:
    """locmem:// (one process) or redis://host:port/db (shared by every worker and host)."""
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kopa"}
    if parts.scheme in {"redis", "rediss"}:
        if not parts.hostname:
            raise ConfigError(f"{name}: a redis URL needs a host, e.g. redis://127.0.0.1:6379/0")
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "kopa",
        }
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ConfigError(f"{name}: use locmem:// or redis://host:port/db, got {url!r}")


def email_from_url(name: str, url: str) -> dict[str, Any]:
    """console://, locmem:// or smtp://user:password@host:port?tls=true (or smtps:// for SSL).

    dj-email-url does this too but has not been released since 2022; these few lines are ours.
    """
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ConfigError(f"{name}: an smtp URL needs a host, e.g. smtp://mail.example.org:587")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ConfigError(f"{name}: the port is not a number") from None
        tls = query.get("tls", "false").lower()
        if tls not in TRUE | FALSE:
            raise ConfigError(f"{name}: tls must be true or false, got {tls!r}")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": tls in TRUE,
            "EMAIL_TIMEOUT": 20,
        }
    raise ConfigError(f"{name}: use console://, locmem:// or smtp://host:port, got {url!r}")
