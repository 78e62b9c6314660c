"""A server's words reach messages without escape sequences or control characters (issue 11,
item 13): an HTTP error body, an error inside a stream, a sign-in server's refusal."""

from __future__ import annotations

import pytest
from aiohttp import web
from api_helpers import Recorder, line

from tsdash.api import AuthError, TokenManager, TradeStationClient
from tsdash.api.errors import error_for_status, stream_error_from_message
from tsdash.api.text import clean_server_text

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x9b31mDown\tfor\r\nmaintenance\x1b[0m\x00\u202e"
UNSAFE = "\x1b\x07\x9b\x00\r\n\t\u202e"


async def serve(app: web.Application) -> web.AppRunner:
    """``app`` listening on a free loopback port (``runner.addresses`` tells which)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def is_clean(text: str) -> bool:
    return not any(ch in text for ch in UNSAFE) and "pwned" not in text


@pytest.mark.parametrize("raw,shown", [
    (HOSTILE, "Down for maintenance"),
    ("plain  words\n\nstay", "plain words stay"),
    ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ text", "link text"),
    ("unterminated title \x1b]0;forever", "unterminated title"),
    ("bell\x07 and DEL\x7f", "bell and DEL"),
    ("Ünïcödé € stays", "Ünïcödé € stays"),
])
def test_clean_server_text(raw, shown):
    assert clean_server_text(raw) == shown


def test_clean_server_text_caps_the_length():
    text = clean_server_text("x" * 5000)
    assert len(text) == 300 and text.endswith("…")
    assert clean_server_text("abcdef", limit=4) == "abc…"


def test_error_builders_clean_what_the_server_wrote():
    error = error_for_status(503, {}, {"Error": "X", "Message": HOSTILE}, "the quote stream")
    assert is_clean(str(error)) and "Down for maintenance" in str(error)
    error = stream_error_from_message(
        {"Symbol": "AAPL\x1b[2J", "Error": "FAILED\x07", "Message": HOSTILE}, "the quote stream")
    assert is_clean(str(error)) and "FAILED: Down for maintenance" in str(error)
    assert error.raw["Message"] == HOSTILE  # the message as sent is kept for the log


async def test_an_http_error_body_with_escapes_gives_a_clean_message(scripted):
    scripted.status_script = lambda request: web.json_response(
        {"Error": "X", "Message": HOSTILE}, status=400)
    rec = Recorder()
    client = TradeStationClient(base_url=scripted.base_url, access_token="t")
    try:
        sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
        assert sub.state == "failed"
        message = str(rec.errors[0])
        assert is_clean(message) and "Down for maintenance" in message
    finally:
        await client.close()


async def test_an_error_inside_a_stream_with_escapes_gives_a_clean_message(scripted):
    async def script(request, resp):
        await resp.write(line({"Symbol": "AAPL", "Error": "FAILED", "Message": HOSTILE}))

    scripted.script = script
    rec = Recorder()
    client = TradeStationClient(base_url=scripted.base_url, access_token="t")
    try:
        await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
        await rec.wait_until(lambda: rec.errors)
        message = str(rec.errors[0])
        assert is_clean(message) and "Down for maintenance" in message
    finally:
        await client.close()


async def test_a_sign_in_servers_refusal_with_escapes_gives_a_clean_message():
    async def token(request: web.Request) -> web.Response:
        return web.json_response({"error": "invalid_grant", "error_description": HOSTILE},
                                 status=403)

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    runner = await serve(app)
    port = runner.addresses[0][1]
    tm = TokenManager(client_id="cid", client_secret="s", refresh_token="r",
                      token_url=f"http://127.0.0.1:{port}/oauth/token")
    try:
        with pytest.raises(AuthError) as caught:
            await tm.get_token()
        assert is_clean(str(caught.value)) and "Down for maintenance" in str(caught.value)
        assert "tsdash login" in str(caught.value)
    finally:
        await tm.close()
        await runner.cleanup()


async def test_an_accounts_balance_error_with_escapes_gives_a_clean_message():
    async def balances(request: web.Request) -> web.Response:
        return web.json_response({"Balances": [], "Errors": [
            {"AccountID": "SIM1\x1b[2J", "Error": "FAILED\x07", "Message": HOSTILE}]})

    app = web.Application()
    app.router.add_get("/v3/brokerage/accounts/{ids}/balances", balances)
    runner = await serve(app)
    port = runner.addresses[0][1]
    rec = Recorder()
    client = TradeStationClient(base_url=f"http://127.0.0.1:{port}/v3", access_token="t")
    try:
        await client.brokerage.stream_balance_changes(accounts=["SIM1"], interval=60,
                                                      **rec.callbacks())
        await rec.wait_until(lambda: rec.errors)
        message = str(rec.errors[0])
        assert is_clean(message) and "Down for maintenance" in message
    finally:
        await client.close()
        await runner.cleanup()
