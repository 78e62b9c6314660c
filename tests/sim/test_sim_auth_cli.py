"""`tsdash sim --redirect-uri URL` (repeatable): the sign-in callbacks the process allows,
and a bad URL is one clear line, not a traceback."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import aiohttp

TSDASH = [sys.executable, "-m", "tsdash", "sim", "--port", "0", "--no-trader"]
FIRST_LINE = re.compile(r"^tsdash simulator listening on (http://127\.0\.0\.1:\d+)/v3$")


async def test_redirect_uri_option_allows_those_and_the_defaults_only():
    proc = await asyncio.create_subprocess_exec(
        *TSDASH, "--redirect-uri", "https://myapp.example/cb", "--redirect-uri",
        "http://localhost:45670",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(20):
            first = (await proc.stdout.readline()).decode().strip()
        match = FIRST_LINE.match(first)
        assert match, first
        root = match.group(1)
        statuses = {}
        async with aiohttp.ClientSession() as http:
            for uri in ("https://myapp.example/cb", "http://localhost:45670",
                        "http://localhost:31022", "http://localhost:45678"):
                params = {"response_type": "code", "client_id": "k", "redirect_uri": uri}
                async with http.get(root + "/authorize", params=params,
                                    allow_redirects=False) as resp:
                    statuses[uri] = resp.status
        assert statuses == {"https://myapp.example/cb": 302, "http://localhost:45670": 302,
                            "http://localhost:31022": 302, "http://localhost:45678": 400}
    finally:
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(20):
            await proc.communicate()
    assert proc.returncode == 0


async def test_a_bad_redirect_uri_is_one_clear_line():
    proc = await asyncio.create_subprocess_exec(
        *TSDASH, "--redirect-uri", "localhost:5000", stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(20):
        out, err = await proc.communicate()
    assert proc.returncode == 2
    assert err.decode().strip() == (
        "tsdash sim: redirect URI 'localhost:5000' must be an absolute http(s) URL, e.g. "
        "http://localhost:5000/callback")
    assert b"Traceback" not in out + err
