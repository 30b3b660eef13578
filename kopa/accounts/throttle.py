"""How often anyone may try to log in (docs/security.md has the numbers and the reasons).

Counted in the cache with kopa.core.ratelimit, per account and per client address. Every attempt
counts, successful or not, and a refused attempt is refused before the password is checked, so
the answer says nothing about whether an account exists or what its password is.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from kopa.core import ratelimit

PERIOD_SECONDS = 15 * 60
# One person mistyping: a handful. An attacker guessing one account's password: stopped.
LOGIN_ATTEMPTS_PER_ACCOUNT = 10
# A library's public computers share one address; many people log in from it within minutes.
LOGIN_ATTEMPTS_PER_ADDRESS = 50
# Second-step codes, for someone who already has the password: five tries an hour. Each try
# matches three codes (clock drift), so a guesser's chance is about 1 in 2,800 a day.
CODE_ATTEMPTS_PER_ACCOUNT = 5
CODE_PERIOD_SECONDS = 60 * 60


def _account_key(email: str) -> str:
    # A hash: no address is written to the cache.
    normalised = email.strip().lower()
    return "account:" + hashlib.sha256(normalised.encode()).hexdigest()[:32]


def login_allowed(request: HttpRequest, email: str) -> bool:
    by_address = ratelimit.allow(
        scope="login",
        key=ratelimit.client_key(request),
        limit=LOGIN_ATTEMPTS_PER_ADDRESS,
        period=PERIOD_SECONDS,
    )
    by_account = ratelimit.allow(
        scope="login",
        key=_account_key(email),
        limit=LOGIN_ATTEMPTS_PER_ACCOUNT,
        period=PERIOD_SECONDS,
    )
    return by_address and by_account


def code_allowed(user_id: int) -> bool:
    return ratelimit.allow(
        scope="login-code",
        key=f"user:{user_id}",
        limit=CODE_ATTEMPTS_PER_ACCOUNT,
        period=CODE_PERIOD_SECONDS,
    )


# Password-reset mail: enough for someone who mistypes or waits for a slow mailbox, too few to
# bury a person's inbox.
RESETS_PER_ADDRESS = 10
RESETS_PER_EMAIL = 3
RESET_PERIOD_SECONDS = 60 * 60


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    by_address = ratelimit.allow(
        scope="password-reset",
        key=ratelimit.client_key(request),
        limit=RESETS_PER_ADDRESS,
        period=RESET_PERIOD_SECONDS,
    )
    by_email = ratelimit.allow(
        scope="password-reset",
        key=_account_key(email),
        limit=RESETS_PER_EMAIL,
        period=RESET_PERIOD_SECONDS,
    )
    return by_address and by_email
