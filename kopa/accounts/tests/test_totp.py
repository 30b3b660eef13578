import base64
import hashlib
import hmac
import struct
from urllib.parse import parse_qs, urlsplit

import pytest

from kopa.accounts import totp

# RFC 6238, appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("moment", "expected"), RFC_VECTORS)
def test_it_matches_the_rfc_6238_test_vectors(moment, expected):
    assert totp.code_at(RFC_SECRET, moment, digits=8) == expected


def test_it_matches_the_rfc_4226_hotp_vectors():
    # RFC 4226, appendix D: counters 0..9 with the same seed.
    expected = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]  # fmt: skip
    key = b"12345678901234567890"
    assert [totp.hotp(key, counter) for counter in range(10)] == expected


def test_it_accepts_the_current_code_and_one_step_of_drift_either_way():
    secret = totp.new_secret()
    now = 1_700_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, now + offset * totp.STEP_SECONDS)
        assert totp.matching_step(secret, code, moment=now) == step + offset
    too_old = totp.code_at(secret, now - 2 * totp.STEP_SECONDS)
    assert totp.matching_step(secret, too_old, moment=now) is None


def test_a_code_is_never_accepted_twice():
    secret = totp.new_secret()
    now = 1_700_000_000.0
    code = totp.code_at(secret, now)
    step = totp.matching_step(secret, code, moment=now)
    assert step is not None
    assert totp.matching_step(secret, code, moment=now, after_step=step) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(typed):
    assert totp.matching_step(totp.new_secret(), typed) is None


def test_spaces_in_a_typed_code_are_ignored():
    secret = totp.new_secret()
    code = totp.code_at(secret, 1_700_000_000.0)
    assert totp.matching_step(secret, f"{code[:3]} {code[3:]}", moment=1_700_000_000.0)


def test_a_new_secret_is_160_random_bits_in_base32():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(base64.b32decode(first + "=" * (-len(first) % 8))) == 20


def test_the_provisioning_address_is_what_authenticator_apps_read():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="anna@example.org", issuer="Kopā tālāk")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Kop%C4%81%20t%C4%81l%C4%81k:anna@example.org"
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["Kopā tālāk"]
    assert query["digits"] == ["6"] and query["period"] == ["30"]


def test_hotp_is_the_rfc_4226_truncation():
    # The same computation written out once more, independently, for a random key.
    key = b"another-key-for-the-test"
    mac = hmac.new(key, struct.pack(">Q", 42), hashlib.sha1).digest()
    offset = mac[-1] & 0xF
    value = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % 1_000_000
    assert totp.hotp(key, 42) == f"{value:06d}"
