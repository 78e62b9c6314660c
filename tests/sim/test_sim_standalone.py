"""`tsdash sim` as a separate process: first line, credentials, Ctrl+C, clear errors."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys

import aiohttp
import pytest
from sim_helpers import read_messages, without_timestamps

TSDASH = [sys.executable, "-m", "tsdash"]
FIRST_LINE = re.compile(r"^tsdash simulator listening on (http://127\.0\.0\.1:(\d+)/v3)$")


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *TSDASH, "sim", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def readline(proc) -> str:
    async with asyncio.timeout(20):
        return (await proc.stdout.readline()).decode().rstrip("\n")


async def test_standalone_serves_prints_credentials_and_stops_on_sigint():
    proc = await spawn("--port", "0", "--seed", "4", "--heartbeat", "1")
    try:
        first = await readline(proc)
        match = FIRST_LINE.match(first)
        assert match, first
        base_url = match.group(1)
        details = {}
        while len(details) < 4:
            key, _, value = (await readline(proc)).partition(":")
            details[key.strip()] = value.strip()
        assert details["token URL"] == base_url.removesuffix("/v3") + "/oauth/token"
        async with aiohttp.ClientSession() as http:
            form = {"grant_type": "refresh_token", "client_id": details["client id"],
                    "client_secret": details["client secret"],
                    "refresh_token": details["refresh token"]}
            async with http.post(details["token URL"], data=form) as resp:
                token = (await resp.json())["access_token"]
            async with http.get(base_url + "/brokerage/accounts",
                                headers={"Authorization": f"Bearer {token}"}) as resp:
                assert resp.status == 200
                assert len((await resp.json())["Accounts"]) == 2
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            stdout, stderr = await proc.communicate()
        assert proc.returncode == 0
        assert b"Traceback" not in stderr, stderr.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_sigterm_stops_cleanly_too():
    proc = await spawn("--port", "0", "--clock", "fixed", "--no-trader")
    try:
        assert FIRST_LINE.match(await readline(proc))
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            _, stderr = await proc.communicate()
        assert proc.returncode == 0 and b"Traceback" not in stderr
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = await spawn("--port", str(port))
        async with asyncio.timeout(20):
            stdout, stderr = await proc.communicate()
    assert proc.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0] and str(port) in lines[0]
    assert stdout == b""


@pytest.mark.parametrize("spec", ["meltdown", "goaway:after=soon", "stall:stream=trades"])
async def test_bad_fault_spec_is_one_line_and_exit_2(spec):
    proc = await spawn("--port", "0", "--fault", spec)
    async with asyncio.timeout(20):
        _, stderr = await proc.communicate()
    assert proc.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and spec in lines[0]


async def test_faults_lists_the_specs():
    proc = await spawn("--faults")
    async with asyncio.timeout(20):
        stdout, _ = await proc.communicate()
    assert proc.returncode == 0
    text = stdout.decode()
    for kind in ("goaway", "drop", "stall", "malformed", "overlong", "unauthorized",
                 "rate_limit", "server_error", "rechunk"):
        assert kind in text


async def test_fault_flag_is_armed():
    proc = await spawn("--port", "0", "--fault", "goaway:after=0,stream=quotes")
    try:
        base_url = FIRST_LINE.match(await readline(proc)).group(1)
        async with aiohttp.ClientSession() as http:
            token_url = base_url.removesuffix("/v3") + "/oauth/token"
            form = {"grant_type": "refresh_token", "client_id": "c", "client_secret": "s",
                    "refresh_token": "r"}
            async with http.post(token_url, data=form) as resp:
                token = (await resp.json())["access_token"]
            async with http.get(base_url + "/marketdata/stream/quotes/SPY",
                                headers={"Authorization": f"Bearer {token}"}) as resp:
                body = await resp.read()
        assert body == b'{"Error":"GoAway","Message":"The server is about to shut down."}\n'
    finally:
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            await proc.communicate()


async def test_two_processes_with_one_seed_send_the_same_payloads():
    """Across processes (each with its own hash seed), timestamps aside."""
    runs = []
    for delay in (0.0, 0.3):
        proc = await spawn("--port", "0", "--seed", "9")
        try:
            base_url = FIRST_LINE.match(await readline(proc)).group(1)
            await asyncio.sleep(delay)
            async with aiohttp.ClientSession() as http:
                form = {"grant_type": "refresh_token", "client_id": "c", "client_secret": "s",
                        "refresh_token": "r"}
                async with http.post(base_url.removesuffix("/v3") + "/oauth/token",
                                     data=form) as resp:
                    token = (await resp.json())["access_token"]
                url = base_url + "/marketdata/stream/quotes/SPY,AAPL,TSLA,NVDA,QQQ,MSFT"
                async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
                    messages = await read_messages(resp, 40, heartbeats=False)
            runs.append(without_timestamps(messages))
        finally:
            proc.send_signal(signal.SIGINT)
            async with asyncio.timeout(10):
                await proc.communicate()
    assert len(runs[0]) == 40
    assert runs[0] == runs[1]
