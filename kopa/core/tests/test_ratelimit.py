from unittest import mock

from kopa.core import ratelimit


def test_allows_up_to_the_limit_per_key_and_scope():
    assert all(ratelimit.allow(scope="s", key="a", limit=3, period=60) for _ in range(3))
    assert not ratelimit.allow(scope="s", key="a", limit=3, period=60)
    assert ratelimit.allow(scope="s", key="b", limit=3, period=60)
    assert ratelimit.allow(scope="other", key="a", limit=3, period=60)


def test_a_new_window_starts_over():
    with mock.patch.object(ratelimit.time, "time", return_value=1000.0):
        assert ratelimit.allow(scope="s", key="a", limit=1, period=60)
        assert not ratelimit.allow(scope="s", key="a", limit=1, period=60)
    with mock.patch.object(ratelimit.time, "time", return_value=1080.0):
        assert ratelimit.allow(scope="s", key="a", limit=1, period=60)
