"""/v3/ws: the JSON subscribe/unsubscribe protocol carrying the HTTP streams' payloads."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from sim_helpers import auth, validate, wait_for


async def receive(ws, count: int, timeout: float = 3.0, heartbeats: bool = False) -> list[dict]:
    out: list[dict] = []
    async with asyncio.timeout(timeout):
        while len(out) < count:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                out.append({"_closed": msg.type.name})
                break
            payload = json.loads(msg.data)
            if heartbeats or "Heartbeat" not in payload:
                out.append(payload)
    return out


async def test_upgrade_needs_a_token(sim, session):
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await session.ws_connect(sim.base_url + "/ws")
    assert info.value.status == 401


async def test_quotes_over_websocket_match_the_http_payload_shapes(sim, session):
    async with session.ws_connect(sim.base_url + "/ws", headers=auth(sim)) as ws:
        await wait_for(lambda: sim.open_streams == 1, what="the socket to count as a stream")
        await ws.send_json({"action": "subscribe", "id": "q1", "stream": "quotes",
                            "symbols": ["AAPL", "XYZ", "SPY"]})
        messages = await receive(ws, 12)
    assert [m.get("Symbol") for m in messages[:3]] == ["AAPL", "XYZ", "SPY"]
    assert messages[1] == {"Symbol": "XYZ", "Error": "FAILED, INVALID SYMBOL"}
    assert "PreviousClose" in messages[0] and "PreviousClose" not in messages[5]
    for message in messages[:1] + messages[3:]:
        validate(message, "QuoteStream")
    await wait_for(lambda: sim.open_streams == 0, what="the socket to be gone")


async def test_barcharts_and_unsubscribe(sim, session):
    async with session.ws_connect(sim.base_url + "/ws", headers=auth(sim)) as ws:
        await ws.send_json({"action": "subscribe", "id": "b1", "stream": "barcharts",
                            "symbol": "SPY", "interval": "1", "unit": "Minute", "barsback": 10})
        bars = await receive(ws, 10)
        assert [b["IsEndOfHistory"] for b in bars] == [False] * 9 + [True]
        for bar in bars:
            validate(bar, "Bar")
        await ws.send_json({"action": "unsubscribe", "id": "b1"})
        await asyncio.sleep(0.05)
        while True:  # drain what was in flight before the unsubscribe
            try:
                async with asyncio.timeout(0.05):
                    await ws.receive()
            except TimeoutError:
                break
        with pytest.raises(TimeoutError):  # nothing, not even heartbeats (0.5 s), once gone
            async with asyncio.timeout(0.8):
                await ws.receive()


async def test_account_streams_and_heartbeats(sim, session):
    async with session.ws_connect(sim.base_url + "/ws", headers=auth(sim)) as ws:
        await ws.send_json({"action": "subscribe", "id": "p", "stream": "positions",
                            "accounts": ["SIM1234568C"], "changes": True})
        messages = await receive(ws, 5)
        await ws.send_json({"action": "unsubscribe", "id": "p"})
        await ws.send_json({"action": "subscribe", "id": "idle", "stream": "quotes",
                            "symbols": "NOSUCH"})
        idle = []
        while len(idle) < 2:
            (message,) = await receive(ws, 1, heartbeats=True)
            if "PositionID" not in message:
                idle.append(message)
    end = messages.index({"StreamStatus": "EndSnapshot"})
    for position in messages[:end]:
        validate(position, "Position")
        assert position["AccountID"] == "SIM1234568C"
    assert idle[0] == {"Symbol": "NOSUCH", "Error": "FAILED, INVALID SYMBOL"}
    assert idle[1]["Heartbeat"] == 1


@pytest.mark.parametrize("frame, words", [
    ({"action": "subscribe", "id": "x", "stream": "trades"}, "Unknown stream"),
    ({"action": "subscribe", "stream": "quotes", "symbols": ["SPY"]}, "id"),
    ({"action": "subscribe", "id": "x", "stream": "quotes", "symbols": []}, "symbol"),
    ({"action": "subscribe", "id": "x", "stream": "barcharts", "symbol": "SPY",
      "unit": "Fortnightly"}, "unit"),
    ({"action": "dance", "id": "x"}, "action"),
    ({"action": "unsubscribe", "id": "never"}, "never"),
    ("not json at all", "JSON"),
])
async def test_bad_frames_get_bad_request(sim, session, frame, words):
    async with session.ws_connect(sim.base_url + "/ws", headers=auth(sim)) as ws:
        if isinstance(frame, str):
            await ws.send_str(frame)
        else:
            await ws.send_json(frame)
        (answer,) = await receive(ws, 1)
    assert answer["Error"] == "BadRequest" and words in answer["Message"]


async def test_goaway_fault_on_the_socket(sim, session):
    sim.faults.goaway(after=2, stream="ws")
    async with session.ws_connect(sim.base_url + "/ws", headers=auth(sim)) as ws:
        await ws.send_json({"action": "subscribe", "id": "q", "stream": "quotes",
                            "symbols": ["SPY", "QQQ", "AAPL"]})
        messages = await receive(ws, 5)
    assert [m.get("Symbol") for m in messages[:2]] == ["SPY", "QQQ"]
    assert messages[2] == {"Error": "GoAway", "Message": "The server is about to shut down."}
    assert messages[3] == {"_closed": "CLOSE"}
