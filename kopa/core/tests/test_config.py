"""Settings from the environment, checked in fresh processes as an operator would start them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kopa.config import ConfigError, cache_from_url, database_from_url, email_from_url

ROOT = Path(__file__).resolve().parents[3]
SECRET = "kopa-test-Secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def kopa(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KOPA_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "-m", "kopa", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KOPA_DEBUG": "maybe"}, "KOPA_DEBUG"),
        ({"KOPA_DEBUG": "false"}, "KOPA_SECRET_KEY"),
        ({"KOPA_DEBUG": "false", "KOPA_SECRET_KEY": "short"}, "KOPA_SECRET_KEY"),
        ({"KOPA_SECRET_KEY_FILE": "/no/such/file"}, "KOPA_SECRET_KEY_FILE"),
        ({"KOPA_DEBUG": "true", "KOPA_DATABASE_URL": "mysql://x/y"}, "KOPA_DATABASE_URL"),
        ({"KOPA_DEBUG": "true", "KOPA_CACHE_URL": "memcached://x"}, "KOPA_CACHE_URL"),
        ({"KOPA_DEBUG": "true", "KOPA_EMAIL_URL": "smtp://"}, "KOPA_EMAIL_URL"),
        ({"KOPA_DEBUG": "true", "KOPA_WORKERS": "lots"}, "KOPA_WORKERS"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(env, named, tmp_path):
    result = kopa("check", env={"KOPA_VAR_DIR": str(tmp_path), **env})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(SECRET)
    result = kopa(
        "check", env={"KOPA_SECRET_KEY_FILE": str(key_file), "KOPA_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = kopa(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "KOPA_SECRET_KEY": SECRET,
            "KOPA_HTTPS": "true",
            "KOPA_ALLOWED_HOSTS": "kopa.example.org",
            "KOPA_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_urls():
    sqlite = database_from_url("X", "sqlite:////tmp/kopa.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    postgres = database_from_url("X", "postgresql://kopa:pw@db.internal:5433/kopa")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == ("db.internal", 5433, "kopa")
    assert postgres["CONN_MAX_AGE"] > 0
    with pytest.raises(ConfigError, match="X"):
        database_from_url("X", "postgresql://host/")


def test_cache_urls():
    assert cache_from_url("X", "locmem://")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("X", "redis://127.0.0.1:6379/1")
    assert redis["BACKEND"].endswith("RedisCache")
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_email_urls():
    assert email_from_url("X", "console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_from_url("X", "smtp://user%40lib:p%2Fw@mail.example.org:587?tls=true")
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@lib"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_from_url("X", "smtps://mail.example.org")["EMAIL_PORT"] == 465
    with pytest.raises(ConfigError, match="tls"):
        email_from_url("X", "smtp://mail.example.org?tls=perhaps")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kopa_serve_runs_the_production_server_with_hashed_static_files(tmp_path):
    """What `make run` does: migrate, collect static files, serve with gunicorn, debug off."""
    env = {"KOPA_SECRET_KEY": SECRET, "KOPA_VAR_DIR": str(tmp_path), "KOPA_WORKERS": "2"}
    assert kopa("serve", env=env).returncode != 0  # refuses before static files are collected
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        result = kopa(*step, env=env)
        assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["kopa/site.css"]
    assert hashed_css != "kopa/site.css"

    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KOPA_")}
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kopa", "serve", "--bind", f"127.0.0.1:{port}"],
        env={**clean, **env},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer within 10 s: " + log.name)
        with urllib.request.urlopen(f"{base}/lv/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        assert '<html lang="lv">' in page
        assert f"/static/{hashed_css}" in page
        with urllib.request.urlopen(f"{base}/static/{hashed_css}", timeout=5) as response:  # noqa: S310
            assert "max-age=315360000" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
