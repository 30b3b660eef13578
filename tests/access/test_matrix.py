"""The access matrix, proven: every URL pattern of the project, as every role, in a language
prefix and without one, answers what tests/access/matrix.py says (docs/security.md).

Along the way every HTML page that answers 200 is checked for a CSRF token in each of its
POST forms, for the security headers, and for inline script or style (which the CSP blocks).
A URL pattern without an entry in the matrix fails.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from tests.access import matrix
from tests.access.matrix import ADMIN_LOGIN, LOGIN, REDIRECT, ROLES, expected_for
from tests.access.urls import project_patterns
from tests.access.world import build_world

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = "en"
# KOPA_MATRIX_DISCOVER=1 prints what each URL answers each role, to draft rows for new URLs.
DISCOVER = bool(os.environ.get("KOPA_MATRIX_DISCOVER"))
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+"')
# JSON and JSON-LD in a <script> element are data: the browser never runs them.
INLINE_SCRIPT = re.compile(r'<script(?![^>]*\b(?:src=|type="application/(?:ld\+)?json"))[^>]*>')
INLINE_STYLE = re.compile(r"<[a-zA-Z][^>]*\sstyle=|<style[\s>]")
HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy", "X-Frame-Options")


def answer_of(response: Any) -> matrix.Answer:
    """The response as the matrix writes it."""
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(f"/{LANGUAGE}/accounts/login/"):
            return LOGIN
        if location.startswith(f"/{LANGUAGE}/admin/login/"):
            return ADMIN_LOGIN
        return REDIRECT
    return response.status_code


def test_every_url_pattern_has_an_entry():
    missing = sorted({p.key for p in project_patterns() if not matrix.has_entry(p.key)})
    assert not missing, (
        f"{len(missing)} URL pattern(s) have no entry in tests/access/matrix.py EXPECTED; "
        "add a row saying who may reach each: " + ", ".join(missing)
    )


def test_the_matrix_names_no_url_that_does_not_exist():
    keys = {p.key for p in project_patterns()}
    stale = sorted(set(matrix.EXPECTED) - keys)
    assert not stale, "rows for URLs that no longer exist: " + ", ".join(stale)


@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_matrix_says(settings_override, capsys):
    world = build_world()
    failures: list[str] = []
    counts: Counter[str] = Counter()
    discovered: dict[str, dict[str, matrix.Answer]] = {}
    patterns = project_patterns()
    for pattern in patterns:
        expected = expected_for(pattern.key)
        if expected is None and DISCOVER:
            expected = matrix.everyone("?")
        if expected is None:
            continue  # reported by test_every_url_pattern_has_an_entry
        for role in ROLES:
            values = world.values(pattern.key, pattern.parameters, role)
            path = pattern.path(values, LANGUAGE)
            response = world.clients[role].get(path)
            seen = answer_of(response)
            discovered.setdefault(pattern.key, {})[role] = seen
            counts["requests"] += 1
            if seen != expected[role]:
                failures.append(f"{pattern.key} as {role}: GET {path} -> {seen}, "
                                f"expected {expected[role]}")  # fmt: skip
            _check_page(response, path, role, failures)
            _close(response)
            if pattern.localised:
                # Without the language prefix, the same address in the visitor's language.
                bare = pattern.path(values, None)
                unprefixed = world.clients[role].get(bare)
                counts["requests"] += 1
                if unprefixed.status_code != 302 or unprefixed["Location"] != path:
                    failures.append(
                        f"{pattern.key} as {role}: GET {bare} -> {unprefixed.status_code} "
                        f"{unprefixed.get('Location')}, expected 302 to {path}"
                    )
        counts["patterns"] += 1
    if DISCOVER:
        with capsys.disabled():
            for key, answers in discovered.items():
                print(key, *(answers[r] for r in ROLES), sep=" | ")
    with capsys.disabled():
        print(
            f"\naccess matrix: {counts['patterns']} URL patterns × {len(ROLES)} roles = "
            f"{counts['patterns'] * len(ROLES)} checks ({counts['requests']} requests, "
            "with and without the language prefix)"
        )
    assert not failures, f"{len(failures)} answer(s) differ:\n" + "\n".join(failures)


def _close(response: Any) -> None:
    """Close a file response's file, without the end-of-request signal that would close the
    test's database connection too."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _check_page(response: Any, path: str, role: str, failures: list[str]) -> None:
    for header in HEADERS:
        if header not in response:
            failures.append(f"{path} as {role}: no {header} header")
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    body = response.content.decode()
    for number, form in enumerate(POST_FORM.findall(body), start=1):
        if not CSRF_INPUT.search(form):
            failures.append(f"{path} as {role}: POST form {number} has no CSRF token")
    styled = INLINE_STYLE.search(body)
    if styled:
        snippet = body[styled.start() : styled.start() + 120]
        failures.append(f"{path} as {role}: an inline style (the CSP blocks it): {snippet!r}")
    inline = INLINE_SCRIPT.search(body)
    if inline:
        snippet = body[inline.start() : inline.start() + 120]
        failures.append(f"{path} as {role}: an inline script (the CSP blocks it): {snippet!r}")


@pytest.fixture
def settings_override(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The private link's page is cached for nobody, but public pages are: every role starts
    # from the same empty cache (conftest.py clears it per test).
    return settings


def test_docs_state_the_same_matrix():
    """docs/security.md shows EXPECTED; regenerate its table with
    `python -c "from tests.access.matrix import markdown_table; print(markdown_table())"`."""
    docs = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert matrix.markdown_table() in docs, "the matrix in docs/security.md is out of date"
