"""Pure pieces: backoff, time-and-sales derivation, errors, StreamManager bookkeeping,
login URL helper, the public exports."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import tsdash.api as api
from tsdash.api import (
    AuthError,
    BackoffPolicy,
    ClosedError,
    HttpStream,
    ProtocolError,
    RateLimitError,
    StreamConnectionError,
    StreamLimitError,
    StreamManager,
    TimeAndSales,
    TradeStationClient,
    TSError,
    WebSocketStream,
    build_authorize_url,
)
from tsdash.api.errors import error_for_status, is_final, parse_retry_after


def test_public_names_are_exported():
    for name in ["TradeStationClient", "TokenManager", "Subscription", "StreamManager",
                 "HttpStream", "WebSocketStream", "TSError", "AuthError", "RateLimitError",
                 "StreamLimitError", "ProtocolError", "StreamConnectionError", "ClosedError"]:
        assert hasattr(api, name), name
    assert issubclass(StreamLimitError, ValueError) and issubclass(StreamLimitError, TSError)
    for cls in (AuthError, RateLimitError, ProtocolError, StreamConnectionError, ClosedError):
        assert issubclass(cls, TSError)


def test_environments_pick_the_documented_hosts():
    assert TradeStationClient(access_token="t").base_url == "https://api.tradestation.com/v3"
    assert TradeStationClient(environment="sim", access_token="t").base_url == \
        "https://sim-api.tradestation.com/v3"
    assert TradeStationClient(base_url="http://x/v3/", environment="sim").base_url == "http://x/v3"
    with pytest.raises(ValueError):
        TradeStationClient(environment="paper")


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


# -- StreamManager ---------------------------------------------------------------------------
async def test_stream_manager_limit_is_all_or_nothing():
    manager = StreamManager(max_concurrent_streams=3)
    assert manager.max_concurrent_streams == 3 and manager.active_count == 0
    first = manager.create_stream("http://127.0.0.1:9/a")
    ws = manager.create_stream("http://127.0.0.1:9/ws", transport="ws")
    assert isinstance(first, HttpStream) and isinstance(ws, WebSocketStream)
    assert manager.active_count == 2
    with pytest.raises(StreamLimitError) as info:
        manager.create_streams([{"url": "http://127.0.0.1:9/b"}, {"url": "http://127.0.0.1:9/c"}])
    assert isinstance(info.value, ValueError)
    assert "max_concurrent_streams=3" in str(info.value) and info.value.limit == 3
    assert manager.active_count == 2  # nothing was taken
    manager.create_stream("http://127.0.0.1:9/d")
    with pytest.raises(StreamLimitError):
        manager.create_stream("http://127.0.0.1:9/e")
    await manager.close_stream(first.id)
    assert manager.active_count == 2
    await manager.close_all_streams()
    assert manager.active_count == 0


# -- time and sales --------------------------------------------------------------------------
async def test_time_and_sales_derivation():
    prints: list[dict] = []

    async def on_print(p: dict) -> None:
        prints.append(p)

    ts = TimeAndSales(on_print)
    # full first quote: a print (the last trade), size from LastSize
    await ts({"Symbol": "AAPL", "Bid": "10.00", "Ask": "10.02", "Last": "10.01",
              "LastSize": "100", "Volume": "5000", "TradeTime": "T1"})
    # a quote-only delta: no print, but it moves the known bid/ask
    await ts({"Symbol": "AAPL", "Bid": "10.01", "Ask": "10.03"})
    # trade at the ask, no LastSize: size from the Volume change
    await ts({"Symbol": "AAPL", "Last": "10.03", "Volume": "5300", "TradeTime": "T2"})
    # trade at the bid
    await ts({"Symbol": "AAPL", "Last": "10.01", "LastSize": "200", "Volume": "5500",
              "TradeTime": "T3"})
    # inside the spread
    await ts({"Symbol": "AAPL", "Last": "10.02", "LastSize": "50", "TradeTime": "T4"})
    # Last without TradeTime: not a print
    await ts({"Symbol": "AAPL", "Last": "10.02"})
    # the message's own bid/ask count as the latest known (merged before comparing)
    await ts({"Symbol": "AAPL", "Ask": "10.02", "Last": "10.02", "LastSize": "10",
              "TradeTime": "T5"})
    # another symbol has its own state: no bid/ask known yet
    await ts({"Symbol": "MSFT", "Last": "400", "TradeTime": "T6"})
    assert prints == [
        {"Symbol": "AAPL", "Price": "10.01", "Size": "100", "Time": "T1", "Side": "unknown"},
        {"Symbol": "AAPL", "Price": "10.03", "Size": "300", "Time": "T2", "Side": "buy"},
        {"Symbol": "AAPL", "Price": "10.01", "Size": "200", "Time": "T3", "Side": "sell"},
        {"Symbol": "AAPL", "Price": "10.02", "Size": "50", "Time": "T4", "Side": "unknown"},
        {"Symbol": "AAPL", "Price": "10.02", "Size": "10", "Time": "T5", "Side": "buy"},
        {"Symbol": "MSFT", "Price": "400", "Size": None, "Time": "T6", "Side": "unknown"},
    ]
    assert all(set(p) == {"Symbol", "Price", "Size", "Time", "Side"} for p in prints)


# -- login helper ----------------------------------------------------------------------------
def test_build_authorize_url():
    url = build_authorize_url("my-client", "http://localhost:3001", "st4te")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        "https://signin.tradestation.com/authorize"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {"response_type": "code", "client_id": "my-client",
                 "redirect_uri": "http://localhost:3001", "state": "st4te",
                 "audience": "https://api.tradestation.com",
                 "scope": "openid offline_access MarketData ReadAccount Trade"}
    custom = build_authorize_url("c", "http://localhost:8080", "s", scopes=["openid"],
                                 authorize_url="http://127.0.0.1:1/authorize")
    assert custom.startswith("http://127.0.0.1:1/authorize?") and "scope=openid" in custom
