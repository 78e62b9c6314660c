"""Helpers for the simulator tests: a plain NDJSON reader, auth headers, OpenAPI validation."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import jsonschema  # type: ignore[import-untyped]

# The component schemas of TradeStation's OpenAPI document, reduced to what these tests use.
SCHEMAS = Path(__file__).with_name("openapi_schemas.json")

MARKET_MEDIA = "application/vnd.tradestation.streams.v2+json"
BROKERAGE_MEDIA = "application/vnd.tradestation.streams.v3+json"
TIMESTAMP_FIELDS = {"TimeStamp", "Timestamp", "TradeTime", "Epoch", "OpenedDateTime",
                    "ClosedDateTime", "High52WeekTimestamp", "Low52WeekTimestamp"}


def auth(sim, **extra) -> dict[str, str]:
    return {"Authorization": f"Bearer {sim.issue_token()}", **extra}


@cache
def _components() -> dict:
    doc = json.loads(SCHEMAS.read_text())
    schemas = copy.deepcopy(doc["components"]["schemas"])
    # The document types TimeStamp as an object, but TradeStation (and its own examples) send an
    # RFC 3339 string.
    schemas["TimeStamp"] = {"type": "string"}

    # Strict: a payload may only carry fields TradeStation documents. Schemas used as allOf
    # members stay open; the allOf parent is closed with unevaluatedProperties instead.
    members = {ref["$ref"].rsplit("/", 1)[-1] for schema in schemas.values()
               for ref in schema.get("allOf", ()) if "$ref" in ref}

    def close(node, composed=False):
        if isinstance(node, dict):
            if ("allOf" in node or (node.get("type") == "object" and "properties" in node)) \
                    and not composed:
                node.setdefault("unevaluatedProperties", False)
            for key, value in node.items():
                close(value, composed=key == "allOf")
        elif isinstance(node, list):
            for value in node:
                close(value, composed=composed)

    for name, schema in schemas.items():
        close(schema, composed=name in members)
    return {"schemas": schemas}


def validate(payload: dict, schema_name: str) -> None:
    """Validate against a component schema of TradeStation's OpenAPI document ($refs resolved)."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _components()}
    jsonschema.Draft202012Validator(schema).validate(payload)


def has_fields(payload: dict, *names: str) -> None:
    missing = [n for n in names if n not in payload]
    assert not missing, f"missing {missing} in {payload}"


async def read_messages(response, count: int | None = None, *, timeout: float = 5.0,
                        until=None, heartbeats: bool = True) -> list[dict]:
    """Parse NDJSON lines until `count` messages, `until(msg)` is true, EOF or the timeout.

    heartbeats=False drops Heartbeat messages (and does not count them).
    """
    out: list[dict] = []
    deadline = time.monotonic() + timeout
    while count is None or len(out) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            async with asyncio.timeout(remaining):
                line = await response.content.readline()
        except TimeoutError:
            break
        if not line:
            break
        assert line.endswith(b"\n"), line
        msg = json.loads(line)
        if not heartbeats and "Heartbeat" in msg:
            continue
        out.append(msg)
        if until is not None and until(msg):
            break
    return out


def data_only(messages: list[dict]) -> list[dict]:
    """Drop heartbeats (their timing is not part of the payload sequence)."""
    return [m for m in messages if "Heartbeat" not in m]


def without_timestamps(messages: list[dict]) -> list[dict]:
    return [{k: v for k, v in m.items() if k not in TIMESTAMP_FIELDS} for m in data_only(messages)]


async def wait_for(predicate, timeout: float = 3.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


PRICE_FIELDS = ("Open", "High", "Low", "Close", "Last", "Bid", "Ask", "PreviousClose",
                "NetChange", "Volume", "BidSize", "AskSize", "LastSize", "TotalVolume")


def assert_strings(msg: dict) -> None:
    for name in PRICE_FIELDS:
        if name in msg:
            assert isinstance(msg[name], str), f"{name} should be a string in {msg}"
            float(msg[name])


QUOTES = "/marketdata/stream/quotes/SPY,QQQ,AAPL,MSFT,NVDA,TSLA"


ORDERS = "/brokerage/stream/accounts/SIM1234567M,SIM1234568C/orders"


GOAWAY_ERROR = {"Error": "GoAway", "Message": "The server is about to shut down."}


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


async def authorize(sim, session, redirect_uri: str, **extra) -> tuple[int, dict[str, list[str]]]:
    """/authorize: (status, the redirect's query) or (status, the error body)."""
    params = {"response_type": "code", "client_id": "my-key", "redirect_uri": redirect_uri,
              "state": "s1", **extra}
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        if resp.status == 302:
            return 302, parse_qs(urlsplit(resp.headers["Location"]).query)
        return resp.status, await resp.json()


SPY_QQQ_QUOTES = "/marketdata/stream/quotes/SPY,QQQ"
