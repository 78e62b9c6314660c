"""Helpers for the tsdash.api tests: Recorder, wait_for, ScriptedServer, line()."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tsdash.api import BackoffPolicy, TokenManager


class Recorder:
    """Collects data messages, errors and status events; wait_until() polls a predicate."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.errors: list[Exception] = []
        self.events: list[str] = []
        self.event_times: list[tuple[str, float]] = []
        self.subs: list[Any] = []
        self._changed = asyncio.Event()

    def _poke(self) -> None:
        self._changed.set()

    async def on_data(self, msg: dict) -> None:
        self.messages.append(msg)
        self._poke()

    async def on_error(self, error: Exception) -> None:
        self.errors.append(error)
        self._poke()

    async def on_status(self, sub: Any, event: str) -> None:
        self.subs.append(sub)
        self.events.append(event)
        self.event_times.append((event, time.monotonic()))
        self._poke()

    def callbacks(self) -> dict[str, Any]:
        return {"callback": self.on_data, "error_callback": self.on_error,
                "status_callback": self.on_status}

    def errors_of(self, cls: type) -> list[Exception]:
        return [e for e in self.errors if isinstance(e, cls)]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0,
                         what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {what}; events={self.events} "
                    f"errors={[type(e).__name__ + ': ' + str(e) for e in self.errors]} "
                    f"messages={len(self.messages)}"
                )
            self._changed.clear()
            try:
                async with asyncio.timeout(min(remaining, 0.05)):
                    await self._changed.wait()
            except TimeoutError:
                pass


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0,
                   what: str = "condition") -> None:
    """Poll a predicate (for state that no callback reports, e.g. sim.open_streams)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


def token_manager_for(sim: Any, **options: Any) -> TokenManager:
    from tsdash.sim import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

    return TokenManager(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                        refresh_token=DEMO_REFRESH_TOKEN, token_url=sim.token_url, **options)


#: fast backoff for tests: 20 ms doubling to 80 ms, no jitter (rng at its maximum)
FAST_BACKOFF = BackoffPolicy(base=0.02, cap=0.08, rng=lambda: 1.0)


def stream_requests(sim: Any, fragment: str) -> list[Any]:
    """The simulator's recorded requests whose path contains fragment."""
    return [r for r in sim.requests if fragment in r.path]


# -- a scripted server, for what the simulator cannot be asked to do --------------------------
Script = Callable[[Any, Any], Awaitable[None]]


class ScriptedServer:
    """An aiohttp server whose stream handler runs a test's script: ``await script(request,
    resp)`` with ``resp`` a prepared chunked StreamResponse. Records each request."""

    def __init__(self) -> None:
        self.requests: list[Any] = []
        self.script: Script | None = None
        self.status_script: Callable[[Any], Any] | None = None
        self.open_streams = 0
        self.base_url = ""
        self._runner: Any = None

    async def start(self) -> None:
        from aiohttp import web

        async def stream(request: web.Request) -> web.StreamResponse:
            self.requests.append({"path": request.path, "query": dict(request.query),
                                  "headers": dict(request.headers)})
            if self.status_script is not None:
                early = self.status_script(request)
                if early is not None:
                    return early
            resp = web.StreamResponse(
                headers={"Content-Type": "application/vnd.tradestation.streams.v2+json"})
            await resp.prepare(request)
            self.open_streams += 1
            try:
                if self.script is not None:
                    await self.script(request, resp)
                await asyncio.sleep(3600)
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                self.open_streams -= 1
            return resp

        app = web.Application()
        app.router.add_get("/v3/{tail:.*}", stream)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/v3"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def line(obj: Any) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def api_tasks() -> list[asyncio.Task]:
    """Tasks tsdash.api started that are still pending (named "tsdash.api ...")."""
    return [t for t in asyncio.all_tasks()
            if t.get_name().startswith("tsdash.api ") and not t.done()]


def quote_ok(m: dict) -> bool:
    return isinstance(m, dict) and isinstance(m.get("Symbol"), str) and len(m) >= 2
