"""TokenManager against a scripted token endpoint: single flight, rotation kept, refresh ahead
of expiry, refused refresh, no token in messages; exchange_code."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web

from tsdash.api import AuthError, StreamConnectionError, TokenManager, exchange_code
from tsdash.api.auth import refresh_margin


class TokenServer:
    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.expires_in = 1200
        self.rotate = False
        self.refuse = False
        self.delay = 0.0
        self.status = 200
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handler(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.posts.append(form)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return web.json_response({"error": "invalid_grant",
                                      "error_description": "Unknown or invalid refresh token."},
                                     status=403)
        if self.status != 200:
            return web.json_response({"error": "oops"}, status=self.status)
        n = len(self.posts)
        body = {"access_token": f"access-{n}", "token_type": "Bearer",
                "expires_in": self.expires_in, "scope": "openid MarketData"}
        if form.get("grant_type") == "authorization_code":
            body["refresh_token"] = "first-refresh"
        elif self.rotate:
            body["refresh_token"] = f"rotated-{n}"
        return web.json_response(body)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/oauth/token", self.handler)
        self._runner = runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}/oauth/token"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def token_server():
    server = TokenServer()
    await server.start()
    yield server
    await server.stop()


def manager(server: TokenServer, **kw) -> TokenManager:
    return TokenManager(client_id="cid", client_secret="csecret", refresh_token="refresh-0",
                        token_url=server.url, **kw)


async def test_many_concurrent_callers_cause_one_refresh(token_server):
    token_server.delay = 0.1
    tm = manager(token_server)
    try:
        tokens = await asyncio.gather(*(tm.get_token() for _ in range(50)))
        assert set(tokens) == {"access-1"}
        assert len(token_server.posts) == 1
        assert token_server.posts[0] == {"grant_type": "refresh_token", "client_id": "cid",
                                         "refresh_token": "refresh-0",
                                         "client_secret": "csecret"}
        # forced refreshes after a 401 with the same stale token: still one request
        tokens = await asyncio.gather(*(tm.refresh(stale_token="access-1") for _ in range(20)))
        assert set(tokens) == {"access-2"} and len(token_server.posts) == 2
    finally:
        await tm.close()


async def test_rotated_refresh_token_is_kept_and_reported(token_server):
    token_server.rotate = True
    seen: list[str] = []
    tm = manager(token_server, on_refresh_token=seen.append)
    try:
        await tm.get_token()
        assert tm.refresh_token == "rotated-1" and seen == ["rotated-1"]
        await tm.refresh(stale_token=tm.access_token)
        assert token_server.posts[1]["refresh_token"] == "rotated-1"  # the new one is used
        assert tm.refresh_token == "rotated-2" and seen == ["rotated-1", "rotated-2"]
    finally:
        await tm.close()


async def test_async_on_refresh_token_callback(token_server):
    token_server.rotate = True
    seen: list[str] = []

    async def persist(token: str) -> None:
        seen.append(token)

    tm = manager(token_server, on_refresh_token=persist)
    try:
        await tm.get_token()
        assert seen == ["rotated-1"]
    finally:
        await tm.close()


async def test_refresh_happens_ahead_of_expiry(token_server):
    now = [1000.0]
    token_server.expires_in = 1200
    tm = manager(token_server, clock=lambda: now[0])
    try:
        assert await tm.get_token() == "access-1"
        margin = refresh_margin(1200)
        assert margin == 120.0  # max(60 s, 10 %)
        now[0] += 1200 - margin - 1
        assert await tm.get_token() == "access-1"  # still valid
        now[0] += 2
        assert await tm.get_token() == "access-2"  # inside the margin: refreshed early
        assert refresh_margin(300) == 60.0
    finally:
        await tm.close()


async def test_refused_refresh_is_an_auth_error_without_tokens(token_server, caplog):
    caplog.set_level(logging.DEBUG)
    token_server.refuse = True
    tm = manager(token_server)
    try:
        with pytest.raises(AuthError) as info:
            await tm.get_token()
        message = str(info.value)
        assert "tsdash login" in message
        assert "refresh-0" not in message and "csecret" not in message
        assert "refresh-0" not in caplog.text and "csecret" not in caplog.text
        assert "refresh-0" not in repr(tm)
    finally:
        await tm.close()


async def test_a_new_sign_in_replaces_a_refused_refresh_token(token_server):
    token_server.refuse = True
    tm = manager(token_server)
    try:
        with pytest.raises(AuthError):
            await tm.get_token()
        token_server.refuse = False
        tm.use_refresh_token("refresh-from-login")
        assert tm.access_token is None and tm.refresh_token == "refresh-from-login"
        assert await tm.get_token() == "access-2"
        assert token_server.posts[-1]["refresh_token"] == "refresh-from-login"
        tm.use_refresh_token("refresh-from-login")  # the same token again: nothing to do
        assert await tm.get_token() == "access-2" and len(token_server.posts) == 2
        with pytest.raises(ValueError):
            tm.use_refresh_token("")
    finally:
        await tm.close()


async def test_concurrent_callers_share_a_failed_refresh(token_server):
    token_server.refuse = True
    token_server.delay = 0.05
    tm = manager(token_server)
    try:
        results = await asyncio.gather(*(tm.get_token() for _ in range(10)),
                                       return_exceptions=True)
        assert all(isinstance(r, AuthError) for r in results)
        assert len(token_server.posts) == 1
    finally:
        await tm.close()


async def test_token_server_error_is_retryable_connection_error(token_server):
    token_server.status = 503
    tm = manager(token_server)
    try:
        with pytest.raises(StreamConnectionError):
            await tm.get_token()
        token_server.status = 200
        assert await tm.get_token() == "access-2"
    finally:
        await tm.close()


async def test_exchange_code(token_server):
    async with aiohttp.ClientSession() as session:
        tokens = await exchange_code(session, token_server.url, "cid", "csecret", "the-code",
                                     "http://localhost:3001")
    assert tokens["access_token"] == "access-1" and tokens["refresh_token"] == "first-refresh"
    assert token_server.posts[0] == {"grant_type": "authorization_code", "client_id": "cid",
                                     "code": "the-code", "redirect_uri": "http://localhost:3001",
                                     "client_secret": "csecret"}
    token_server.refuse = True
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AuthError) as info:
            await exchange_code(session, token_server.url, "cid", "csecret", "bad", "http://x")
    assert "tsdash login" in str(info.value)


async def test_streams_opened_together_share_one_refresh_on_the_simulator(make_sim, make_client):
    from api_helpers import Recorder

    sim = await make_sim()
    client = make_client(sim)
    rec = Recorder()
    subs = await asyncio.gather(*(
        client.market_data.stream_quotes([sym], **rec.callbacks())
        for sym in ("AAPL", "MSFT", "SPY", "QQQ", "NVDA")))
    assert all(s.state == "live" for s in subs)
    assert client.token_manager.refresh_count == 1
    assert len([r for r in sim.requests if r.path.endswith("/oauth/token")]) == 1
    # every token expires: each reconnect gets a 401, and all share one refresh
    sim.expire_tokens()
    await asyncio.gather(*(s.reconnect() for s in subs))
    assert all(s.state == "live" for s in subs)
    assert client.token_manager.refresh_count == 2
