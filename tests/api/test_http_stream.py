"""NDJSON framing, liveness and line limits of HttpStream, against a scripted server whose
chunking the test controls exactly (the simulator covers the same faults in
test_broken_streams_recover.py, test_bad_lines_are_skipped.py and
test_rechunked_objects_arrive_whole.py; the framer alone is in test_ndjson_framer.py)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tsdash.api import (
    HttpStream,
    ProtocolError,
    StreamConnectionError,
    TradeStationClient,
)

from api_helpers import Recorder, ScriptedServer, line

QUOTES = [
    {"Symbol": "AAPL", "Bid": "189.10", "Ask": "189.12", "BidSize": "300"},
    {"Symbol": "MSFT", "Last": "412.5", "LastSize": "100", "TradeTime": "2026-11-25T14:30:00Z"},
    {"Symbol": "AAPL", "Last": "189.11", "Volume": "1234567", "MarketFlags": {"IsHalted": False}},
    {"Symbol": "NVDA", "Ask": "950.00", "Note": "snowman \u2603 and \U0001F600 survive splitting"},
]


async def _collect(scripted: ScriptedServer, script, n: int, read_timeout: float = 2.0,
                   recorder: Recorder | None = None) -> tuple[Recorder, TradeStationClient, object]:
    rec = recorder or Recorder()
    scripted.script = script
    client = TradeStationClient(base_url=scripted.base_url, access_token="tok-123",
                                read_timeout=read_timeout)
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT", "NVDA"], **rec.callbacks())
    await rec.wait_until(lambda: len(rec.messages) >= n, what=f"{n} messages")
    return rec, client, sub


async def test_object_split_at_every_byte_arrives_whole_and_in_order(scripted):
    payload = b"".join(line(q) for q in QUOTES)

    async def script(request, resp):
        for i in range(len(payload)):  # one byte per chunk: every object spans many chunks
            await resp.write(payload[i:i + 1])

    rec, client, sub = await _collect(scripted, script, len(QUOTES))
    try:
        assert rec.messages == QUOTES
        assert rec.errors == []
    finally:
        await client.close()


async def test_many_objects_packed_in_one_chunk_arrive_in_order(scripted):
    many = [dict(q, Seq=str(i)) for i in range(50) for q in QUOTES]
    payload = b"".join(line(q) for q in many)

    async def script(request, resp):
        # uneven chunks: some hold dozens of objects, boundaries fall inside objects
        cuts = [0, 5, 900, 901, 4000, len(payload) - 3, len(payload)]
        for a, b in zip(cuts, cuts[1:]):
            await resp.write(payload[a:b])

    rec, client, sub = await _collect(scripted, script, len(many))
    try:
        assert rec.messages == many
        assert rec.errors == []
    finally:
        await client.close()


async def test_request_carries_bearer_token_and_market_data_media_type(scripted):
    async def script(request, resp):
        await resp.write(line(QUOTES[0]))

    rec, client, sub = await _collect(scripted, script, 1)
    try:
        headers = scripted.requests[0]["headers"]
        assert headers["Authorization"] == "Bearer tok-123"
        assert headers["Accept"] == "application/vnd.tradestation.streams.v2+json"
        assert scripted.requests[0]["path"] == "/v3/marketdata/stream/quotes/AAPL,MSFT,NVDA"
    finally:
        await client.close()


async def test_slowly_trickling_object_is_alive_not_stalled(scripted):
    """read_timeout counts bytes, not lines: one object taking 4x read_timeout is fine."""
    payload = line(QUOTES[0])
    read_timeout = 0.3

    async def script(request, resp):
        step = 1.2 / len(payload)  # the whole object takes 1.2 s, a byte every ~25 ms
        for i in range(len(payload)):
            await resp.write(payload[i:i + 1])
            await asyncio.sleep(step)

    rec, client, sub = await _collect(scripted, script, 1, read_timeout=read_timeout)
    try:
        assert rec.messages == [QUOTES[0]]
        assert sub.state == "live"
        assert rec.errors == []
    finally:
        await client.close()


async def test_silence_longer_than_read_timeout_is_a_stall(scripted):
    async def script(request, resp):
        await resp.write(line(QUOTES[0]))
        await resp.write(b'{"Symbol": "AAPL", "Bid"')  # half an object, then nothing

    rec, client, sub = await _collect(scripted, script, 1, read_timeout=0.3)
    try:
        await rec.wait_until(lambda: sub.state == "disconnected", what="disconnected")
        assert isinstance(sub.last_error, StreamConnectionError)
        assert "read_timeout" in str(sub.last_error)
        assert rec.messages == [QUOTES[0]]  # the half object was never delivered
        await asyncio.sleep(0.1)
        assert scripted.open_streams == 0  # the stalled response was closed
    finally:
        await client.close()


async def test_heartbeats_and_blank_lines_are_not_data(scripted):
    async def script(request, resp):
        await resp.write(b'{"Heartbeat": 1, "Timestamp": "2026-11-25T14:30:00Z"}\n\n\r\n')
        await resp.write(line(QUOTES[0]) + b'{"Heartbeat": 2, "Timestamp": "x"}\n')
        await resp.write(line(QUOTES[1]))

    rec, client, sub = await _collect(scripted, script, 2)
    try:
        await asyncio.sleep(0.05)
        assert rec.messages == QUOTES[:2]
        assert rec.errors == []
    finally:
        await client.close()


async def test_crlf_line_endings_are_accepted(scripted):
    async def script(request, resp):
        await resp.write(b"".join(json.dumps(q).encode() + b"\r\n" for q in QUOTES))

    rec, client, sub = await _collect(scripted, script, len(QUOTES))
    try:
        assert rec.messages == QUOTES
    finally:
        await client.close()


async def test_overlong_line_is_skipped_without_buffering_it(scripted):
    big = b'{"Symbol": "AAPL", "Junk": "' + b"x" * (3 * 1024 * 1024) + b'"}\n'

    async def script(request, resp):
        await resp.write(line(QUOTES[0]))
        for i in range(0, len(big), 64 * 1024):
            await resp.write(big[i:i + 64 * 1024])
        await resp.write(line(QUOTES[1]))

    rec, client, sub = await _collect(scripted, script, 2, read_timeout=5.0)
    try:
        assert rec.messages == QUOTES[:2]
        errors = rec.errors_of(ProtocolError)
        assert len(errors) == 1 and "longer than" in str(errors[0])
        assert sub.state == "live"
    finally:
        await client.close()


async def test_non_object_json_is_a_protocol_error_and_skipped(scripted):
    async def script(request, resp):
        await resp.write(b'[1, 2]\n"END"\n' + line(QUOTES[0]))

    rec, client, sub = await _collect(scripted, script, 1)
    try:
        await rec.wait_until(lambda: len(rec.errors) >= 2, what="two protocol errors")
        assert rec.messages == [QUOTES[0]]
        assert all(isinstance(e, ProtocolError) for e in rec.errors)
    finally:
        await client.close()


async def test_invalid_utf8_line_is_skipped_others_delivered(scripted):
    async def script(request, resp):
        await resp.write(line(QUOTES[0]) + b'{"Symbol": "\xff\xfe"}\n' + line(QUOTES[1]))

    rec, client, sub = await _collect(scripted, script, 2)
    try:
        assert rec.messages == QUOTES[:2]
        assert len(rec.errors_of(ProtocolError)) == 1
    finally:
        await client.close()


async def test_deleted_position_passes_through_unchanged(scripted):
    deleted = {"PositionID": "64630792", "Deleted": True}

    async def script(request, resp):
        await resp.write(line({"PositionID": "64630792", "Symbol": "MSFT", "Quantity": "10"}))
        await resp.write(b'{"StreamStatus": "EndSnapshot"}\n' + line(deleted))

    scripted_rec = Recorder()
    scripted.script = script
    client = TradeStationClient(base_url=scripted.base_url, access_token="t")
    try:
        sub = await client.brokerage.stream_position_changes(accounts=["11111111"],
                                                             **scripted_rec.callbacks())
        await scripted_rec.wait_until(lambda: len(scripted_rec.messages) >= 2)
        assert scripted_rec.messages[1] == deleted
        assert scripted_rec.messages[1] is not deleted
        req = scripted.requests[0]
        assert req["path"] == "/v3/brokerage/stream/accounts/11111111/positions"
        assert req["query"] == {"changes": "true"}
        assert req["headers"]["Accept"] == "application/vnd.tradestation.streams.v3+json"
        assert "snapshot_end" in scripted_rec.events
        assert sub.state == "live"
    finally:
        await client.close()


async def test_standalone_httpstream_start_and_close(scripted):
    """The Stream interface on its own: set_callback, start (connect + background read),
    close; the server sees the connection end."""
    import aiohttp

    async def script(request, resp):
        await resp.write(line(QUOTES[0]))

    scripted.script = script
    rec = Recorder()
    async with aiohttp.ClientSession() as session:
        stream = HttpStream(f"{scripted.base_url}/marketdata/stream/quotes/AAPL",
                            session=session, read_timeout=2.0)
        stream.set_callback(rec.on_data)
        await stream.start({"Authorization": "Bearer t"})
        await rec.wait_until(lambda: rec.messages)
        assert scripted.open_streams == 1
        await stream.close()
        await stream.close()  # idempotent
        assert stream.closed
        for _ in range(50):
            if scripted.open_streams == 0:
                break
            await asyncio.sleep(0.02)
        assert scripted.open_streams == 0
    assert rec.messages == [QUOTES[0]]


@pytest.mark.parametrize("status,final", [(400, True), (403, True), (404, True), (500, False),
                                          (503, False)])
async def test_http_status_classification(scripted, status, final):
    from aiohttp import web

    scripted.status_script = lambda request: web.json_response(
        {"Error": "X", "Message": "explained by the server"}, status=status)
    rec = Recorder()
    client = TradeStationClient(base_url=scripted.base_url, access_token="secret-token-value")
    try:
        sub = await client.market_data.stream_quotes(["AAPL"], **rec.callbacks())
        assert sub.state == ("failed" if final else "disconnected")
        assert sub.last_error is rec.errors[0]
        assert rec.errors[0].status == status
        assert "explained by the server" in str(rec.errors[0])
        assert "secret-token-value" not in str(rec.errors[0])
        assert rec.messages == []
    finally:
        await client.close()


async def test_goaway_is_acted_on_without_waiting_for_the_server_to_close(scripted):
    """The server says GoAway but keeps the connection open: the client opens the new request
    and closes the old response itself."""
    async def script(request, resp):
        await resp.write(line(QUOTES[0]))
        if len(scripted.requests) == 1:
            await resp.write(b'{"Error": "GoAway", "Message": "The server is shutting down."}\n')
        else:
            await resp.write(line(QUOTES[1]))

    rec, client, sub = await _collect(scripted, script, 3)
    try:
        assert rec.messages == [QUOTES[0], QUOTES[0], QUOTES[1]]
        assert len(scripted.requests) == 2
        for _ in range(50):
            if scripted.open_streams == 1:
                break
            await asyncio.sleep(0.02)
        assert scripted.open_streams == 1  # the first response was closed by the client
        assert rec.errors == [] and sub.state == "live"
        assert "reconnecting" in rec.events and "disconnected" not in rec.events
    finally:
        await client.close()


async def test_account_streams_take_25_accounts_each_with_one_snapshot(scripted):
    accounts = [f"ACC{i:03d}" for i in range(30)]

    async def script(request, resp):
        ids = request.match_info["tail"].split("/")[3].split(",")
        await resp.write(b"".join(line({"OrderID": f"{a}-1", "AccountID": a}) for a in ids))
        await asyncio.sleep(0.05 * len(ids) / 25)
        await resp.write(b'{"StreamStatus": "EndSnapshot"}\n')

    scripted.script = script
    rec = Recorder()
    client = TradeStationClient(base_url=scripted.base_url, access_token="t",
                                max_concurrent_streams=2)
    try:
        sub = await client.order_execution.stream_order_updates(accounts=accounts,
                                                                **rec.callbacks())
        assert client.stream_manager.active_count == 2 and len(sub.streams) == 2
        paths = sorted(r["path"] for r in scripted.requests)
        assert [len(p.split("/")[5].split(",")) for p in paths] == [25, 5]
        assert all(p.endswith("/orders") for p in paths)
        await rec.wait_until(lambda: "snapshot_end" in rec.events, what="snapshot_end")
        await asyncio.sleep(0.1)
        # one snapshot for the caller, ending once every stream finished its part (the start
        # comes as soon as the first stream answered, before the other one may be live)
        assert sorted(rec.events) == ["connecting", "live", "snapshot_end", "snapshot_start"]
        assert rec.events[0] == "connecting" and rec.events[-1] == "snapshot_end"
        assert sorted(m["AccountID"] for m in rec.messages) == accounts
    finally:
        await client.close()
