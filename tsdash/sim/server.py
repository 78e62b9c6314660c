"""The aiohttp application and `start_simulator()`, the in-process entry point.

A middleware in front of every route records the request, starts the shared clock on the first /v3
request, applies request faults (401/429/5xx), checks the bearer token and the Accept header, and
turns every error (unknown path, bad parameter, unexpected exception) into TradeStation's JSON error
shape instead of a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass

from aiohttp import WSCloseCode, web

from . import (
    routes_brokerage,
    routes_marketdata,
    routes_options,
    routes_orders,
    routes_v2,
    routes_ws,
)
from .auth import RedirectPolicy, TokenStore, make_auth_routes
from .engine import Engine
from .errors import TSHTTPError, ts_error
from .faults import Fault, FaultInjector
from .keys import ENGINE
from .routes_ws import WEBSOCKETS

log = logging.getLogger("tsdash.sim")

#: route name -> the fault stream name (`stream=`) a request fault aimed at that stream matches
STREAM_ROUTES = {"quotes": "quotes", "barcharts": "barcharts", "orders": "orders",
                 "orders-by-id": "orders", "positions": "positions", "ws": "ws",
                 "option-chains": "optionchains", "option-quotes": "optionquotes",
                 "marketdepth-quotes": "marketdepth", "marketdepth-aggregates": "marketdepth",
                 "v2-tickbars": "tickbars"}
# X-RateLimit-Resource names, after TradeStation's rate-limit table.
RATE_RESOURCES = {"quotes": "Quote Change Stream", "barcharts": "Barchart Stream",
                  "orders": "Order Stream", "positions": "Positions Stream", "ws": "WebSocket",
                  "accounts": "Accounts", "balances": "Balances", "rest-positions": "Positions",
                  "rest-orders": "Order Details", "rest-quotes": "Quote Snapshot",
                  "rest-barcharts": "Barcharts", "place-order": "Orders",
                  "cancel-order": "Orders", "orders-by-id": "Order Stream by Order Id",
                  "option-chains": "Option Chain Stream", "option-quotes": "Option Quote Stream",
                  "marketdepth-quotes": "MarketDepth Stream",
                  "marketdepth-aggregates": "MarketDepth Stream", "v2-tickbars": "TickBar Stream"}
_ACCEPTABLE = ("*/*", "application/*", "application/json")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str
    query: dict
    authorized: bool


def _accepts(header: str | None) -> bool:
    """JSON, either TradeStation streams media type, wildcards, or no Accept header at all."""
    if not header or not header.strip():
        return True
    for item in header.split(","):
        media = item.split(";")[0].strip().lower()
        if media in _ACCEPTABLE or (media.startswith("application/vnd.tradestation.streams")
                                    and media.endswith("json")):
            return True
    return False


def _request_fault_response(fault: Fault, route_name: str | None) -> web.Response:
    """The fault's answer in TradeStation's error shape (v2's for the /v2 tick-bar stream)."""
    headers: dict[str, str] = {}
    if fault.kind == "unauthorized":
        status, message = 401, "The access token is invalid or has expired."
    elif fault.kind == "rate_limit":
        retry = max(0, math.ceil(fault.retry_after))
        headers = {
            "X-RateLimit-Limit": "500",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(retry),
            "X-RateLimit-Period": "300",
            "X-RateLimit-Resource": RATE_RESOURCES.get(route_name or "", "Web API"),
            "Retry-After": str(retry),
        }
        status, message = 429, "Rate quota exceeded"
    else:
        status, message = fault.status, ("The service is temporarily unavailable."
                                          if fault.status == 503
                                          else "The simulator was told to fail this request.")
    if route_name == "v2-tickbars":
        answer = routes_v2.v2_error(status, message)
        answer.headers.update(headers)
        return answer
    return ts_error(status, message, headers=headers or None)


def _make_middleware(engine: Engine, tokens: TokenStore, records: list[RequestRecord]):
    @web.middleware
    async def middleware(request: web.Request, handler):
        problem = tokens.check(request.headers.get("Authorization"))
        records.append(RequestRecord(request.method, request.path, dict(request.query),
                                     problem is None))
        try:
            if request.path == "/v3" or request.path.startswith("/v3/"):
                engine.start_clock()
                match = request.match_info
                if match.http_exception is not None:
                    raise match.http_exception
                name = match.route.name
                fault = engine.faults.take_request_fault(STREAM_ROUTES.get(name or ""))
                if fault is not None:
                    return _request_fault_response(fault, name)
                if problem is not None:
                    return ts_error(401, problem)
                if not _accepts(request.headers.get("Accept")):
                    return ts_error(406, "Accept must allow application/json or "
                                         "application/vnd.tradestation.streams.v2+json / v3+json.")
            elif (name := request.match_info.route.name) == "v2-tickbars":
                # The /v2 stream checks its own token; request faults reach it here.
                fault = engine.faults.take_request_fault(STREAM_ROUTES[name])
                if fault is not None:
                    return _request_fault_response(fault, name)
            return await handler(request)
        except TSHTTPError as exc:
            return exc.response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            if exc.status == 404:
                return ts_error(404, f"No such endpoint: {request.method} {request.path}")
            if exc.status == 405:
                return ts_error(405, f"{request.method} is not allowed on {request.path}")
            return ts_error(exc.status, exc.reason)
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception:
            log.exception("unexpected error answering %s %s", request.method, request.path)
            return ts_error(500, "The simulator hit an internal error; see its log.")

    return middleware


class Simulator:
    """A running simulator: URLs, test hooks, and a clean stop()."""

    def __init__(self, engine: Engine, tokens: TokenStore, app: web.Application,
                 runner: web.AppRunner, host: str, port: int,
                 records: list[RequestRecord]) -> None:
        self._engine = engine
        self._tokens = tokens
        self._app = app
        self._runner = runner
        self.host = host
        self.port = port
        self.requests = records
        url_host = f"[{host}]" if ":" in host else host
        self.root_url = f"http://{url_host}:{port}"
        self.base_url = self.root_url + "/v3"
        self.token_url = self.root_url + "/oauth/token"
        self.authorize_url = self.root_url + "/authorize"
        self._stopped = False

    @property
    def faults(self) -> FaultInjector:
        return self._engine.faults

    @property
    def open_streams(self) -> int:
        return self._engine.open_streams

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def seed(self) -> int:
        return self._engine.seed

    def issue_token(self) -> str:
        return self._tokens.issue()

    def expire_tokens(self) -> None:
        self._tokens.expire_all()

    def revoke_token(self, token: str) -> None:
        """As if the user revoked a refresh token at TradeStation (or it was rotated away)."""
        self._tokens.revoke(token)

    def is_revoked(self, token: str) -> bool:
        return self._tokens.is_revoked(token)

    def advance(self, n: int = 1) -> None:
        self._engine.advance(n)

    async def stop(self) -> None:
        """Close every stream and socket, stop the clock; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        await self._engine.stop()
        for ws in self._app[WEBSOCKETS].copy():  # closing one removes it from the set
            with contextlib.suppress(ConnectionError):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"simulator stopping")
        # Give stream handlers a moment to send their last chunk before connections are closed.
        deadline = time.monotonic() + 1.0
        while self._engine.open_streams and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await self._runner.cleanup()

    async def __aenter__(self) -> Simulator:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.stop()


def build_app(engine: Engine, tokens: TokenStore, records: list[RequestRecord],
              root_url) -> web.Application:
    app = web.Application(middlewares=[_make_middleware(engine, tokens, records)])
    app[ENGINE] = engine
    app[WEBSOCKETS] = set()
    app.add_routes(make_auth_routes(tokens, root_url))
    app.add_routes(routes_marketdata.ROUTES)
    app.add_routes(routes_options.ROUTES)
    app.add_routes(routes_v2.ROUTES)
    app.add_routes(routes_brokerage.ROUTES)
    app.add_routes(routes_orders.ROUTES)
    app.add_routes(routes_ws.ROUTES)
    return app


async def start_simulator(host: str = "127.0.0.1", port: int = 0, seed: int = 1,
                          clock: str = "real", heartbeat_interval: float = 5.0,
                          token_expires_in: int = 1200, demo_trader: bool = True,
                          quote_rate: float | None = None,
                          rotate_refresh_tokens: bool = False, redirect_uris=()) -> Simulator:
    """Start the simulator on this event loop; port 0 picks a free port. Stop it with stop().

    `redirect_uris`: sign-in callbacks allowed besides TradeStation's defaults (any other one,
    another localhost port too, is refused as TradeStation refuses it).

    Raises OSError (errno EADDRINUSE) when the port is taken, ValueError for bad settings.
    """
    redirects = RedirectPolicy(redirect_uris)
    engine = Engine(seed=seed, clock=clock, heartbeat_interval=heartbeat_interval,
                    demo_trader=demo_trader, quote_rate=quote_rate)
    tokens = TokenStore(token_expires_in, rotate_refresh_tokens, redirects)
    records: list[RequestRecord] = []
    holder: dict[str, str] = {}
    app = build_app(engine, tokens, records, lambda: holder["root"])
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        await engine.stop()
        raise
    bound = [a for a in runner.addresses if isinstance(a, tuple)]
    actual_port = bound[0][1] if bound else port
    sim = Simulator(engine, tokens, app, runner, host, actual_port, records)
    holder["root"] = sim.root_url
    log.info("simulator listening on %s (seed %s, clock %s)", sim.base_url, seed, clock)
    return sim


__all__ = ["RequestRecord", "Simulator", "build_app", "start_simulator"]
