"""Transports and subscription kinds are StrEnums whose values are the strings callers already
use: ``transport="ws"`` still picks the WebSocket, and ``sub.kind``/``sub.id`` read as before."""

from __future__ import annotations

import pytest

from tsdash.api import (
    HttpStream, StreamManager, SubscriptionKind, SubscriptionState, Transport, WebSocketStream,
)


def test_transports_are_the_strings_the_public_calls_take() -> None:
    assert [str(t) for t in Transport] == ["http", "ws"]
    assert HttpStream.transport is Transport.HTTP and WebSocketStream.transport is Transport.WS


@pytest.mark.parametrize(("transport", "made"), [
    ("http", HttpStream), (Transport.HTTP, HttpStream), ("ws", WebSocketStream),
    (Transport.WS, WebSocketStream), ("websocket", WebSocketStream),
])
async def test_the_manager_takes_a_transport_or_its_string(transport, made) -> None:
    manager = StreamManager(2)
    stream = manager.create_stream("http://127.0.0.1:9/x", transport=transport)
    try:
        assert type(stream) is made
        assert stream.id.startswith(f"{made.transport}-")  # "http-1", "ws-2"
    finally:
        await stream.close()


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stream transport 'smoke'"):
        StreamManager(2).create_stream("http://127.0.0.1:9/x", transport="smoke")


def test_kinds_are_the_strings_subscriptions_had() -> None:
    assert [str(k) for k in SubscriptionKind] == [
        "quotes", "bars", "timesales", "orders", "positions", "balances"]


async def test_a_quote_subscription_has_kind_and_id_as_strings(client) -> None:
    sub = await client.market_data.stream_quotes(["AAPL"], callback=_ignore, transport="ws")
    try:
        assert sub.kind == "quotes" and sub.kind is SubscriptionKind.QUOTES
        assert sub.id.startswith("quotes-") and sub.state == SubscriptionState.LIVE
    finally:
        await sub.unsubscribe()


async def _ignore(_message: dict) -> None:
    return None
