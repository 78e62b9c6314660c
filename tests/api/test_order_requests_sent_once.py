"""An order request reaches the server exactly once, whatever the server does with it.

Each test runs a raw HTTP/1.1 server on loopback (asyncio streams, so it can stall, drop a
connection right after reading a body, or keep a connection alive) and counts the order requests
it read: place, replace, cancel and place_order_group each see one request (two only after a 401
answer with a token that can be refreshed), and the caller learns what happened:
OrderOutcomeUnknown when the order may have been taken, OrderRejectedError with TradeStation's
message on a 4xx.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from api_helpers import token_manager_for

from tsdash.api import (
    AuthError,
    OrderOutcomeUnknown,
    OrderRateLimited,
    OrderRejectedError,
    RateLimitError,
    StreamConnectionError,
    TradeStationClient,
)

ORDER = {"AccountID": "SIM1234567M", "Symbol": "AAPL", "Quantity": "10", "OrderType": "Limit",
         "LimitPrice": "219.50", "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"},
         "Route": "Intelligent"}
GROUP = {"Type": "OCO", "Orders": [ORDER, {**ORDER, "LimitPrice": "219.00"}]}
ORDER_PATH = "/v3/orderexecution/"


@dataclass
class Seen:
    """One request the server read in full (its body included)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: int


@dataclass
class Answer:
    """What the server does with a request: answer (keeping the connection alive), ``stall``
    (never answer) or ``drop`` (close the connection without answering)."""

    status: int = 200
    body: Any = field(default_factory=dict)
    action: str = "answer"
    headers: dict[str, str] = field(default_factory=dict)


class RawHTTPServer:
    """A minimal HTTP/1.1 server: reads each request in full, records it, then does what
    ``behave(request)`` says. Connections stay open between requests (keep-alive)."""

    def __init__(self, behave: Callable[[Seen], Answer]) -> None:
        self.behave = behave
        self.requests: list[Seen] = []
        self.base_url = ""
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def orders_seen(self) -> list[Seen]:
        """The order requests (routes and triggers are GETs that place nothing)."""
        return [r for r in self.requests if r.path.startswith(ORDER_PATH) and r.method != "GET"]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v3"

    async def stop(self) -> None:
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = next(self._ids)
        self._writers.add(writer)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                lines = head.split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for text in lines[1:]:
                    name, _, value = text.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                seen = Seen(method, target, headers, body, connection)
                self.requests.append(seen)
                answer = self.behave(seen)
                if answer.action == "drop":
                    return  # the finally closes the connection: no answer at all
                if answer.action == "stall":
                    await asyncio.sleep(3600)
                payload = json.dumps(answer.body).encode()
                extra = "".join(f"{name}: {value}\r\n" for name, value in answer.headers.items())
                writer.write(
                    f"HTTP/1.1 {answer.status} Status\r\nContent-Type: application/json\r\n"
                    f"{extra}Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n"
                    .encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


ServerFactory = Callable[[Callable[[Seen], Answer]], Awaitable[RawHTTPServer]]


@pytest.fixture
async def raw_server() -> AsyncIterator[ServerFactory]:
    servers: list[RawHTTPServer] = []

    async def factory(behave: Callable[[Seen], Answer]) -> RawHTTPServer:
        server = RawHTTPServer(behave)
        await server.start()
        servers.append(server)
        return server

    yield factory
    for server in servers:
        await server.stop()


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., TradeStationClient]]:
    made: list[TradeStationClient] = []

    def factory(base_url: str, **options: Any) -> TradeStationClient:
        if "token_manager" not in options:
            options.setdefault("access_token", "fixed-token")
        options.setdefault("rest_timeout", 0.5)
        client = TradeStationClient(base_url=base_url, **options)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.close()


def success(seen: Seen) -> Any:
    """A 200 answer in TradeStation's shape for the request."""
    if seen.path.endswith("/ordergroups"):
        return {"Orders": [{"Message": "Sent order", "OrderID": "801"},
                           {"Message": "Sent order", "OrderID": "802"}]}
    if seen.path.endswith("/orders"):
        return {"Orders": [{"Message": "Sent order: Buy 10 AAPL @ 219.50 Limit",
                            "OrderID": "801"}]}
    return {"Message": "Cancel/Replace order sent.", "OrderID": "801"}


Call = Callable[[TradeStationClient], Awaitable[object]]
CALLS: dict[str, tuple[str, Call]] = {
    "place": ("POST", lambda c: c.order_execution.place_order(ORDER)),
    "replace": ("PUT", lambda c: c.order_execution.replace_order("801", {"Quantity": "5"})),
    "cancel": ("DELETE", lambda c: c.order_execution.cancel_order("801")),
    "place_group": ("POST", lambda c: c.order_execution.place_order_group(GROUP)),
}
each_call = pytest.mark.parametrize("call_name", list(CALLS))


@each_call
async def test_a_stalled_server_gives_an_unknown_outcome_after_one_request(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    method, call = CALLS[call_name]
    server = await raw_server(lambda seen: Answer(action="stall"))
    client = clients(server.base_url, rest_timeout=0.4)
    started = time.monotonic()
    with pytest.raises(OrderOutcomeUnknown) as info:
        await call(client)
    assert time.monotonic() - started < 3
    assert "may or may not have reached TradeStation" in str(info.value)
    assert "orders panel" in str(info.value) and "fixed-token" not in str(info.value)
    await asyncio.sleep(0.2)  # time for a resend to arrive, were there one
    assert [r.method for r in server.orders_seen()] == [method]


@each_call
async def test_a_connection_dropped_after_the_body_gives_an_unknown_outcome_after_one_request(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    method, call = CALLS[call_name]
    server = await raw_server(lambda seen: Answer(action="drop"))
    client = clients(server.base_url)
    with pytest.raises(OrderOutcomeUnknown):
        await call(client)
    await asyncio.sleep(0.2)
    assert [r.method for r in server.orders_seen()] == [method]


@each_call
async def test_a_server_error_gives_an_unknown_outcome_after_one_request(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    method, call = CALLS[call_name]
    server = await raw_server(lambda seen: Answer(500, {"Error": "InternalServerError",
                                                        "Message": "Something broke."}))
    client = clients(server.base_url)
    with pytest.raises(OrderOutcomeUnknown) as info:
        await call(client)
    assert info.value.status == 500
    assert [r.method for r in server.orders_seen()] == [method]


@each_call
async def test_a_400_is_a_rejection_with_tradestations_message(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    method, call = CALLS[call_name]
    body = {"Error": "BadRequest", "Message": "Order failed. Reason: \x1b[31mNo such order.\x1b[0m",
            "OrderID": "801"}
    server = await raw_server(lambda seen: Answer(400, body))
    client = clients(server.base_url)
    with pytest.raises(OrderRejectedError) as info:
        await call(client)
    error = info.value
    assert error.reason == "Order failed. Reason: No such order."
    assert error.status == 400 and error.response == body and error.order_id == "801"
    assert "No such order." in str(error) and "\x1b" not in str(error)
    assert [r.method for r in server.orders_seen()] == [method]


@each_call
async def test_a_401_with_a_refreshable_token_is_sent_once_more_and_succeeds(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient],
        make_sim: Any):
    method, call = CALLS[call_name]
    sim = await make_sim()  # only its token endpoint: the TokenManager refreshes there
    refused: list[str] = []

    def behave(seen: Seen) -> Answer:
        if not refused:
            refused.append(seen.headers["authorization"])
            return Answer(401, {"Error": "Unauthorized", "Message": "Token expired."})
        return Answer(200, success(seen))

    server = await raw_server(behave)
    client = clients(server.base_url, token_manager=token_manager_for(sim))
    result = await call(client)
    assert isinstance(result, dict) and result
    seen = server.orders_seen()
    assert [r.method for r in seen] == [method, method]
    assert seen[0].body == seen[1].body
    assert seen[1].headers["authorization"] != refused[0]


@each_call
async def test_a_401_with_a_fixed_token_is_an_auth_error_after_one_request(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    method, call = CALLS[call_name]
    server = await raw_server(lambda seen: Answer(401, {"Error": "Unauthorized",
                                                        "Message": "Token expired."}))
    client = clients(server.base_url, access_token="fixed-token")
    with pytest.raises(AuthError) as info:
        await call(client)
    assert "fixed-token" not in str(info.value)
    assert [r.method for r in server.orders_seen()] == [method]


@each_call
async def test_a_429_is_an_order_rejection_after_one_request(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    """design.md: a 4xx answer raises OrderRejectedError. A 429 too (OrderRateLimited): the
    rate limiter refused before the order was looked at, so it says so and when to retry."""
    method, call = CALLS[call_name]
    server = await raw_server(lambda seen: Answer(
        429, {"Error": "TooManyRequests", "Message": "Slow down."}, headers={"Retry-After": "7"}))
    client = clients(server.base_url)
    with pytest.raises(OrderRejectedError) as info:
        await call(client)
    error = info.value
    assert isinstance(error, OrderRateLimited) and not isinstance(error, RateLimitError)
    assert (error.status, error.retry_after) == (429, 7.0)
    for text in (str(error), error.reason):
        assert "rate limiting" in text and "was not placed" in text
        assert "Wait 7 s and try again" in text
    assert error.response == {"Error": "TooManyRequests", "Message": "Slow down."}
    assert [r.method for r in server.orders_seen()] == [method]


async def test_a_429_without_retry_after_says_to_wait_a_moment(
        raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    server = await raw_server(lambda seen: Answer(429, {"Error": "TooManyRequests"}))
    client = clients(server.base_url)
    with pytest.raises(OrderRateLimited) as info:
        await client.order_execution.place_order(ORDER)
    assert info.value.retry_after is None and "Wait a moment" in info.value.reason


@pytest.mark.parametrize("call_name", ["replace", "cancel"])
async def test_replace_and_cancel_are_not_resent_when_a_kept_alive_connection_drops(
        call_name: str, raw_server: ServerFactory, clients: Callable[..., TradeStationClient]):
    """aiohttp resends an idempotent request (PUT, DELETE) once when the connection drops after
    it was written; the server keeps connections alive, answers the first order request, then
    drops the connection after reading the next one: it must see that one exactly once."""
    method, call = CALLS[call_name]
    answered: list[Seen] = []

    def behave(seen: Seen) -> Answer:
        if seen.path.endswith("/routes"):
            return Answer(200, {"Routes": [{"Id": "Intelligent", "Name": "Intelligent",
                                            "AssetTypes": ["STOCK"]}]})
        if not answered:
            answered.append(seen)
            return Answer(200, success(seen))
        return Answer(action="drop")

    server = await raw_server(behave)
    client = clients(server.base_url)
    assert await client.order_execution.get_routes()  # a pooled keep-alive connection
    await call(client)  # answered, on a connection that stays open
    with pytest.raises(OrderOutcomeUnknown):
        await call(client)
    await asyncio.sleep(0.2)
    seen = server.orders_seen()
    assert [r.method for r in seen] == [method, method]
    # every order request had a connection of its own: none rode on a kept-alive one
    connections = [r.connection for r in seen]
    assert len(set(connections)) == len(connections), connections


@each_call
async def test_an_unreachable_server_is_reported_as_not_sent(
        call_name: str, clients: Callable[..., TradeStationClient]):
    """Nothing listens on the port: the connection is refused before a byte of the order went
    out, so the error says it was not sent (and is not an unknown outcome)."""
    _, call = CALLS[call_name]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = clients(f"http://127.0.0.1:{port}/v3")
    with pytest.raises(StreamConnectionError) as info:
        await call(client)
    assert not isinstance(info.value, OrderOutcomeUnknown)
    assert "not sent" in str(info.value)
