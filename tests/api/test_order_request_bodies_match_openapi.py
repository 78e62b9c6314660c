"""The bodies the order calls send are TradeStation's request schemas, as the caller built them.

A loopback aiohttp server records the exact bytes of every request; each body is validated
(strictly: no field the document does not define) against the OpenAPI document's OrderRequest,
GroupOrderRequest or OrderReplaceRequest, and compared with what the caller passed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from aiohttp import web

from tsdash.api import TradeStationClient

# The component schemas of TradeStation's OpenAPI document, kept in the repository by the
# simulator's tests (the order request schemas there are the document's, unchanged).
SCHEMAS = Path(__file__).parent.parent / "sim" / "openapi_schemas.json"

ACCOUNT = "SIM1234567M"
LIMIT = {"AccountID": ACCOUNT, "Symbol": "AAPL", "Quantity": "10", "OrderType": "Limit",
         "LimitPrice": "219.50", "TradeAction": "BUY", "TimeInForce": {"Duration": "DAY"},
         "Route": "Intelligent"}
ORDERS = [
    LIMIT,
    {"AccountID": ACCOUNT, "Symbol": "MSFT", "Quantity": "5", "OrderType": "Market",
     "TradeAction": "SELL", "TimeInForce": {"Duration": "GTC"}},
    {"AccountID": ACCOUNT, "Symbol": "@ESZ26", "Quantity": "1", "OrderType": "StopMarket",
     "StopPrice": "5800.25", "TradeAction": "SELL", "TimeInForce": {"Duration": "DAY"}},
    {"AccountID": ACCOUNT, "Symbol": "AAPL", "Quantity": "10", "OrderType": "StopLimit",
     "StopPrice": "221.00", "LimitPrice": "221.50", "TradeAction": "BUY",
     "TimeInForce": {"Duration": "GTD", "Expiration": "2026-12-31T00:00:00Z"},
     "OrderConfirmID": "a1b2c3d4e5f6a7b8c9d0e1"},
    {"AccountID": ACCOUNT, "Symbol": "AAPL", "Quantity": "10", "OrderType": "StopMarket",
     "TradeAction": "SELL", "TimeInForce": {"Duration": "GTC"},
     "AdvancedOptions": {"TrailingStop": {"Amount": "1.50"}}},
]
GROUPS = [
    {"Type": "OCO", "Orders": [LIMIT, {**LIMIT, "OrderType": "StopMarket", "StopPrice": "215.00",
                                       "TradeAction": "SELL"}]},
    {"Type": "BRK", "Orders": [
        {**LIMIT, "TradeAction": "SELL", "LimitPrice": "230.00", "TimeInForce": {"Duration": "GTC"}},
        {**LIMIT, "TradeAction": "SELL", "OrderType": "StopMarket", "StopPrice": "210.00",
         "TimeInForce": {"Duration": "GTC"}}]},
    {"Type": "NORMAL", "Orders": ORDERS[:2]},
]
REPLACES = [{"Quantity": "5", "LimitPrice": "219.40"}, {"OrderType": "Market"},
            {"StopPrice": "215.10"}]


@cache
def _components() -> dict[str, Any]:
    schemas = copy.deepcopy(json.loads(SCHEMAS.read_text())["components"]["schemas"])
    # The document types Expiration as an object but describes (and TradeStation takes) an
    # RFC 3339 timestamp string, e.g. "2023-01-01T23:30:30Z".
    assert schemas["Expiration"]["type"] == "object"
    schemas["Expiration"] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T"}

    def close(node: Any) -> None:
        """Strict: an object may carry only the properties its schema defines."""
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schemas)
    return {"schemas": schemas}


def validate(payload: object, schema_name: str) -> None:
    """Validate against a component schema, its $refs resolved within the document."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _components()}
    jsonschema.Draft202012Validator(schema).validate(payload)


class Recorder:
    """A loopback server that records every request's method, path and raw body, and answers
    as TradeStation does."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bytes]] = []
        self.raw_paths: list[str] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        async def handle(request: web.Request) -> web.Response:
            raw = await request.read()
            self.seen.append((request.method, request.path, raw))
            self.raw_paths.append(request.raw_path)
            path = request.path
            if path.endswith("confirm"):
                count = len(json.loads(raw).get("Orders", [None]))
                return web.json_response({"Confirmations": [
                    {"OrderConfirmID": f"c{i}", "EstimatedCost": "2195.00"} for i in range(count)]})
            if path.endswith("/ordergroups"):
                return web.json_response({"Orders": [{"Message": "Sent", "OrderID": "901"},
                                                     {"Message": "Sent", "OrderID": "902"}]})
            if path.endswith("/orders"):
                return web.json_response({"Orders": [{"Message": "Sent", "OrderID": "901"}]})
            return web.json_response({"Message": "Sent", "OrderID": request.match_info["tail"]})

        app = web.Application()
        app.router.add_route("*", "/v3/{tail:.*}", handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v3"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def last(self) -> tuple[str, str, Any]:
        method, path, raw = self.seen[-1]
        return method, path, json.loads(raw) if raw else None


@pytest.fixture
async def server() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    await recorder.start()
    yield recorder
    await recorder.stop()


@pytest.fixture
async def client(server: Recorder) -> AsyncIterator[TradeStationClient]:
    client = TradeStationClient(base_url=server.base_url, access_token="token")
    yield client
    await client.close()


def test_the_validator_refuses_what_the_document_does_not_allow() -> None:
    """The checks below mean something: a missing required field, an unknown order type and
    an undocumented field are all refused."""
    missing = {k: v for k, v in LIMIT.items() if k != "TimeInForce"}
    for bad in (missing, {**LIMIT, "OrderType": "Limt"}, {**LIMIT, "Note": "mine"}):
        with pytest.raises(jsonschema.ValidationError):
            validate(bad, "OrderRequest")
    with pytest.raises(jsonschema.ValidationError):
        validate({"Orders": [LIMIT]}, "GroupOrderRequest")


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: f"{o['OrderType']}-{o['Symbol']}")
async def test_place_and_confirm_send_an_order_request(order: dict, server: Recorder,
                                                       client: TradeStationClient) -> None:
    previews = await client.order_execution.confirm_order(order)
    assert previews == [{"OrderConfirmID": "c0", "EstimatedCost": "2195.00"}]
    method, path, body = server.last()
    assert (method, path) == ("POST", "/v3/orderexecution/orderconfirm")
    validate(body, "OrderRequest")
    assert body == order

    result = await client.order_execution.place_order(order)
    assert result == {"Message": "Sent", "OrderID": "901"}
    method, path, body = server.last()
    assert (method, path) == ("POST", "/v3/orderexecution/orders")
    validate(body, "OrderRequest")
    assert body == order


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g["Type"])
async def test_group_calls_send_a_group_order_request(group: dict, server: Recorder,
                                                      client: TradeStationClient) -> None:
    previews = await client.order_execution.confirm_order_group(group)
    assert len(previews) == len(group["Orders"])
    method, path, body = server.last()
    assert (method, path) == ("POST", "/v3/orderexecution/ordergroupconfirm")
    validate(body, "GroupOrderRequest")
    assert body == group

    result = await client.order_execution.place_order_group(group)
    assert [o["OrderID"] for o in result["Orders"]] == ["901", "902"]
    method, path, body = server.last()
    assert (method, path) == ("POST", "/v3/orderexecution/ordergroups")
    validate(body, "GroupOrderRequest")
    assert body == group


@pytest.mark.parametrize("changes", REPLACES, ids=lambda c: "-".join(c))
async def test_replace_sends_an_order_replace_request(changes: dict, server: Recorder,
                                                      client: TradeStationClient) -> None:
    result = await client.order_execution.replace_order("1234-5678", changes)
    assert result == {"Message": "Sent", "OrderID": "orderexecution/orders/1234-5678"}
    method, path, body = server.last()
    assert (method, path) == ("PUT", "/v3/orderexecution/orders/1234-5678")
    validate(body, "OrderReplaceRequest")
    assert body == changes


async def test_cancel_sends_no_body_and_the_order_id_as_one_path_segment(
        server: Recorder, client: TradeStationClient) -> None:
    await client.order_execution.cancel_order("12/34?x")
    method, _, raw = server.seen[-1]
    assert method == "DELETE" and raw == b""
    # a slash or a question mark in an id cannot reach another resource
    assert server.raw_paths[-1] == "/v3/orderexecution/orders/12%2F34%3Fx"
