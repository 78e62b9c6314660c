"""Every injected fault does what it says, seen from a plain aiohttp reader."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from sim_helpers import auth, read_messages, validate, wait_for

from tsdash.sim.faults import FAULT_HELP, FaultInjector, apply_fault_spec, parse_fault_spec

QUOTES = "/marketdata/stream/quotes/SPY,QQQ,AAPL,MSFT,NVDA,TSLA"
ORDERS = "/brokerage/stream/accounts/SIM1234567M,SIM1234568C/orders"
GOAWAY_ERROR = {"Error": "GoAway", "Message": "The server is about to shut down."}
GOAWAY_STATUS = {"StreamStatus": "GoAway"}


async def raw_until_end(resp, timeout: float = 5.0) -> tuple[bytes, BaseException | None]:
    """Every byte of the body, and the error that ended it (None for a clean end)."""
    data = b""
    try:
        async with asyncio.timeout(timeout):
            async for piece in resp.content.iter_any():
                data += piece
    except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
        return data, exc
    return data, None


async def test_goaway_market_data_shape_then_the_server_closes(sim, session):
    sim.faults.goaway(after=3, stream="quotes")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        data, error = await raw_until_end(resp)
    assert error is None, "GoAway ends the chunked body properly"
    lines = [json.loads(line) for line in data.splitlines()]
    assert len([m for m in lines if "Heartbeat" not in m]) == 4
    assert lines[-1] == GOAWAY_ERROR
    validate(lines[-1], "StreamErrorResponse")
    await wait_for(lambda: sim.open_streams == 0, what="the stream to be gone")


async def test_goaway_brokerage_shape_on_orders(sim, session):
    sim.faults.goaway(after=1, stream="orders")
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        data, error = await raw_until_end(resp)
    lines = [json.loads(line) for line in data.splitlines()]
    assert error is None
    assert "OrderID" in lines[0]
    assert lines[1:] == [GOAWAY_STATUS]
    validate(lines[1], "StreamStatus")


@pytest.mark.parametrize("shape, expected", [("status", GOAWAY_STATUS), ("error", GOAWAY_ERROR)])
async def test_goaway_shape_can_be_forced(sim, session, shape, expected):
    sim.faults.goaway(after=0, shape=shape)
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        data, _ = await raw_until_end(resp)
    assert [json.loads(line) for line in data.splitlines()] == [expected]


async def test_times_and_stream_filter(sim, session):
    fault = sim.faults.goaway(after=0, stream="quotes", times=2)
    for _ in range(2):
        async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
            assert await read_messages(resp, 2) == [GOAWAY_ERROR]
    assert fault.fired == 2 and sim.faults.armed == []
    sim.faults.goaway(after=0, stream="orders")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        messages = await read_messages(resp, 3)
    assert all("Symbol" in m for m in messages), "an orders fault leaves quotes alone"


async def test_goaway_reaches_an_already_open_idle_stream(fixed_sim, session):
    sim = fixed_sim
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        await read_messages(resp, until=lambda m: m == {"StreamStatus": "EndSnapshot"})
        sim.faults.goaway(after=0, stream="orders")
        rest = await read_messages(resp, timeout=2)
    assert rest[-1] == GOAWAY_STATUS


async def test_drop_mid_object_cuts_the_connection_inside_a_line(sim, session):
    sim.faults.drop_mid_object(after=2, stream="quotes")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        data, error = await raw_until_end(resp)
    assert error is not None, "the client must see the connection end, not a clean EOF"
    complete, _, partial = data.rpartition(b"\n")
    assert len(complete.splitlines()) == 2
    assert partial.startswith(b"{") and len(partial) > 10
    with pytest.raises(json.JSONDecodeError):
        json.loads(partial)
    await wait_for(lambda: sim.open_streams == 0, what="the server to forget the stream")


async def test_stall_sends_no_bytes_at_all_then_resumes(sim, session):
    sim.faults.stall(after=2, seconds=1.2, stream="quotes")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        arrivals: list[tuple[float, bytes]] = []
        async with asyncio.timeout(5):
            while sum(p.count(b"\n") for _, p in arrivals) < 12:
                piece = await resp.content.readany()
                arrivals.append((time.monotonic(), piece))
    gaps = [b[0] - a[0] for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert max(gaps) >= 1.1, "a stall of 1.2 s with 0.5 s heartbeats: no bytes, no heartbeats"
    after_stall = b"".join(p for _, p in arrivals[gaps.index(max(gaps)) + 1:])
    assert after_stall.strip(), "the stream carries on after the stall"


BALANCES = "/brokerage/accounts/SIM1234567M,SIM1234568C/balances"


async def test_stall_on_balances_holds_the_rest_answer_after_n(sim, session):
    """stream="balances": the balances REST answer (what the balance poller asks) waits; the
    answers before `after` and after the stall are immediate; other streams are not touched."""
    sim.faults.stall(after=1, seconds=1.0, stream="balances")

    async def timed_get() -> tuple[float, dict]:
        started = time.monotonic()
        async with session.get(sim.base_url + BALANCES, headers=auth(sim)) as resp:
            assert resp.status == 200
            body = await resp.json()
        return time.monotonic() - started, body

    first, _ = await timed_get()
    held, body = await timed_get()
    last, _ = await timed_get()
    assert held >= 0.95, "the second request waits out the stall"
    assert first < 0.9 and last < 0.9
    assert [b["AccountID"] for b in body["Balances"]] == ["SIM1234567M", "SIM1234568C"]
    assert sim.faults.armed == []


async def test_stall_for_any_stream_leaves_balances_alone(sim, session):
    sim.faults.stall(seconds=5)
    started = time.monotonic()
    async with session.get(sim.base_url + BALANCES, headers=auth(sim)) as resp:
        assert resp.status == 200
    assert time.monotonic() - started < 2.0
    assert len(sim.faults.armed) == 1


async def test_a_client_leaving_a_stalled_balances_request_ends_it(sim, session):
    sim.faults.stall(seconds=30, stream="balances")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await session.get(sim.base_url + BALANCES, headers=auth(sim))
    started = time.monotonic()
    await sim.stop()  # no handler left waiting out the 30 s
    assert time.monotonic() - started < 1.5


async def test_malformed_line_then_the_stream_goes_on(sim, session):
    sim.faults.malformed_line(after=2, stream="quotes")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        lines = [await resp.content.readline() for _ in range(6)]
    json.loads(lines[0]), json.loads(lines[1])
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[2])
    assert lines[2].endswith(b"\n")
    for line in lines[3:]:
        assert "Symbol" in json.loads(line) or "Heartbeat" in json.loads(line)


async def test_overlong_line_is_one_valid_line_of_the_given_size(sim, session):
    size = 300_000
    sim.faults.overlong_line(after=1, size=size, stream="quotes")
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        data = b""
        async with asyncio.timeout(5):
            while data.count(b"\n") < 4:
                data += await resp.content.readany()
    lines = data.split(b"\n")
    assert len(lines[1]) + 1 == size
    json.loads(lines[1])
    json.loads(lines[2])


async def test_unauthorized_answers_401_once(sim, session):
    sim.faults.unauthorized(times=1, stream="quotes")
    headers = auth(sim)
    async with session.get(sim.base_url + QUOTES, headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json())["Error"] == "Unauthorized"
    async with session.get(sim.base_url + QUOTES, headers=headers) as resp:
        assert resp.status == 200


async def test_rate_limit_answers_429_with_tradestation_headers(sim, session):
    sim.faults.rate_limit(times=1, retry_after=3)
    url = sim.base_url + "/brokerage/accounts"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 429
        assert await resp.json() == {"Error": "TooManyRequests", "Message": "Rate quota exceeded"}
        for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                       "X-RateLimit-Resource"):
            assert header in resp.headers
        assert resp.headers["Retry-After"] == "3"
        assert resp.headers["X-RateLimit-Remaining"] == "0"
        assert resp.headers["X-RateLimit-Resource"] == "Accounts"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200


@pytest.mark.parametrize("status, name", [(503, "ServiceUnavailable"),
                                          (500, "InternalServerError"), (504, "GatewayTimeout")])
async def test_server_error(sim, session, status, name):
    sim.faults.server_error(times=1, status=status, stream="orders")
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        assert resp.status == status
        assert (await resp.json())["Error"] == name
    async with session.get(sim.base_url + ORDERS, headers=auth(sim)) as resp:
        assert resp.status == 200


async def test_rechunk_splits_objects_across_chunks_and_packs_several_into_one(sim, session):
    sim.faults.rechunk(True)
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        chunks, current = [], b""
        async with asyncio.timeout(5):
            async for data, end_of_chunk in resp.content.iter_chunks():
                current += data
                if end_of_chunk:
                    chunks.append(current)
                    current = b""
                if len(chunks) >= 40:
                    break
    split = [c for c in chunks if not c.endswith(b"\n")]
    packed = [c for c in chunks if c.count(b"\n") >= 2]
    assert split, "some chunk ends in the middle of an object"
    assert packed, "some chunk carries several objects"
    body = b"".join(chunks)
    for line in body[: body.rfind(b"\n")].split(b"\n"):
        json.loads(line)


async def test_clear_disarms_everything(sim, session):
    sim.faults.goaway(after=0)
    sim.faults.rechunk(True)
    sim.faults.clear()
    assert sim.faults.armed == [] and not sim.faults.rechunking
    async with session.get(sim.base_url + QUOTES, headers=auth(sim)) as resp:
        messages = await read_messages(resp, 6)
    assert [m["Symbol"] for m in messages] == ["SPY", "QQQ", "AAPL", "MSFT", "NVDA", "TSLA"]


def test_cli_specs():
    assert parse_fault_spec("goaway:after=50,stream=quotes") == (
        "goaway", {"after": 50, "stream": "quotes"})
    assert parse_fault_spec("stall:after=3,seconds=2.5") == ("stall", {"after": 3, "seconds": 2.5})
    assert parse_fault_spec("429:times=2") == ("rate_limit", {"times": 2})
    assert parse_fault_spec("stall:stream=balances,seconds=40") == (
        "stall", {"stream": "balances", "seconds": 40.0})
    assert parse_fault_spec("rechunk") == ("rechunk", {})
    injector = FaultInjector()
    apply_fault_spec(injector, "drop:after=7,stream=orders,times=3")
    (fault,) = injector.armed
    assert (fault.kind, fault.after, fault.stream, fault.times) == (
        "drop_mid_object", 7, "orders", 3)
    apply_fault_spec(injector, "rechunk")
    assert injector.rechunking


def test_fault_list_names_the_balances_stall():
    """`tsdash sim --faults` prints FAULT_HELP: the balances stall is listed."""
    assert "stream=balances" in FAULT_HELP


@pytest.mark.parametrize("spec, words", [
    ("explode", "unknown fault"), ("goaway:after", "key=value"), ("goaway:after=x", "number"),
    ("goaway:seconds=2", "takes"), ("goaway:stream=trades", "stream must be"),
    ("goaway:shape=round", "shape"), ("server_error:status=404", "500..599"),
    ("stall:times=0", "times"), ("goaway:stream=balances", "stream must be"),
])
def test_bad_cli_specs_explain_themselves(spec, words):
    with pytest.raises(ValueError, match=words):
        apply_fault_spec(FaultInjector(), spec)
