"""/v3/ws: the seed document's WebSocket transport, carrying the same payloads as the HTTP streams.

Client frames: {"action": "subscribe", "id": ..., "stream": "quotes", "symbols": [...]} (or
"barcharts" with symbol/interval/unit/barsback, "orders"/"positions" with accounts and changes) and
{"action": "unsubscribe", "id": ...}. Every payload dict goes out unchanged, one per text frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from aiohttp import WSMsgType, web

from .bars import BarParamError, parse_bar_params
from .errors import TSHTTPError
from .feeds import BarFeed, FastQuoteFeed, Feed, OrderFeed, PositionFeed, QuoteFeed, control
from .keys import ENGINE
from .routes_brokerage import parse_accounts
from .routes_marketdata import parse_symbols
from .streams import Sink, StreamRunner

log = logging.getLogger("tsdash.sim")
WEBSOCKETS = web.AppKey("tsdash_sim_websockets", set[web.WebSocketResponse])


class WsSink(Sink):
    """A WebSocket shared by all subscriptions on it; one text frame per message."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        super().__init__()
        self.request = request
        self.ws = ws

    def closed(self) -> bool:
        transport = self.request.transport
        return self.ws.closed or transport is None or transport.is_closing()

    async def send(self, lines: list[bytes], rechunk: bool = False) -> None:
        for line in lines:
            await self.ws.send_str(line[:-1].decode())

    async def drop(self, partial: bytes) -> None:
        await self.ws.send_str(partial.decode(errors="ignore"))
        transport = self.request.transport
        if transport is not None:
            await asyncio.sleep(0.05)
            transport.abort()

    async def finish(self) -> None:
        await self.ws.close(code=1001, message=b"GoAway")


def _text_list(value) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _feed_for(engine, msg: dict) -> Feed:
    """Build the feed a subscribe frame asks for; TSHTTPError(400) when it is malformed."""
    stream = msg.get("stream")
    if stream == "quotes":
        symbols = parse_symbols(_text_list(msg.get("symbols")))
        if engine.quote_rate:
            return FastQuoteFeed(engine, symbols, engine.quote_rate)
        return QuoteFeed(engine, symbols)
    if stream == "barcharts":
        symbol = str(msg.get("symbol") or "").strip().upper()
        if not symbol:
            raise TSHTTPError(400, "A barcharts subscription needs a symbol.")
        query = {k: str(msg[k]) for k in ("interval", "unit", "barsback", "sessiontemplate")
                 if k in msg}
        try:
            return BarFeed(engine, parse_bar_params(symbol, query))
        except BarParamError as exc:
            raise TSHTTPError(400, str(exc)) from None
    if stream in ("orders", "positions"):
        accounts_text = _text_list(msg.get("accounts")) or ",".join(engine.book.accounts)
        accounts = parse_accounts(accounts_text)
        if stream == "orders":
            return OrderFeed(engine, accounts)
        changes = msg.get("changes", False)
        if isinstance(changes, str):
            changes = changes.strip().lower() == "true"
        return PositionFeed(engine, accounts, bool(changes))
    raise TSHTTPError(400, f"Unknown stream {stream!r}; expected quotes, barcharts, orders or "
                           "positions.")


async def websocket(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    sink = WsSink(request, ws)
    subscriptions: dict[str, asyncio.Task] = {}
    request.app[WEBSOCKETS].add(ws)
    engine.open_streams += 1

    async def bad_request(message: str) -> None:
        await sink.send([control({"Error": "BadRequest", "Message": message})])

    async def run(feed: Feed, initial: list[bytes]) -> None:
        try:
            await StreamRunner(engine, feed, sink, fault_stream="ws").run(initial)
        except (ConnectionError, asyncio.CancelledError):
            raise
        except Exception:
            log.exception("websocket subscription failed")
            with contextlib.suppress(ConnectionError):
                await sink.send([control({"Error": "InternalServerError",
                                          "Message": "The simulator hit an internal error."})])

    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(msg.data)
            except ValueError:
                await bad_request("Frames must be JSON objects.")
                continue
            if not isinstance(frame, dict):
                await bad_request("Frames must be JSON objects.")
                continue
            action, sub_id = frame.get("action"), frame.get("id")
            if not isinstance(sub_id, (str, int)) or sub_id == "":
                await bad_request("Every frame needs an 'id'.")
                continue
            key = str(sub_id)
            if action == "subscribe":
                if key in subscriptions:
                    await bad_request(f"Subscription id {key!r} is already in use.")
                    continue
                try:
                    feed = _feed_for(engine, frame)
                except TSHTTPError as exc:
                    await bad_request(exc.message)
                    continue
                initial = feed.start()
                subscriptions[key] = asyncio.create_task(run(feed, initial),
                                                         name=f"tsdash-sim-ws-{key}")
            elif action == "unsubscribe":
                task = subscriptions.pop(key, None)
                if task is None:
                    await bad_request(f"No subscription with id {key!r}.")
                    continue
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await task
            else:
                await bad_request(f"Unknown action {action!r}; expected subscribe or unsubscribe.")
    except ConnectionError:
        pass
    finally:
        for task in subscriptions.values():
            task.cancel()
        for task in subscriptions.values():
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task
        request.app[WEBSOCKETS].discard(ws)
        engine.open_streams -= 1
    return ws


ROUTES = [web.get("/v3/ws", websocket, name="ws")]
