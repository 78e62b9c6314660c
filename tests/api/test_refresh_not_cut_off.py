"""A token refresh is never cut off halfway (issue 11, items 1 and 7): TradeStation rotates the
refresh token when it answers, so a refresh abandoned after the request was sent loses the new
token while the old one is already revoked, and the user is signed out. A balance poll's
read_timeout bounds its HTTP exchange only, and a caller cancelled mid-refresh leaves the
refresh to finish."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from aiohttp import web

from tsdash.api import TokenManager, TradeStationClient


class RotatingSignIn:
    """A sign-in server that answers slowly and rotates (revokes) the refresh token it took,
    beside a balances endpoint that answers at once."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.valid = {"r0"}
        self.refused = 0
        self._ids = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_post("/oauth/token", self.token)
        self.app.router.add_get("/v3/brokerage/accounts/{ids}/balances", self.balances)

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        old = str(form.get("refresh_token"))
        if old not in self.valid:
            self.refused += 1
            return web.json_response({"error": "invalid_grant"}, status=403)
        self.valid.discard(old)  # rotated: the old one is revoked as the request is taken
        new = f"r{next(self._ids)}"
        self.valid.add(new)
        await asyncio.sleep(self.delay)
        return web.json_response({"access_token": f"a-{new}", "refresh_token": new,
                                  "expires_in": 1200, "token_type": "Bearer"})

    async def balances(self, request: web.Request) -> web.Response:
        ids = request.match_info["ids"].split(",")
        return web.json_response({"Balances": [{"AccountID": a, "CashBalance": "1"}
                                               for a in ids], "Errors": []})


@pytest.fixture
async def signin():
    server = RotatingSignIn(delay=0.6)
    runner = web.AppRunner(server.app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    server.root = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield server
    await runner.cleanup()


def manager_for(signin: RotatingSignIn) -> TokenManager:
    return TokenManager(client_id="cid", client_secret="s", refresh_token="r0",
                        token_url=signin.root + "/oauth/token")


async def test_a_caller_cancelled_mid_refresh_does_not_lose_the_rotated_token(signin):
    tm = manager_for(signin)
    try:
        caller = asyncio.ensure_future(tm.get_token())
        await asyncio.sleep(0.2)  # the token request is at the server, which has rotated
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        assert await tm.get_token() == "a-r1"  # the refresh finished and was kept
        assert tm.refresh_token == "r1" and signin.refused == 0
    finally:
        await tm.close()


async def test_a_balance_poll_waiting_for_a_slow_refresh_is_not_a_stall(signin):
    tm = manager_for(signin)
    client = TradeStationClient(base_url=signin.root + "/v3", token_manager=tm,
                                read_timeout=0.3)
    seen: list[dict] = []
    errors: list[Exception] = []

    async def on_balance(balance: dict) -> None:
        seen.append(balance)

    async def on_error(error: Exception) -> None:
        errors.append(error)

    try:
        sub = await client.brokerage.stream_balance_changes(
            accounts=["SIM1"], interval=60, callback=on_balance, error_callback=on_error)
        assert sub.state == "live", sub.last_error
        assert not errors and [b["AccountID"] for b in seen] == ["SIM1"]
        assert tm.refresh_token == "r1" and signin.refused == 0
    finally:
        await client.close()
