"""HTTP status errors tell the user what to do."""

from __future__ import annotations

from tsdash.api import AuthError, RateLimitError, StreamConnectionError
from tsdash.api.errors import error_for_status, is_final, parse_retry_after


# -- errors ----------------------------------------------------------------------------------
def test_status_errors_tell_what_to_do():
    e401 = error_for_status(401, {}, {"Message": "expired"}, "the quote stream for AAPL")
    assert isinstance(e401, AuthError) and "tsdash login" in str(e401) and e401.status == 401
    e429 = error_for_status(429, {"Retry-After": "7"}, None, "x")
    assert isinstance(e429, RateLimitError) and e429.retry_after == 7.0
    e429b = error_for_status(429, {"X-RateLimit-Reset": "12"}, None, "x")
    assert e429b.retry_after == 12.0
    assert is_final(error_for_status(400, {}, None, "x"))
    assert is_final(error_for_status(403, {}, None, "x"))
    assert not is_final(error_for_status(503, {}, None, "x"))
    assert not is_final(e429)
    assert not is_final(StreamConnectionError("lost"))
    assert parse_retry_after({}) is None
