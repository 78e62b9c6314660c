"""Reconnect backoff doubles from base to cap with jitter and honours Retry-After."""

from __future__ import annotations

import pytest

from tsdash.api import BackoffPolicy


# -- backoff ---------------------------------------------------------------------------------
def test_backoff_doubles_from_base_to_cap_with_equal_jitter():
    top = BackoffPolicy(base=1.0, cap=30.0, rng=lambda: 0.999999)
    bottom = BackoffPolicy(base=1.0, cap=30.0, rng=lambda: 0.0)
    ceilings = [1, 2, 4, 8, 16, 30, 30, 30]
    for attempt, c in enumerate(ceilings):
        assert top.delay(attempt) == pytest.approx(c, rel=1e-5)
        assert bottom.delay(attempt) == pytest.approx(c / 2)  # equal jitter: never below c/2
    assert top.delay(10_000) == pytest.approx(30, rel=1e-5)  # no overflow


def test_backoff_default_is_about_one_second_doubling_to_thirty():
    policy = BackoffPolicy()
    assert (policy.base, policy.cap, policy.factor) == (1.0, 30.0, 2.0)
    for attempt in range(12):
        d = policy.delay(attempt)
        c = min(30.0, 2.0 ** attempt)
        assert c / 2 <= d <= c


def test_backoff_honours_retry_after_as_a_floor():
    policy = BackoffPolicy(base=0.1, cap=0.4, rng=lambda: 0.5)
    assert policy.delay(0, retry_after=2.0) == 2.0
    assert policy.delay(5, retry_after=0.01) == pytest.approx(0.3)
