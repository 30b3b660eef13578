"""Time-based one-time passwords (RFC 6238 over RFC 4226), the codes authenticator apps show.

The algorithm is twenty lines of the standard library; a dependency would add more surface than
it saves. `kopa/accounts/tests/test_totp.py` checks it against the RFC's own test vectors.
Authenticator apps (Aegis, FreeOTP, Google Authenticator, 1Password…) all use the defaults here:
SHA-1, six digits, a 30-second step.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# A code is accepted one step early or late: phone clocks drift and people type slowly.
DRIFT_STEPS = 1


def new_secret() -> str:
    """A random 160-bit key, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC of the counter, dynamically truncated to `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(moment: float) -> int:
    return int(moment // STEP_SECONDS)


def code_at(secret: str, moment: float, *, digits: int = DIGITS) -> str:
    return hotp(_key(secret), step_at(moment), digits=digits)


def matching_step(
    secret: str, code: str, *, moment: float | None = None, after_step: int = -1
) -> int | None:
    """The time step whose code `code` is (within the allowed drift), or None.

    Steps up to and including `after_step` are refused, so a code that was used once cannot be
    replayed by someone looking over the shoulder within the same half minute.
    """
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    now = step_at(time.time() if moment is None else moment)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address a QR code carries (the Key Uri Format every app reads)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
