"""Faults that damage a stream: a cut mid-line, a stall, malformed and overlong lines,
rechunking."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sim_helpers import QUOTES, auth, raw_until_end, wait_for


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
