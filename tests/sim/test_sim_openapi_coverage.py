"""Every operation of TradeStation's OpenAPI document is served: none answers "no such endpoint".

The operations (method, path, parameters, request body examples) are copied unmodified from the
document into openapi_operations.json. Each is called with its documented example parameters,
account and symbol values swapped for ones the simulator knows, and must not come back as a
missing route (404 "No such endpoint" or 405).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from sim_helpers import auth

OPERATIONS = json.loads(Path(__file__).with_name("openapi_operations.json").read_text())
ACCOUNTS = "SIM1234567M,SIM1234568C"
ORDER_ID = "1000001"  # the demo trader's first opening order
# Values for parameters whose documented examples name things the simulator does not have.
VALUES = {
    "accounts": ACCOUNTS, "orderIds": ORDER_ID, "ordersIds": ORDER_ID, "orderID": ORDER_ID,
    "text": "AAP", "criteria": "N=AAPL&C=Stock", "symbol": "MSFT", "interval": "5",
    "barsBack": "3", "legs[0].Symbol": "AAPL 261218C230", "since": "2026-11-20",
}
# Brokerage and order-execution operations another helper is adding on its own branch; the
# integrator flips these once both branches are merged.


def _value(param: dict) -> str:
    if param["name"] in VALUES:
        return VALUES[param["name"]]
    example = param.get("schema", {}).get("example")
    return "1" if example is None else str(example)


def _request(op: dict) -> tuple[str, dict | None]:
    path = op["path"]
    query = {}
    for param in op["parameters"]:
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", quote(_value(param), safe=",=&@$"))
        elif param["in"] == "query" and param.get("required"):
            query[param["name"]] = _value(param)
    if query:
        path += "?" + urlencode(query)
    body = op.get("requestBodyExample")
    if body is not None:
        body = json.loads(json.dumps(body).replace('"123456782"', f'"{ACCOUNTS[:11]}"'))
    return path, body


def _cases():
    for op in OPERATIONS["operations"]:
        yield pytest.param(op, id=op["operationId"])


def test_the_list_is_the_whole_document():
    assert len(OPERATIONS["operations"]) == 36
    assert sum(op["path"].startswith("/v3/") for op in OPERATIONS["operations"]) == 33


@pytest.mark.parametrize("op", list(_cases()))
async def test_operation_is_served(make_sim, session, op):
    sim = await make_sim(clock="fixed", seed=3)
    path, body = _request(op)
    async with session.request(op["method"], sim.root_url + path, json=body,
                               headers=auth(sim)) as resp:
        status = resp.status
        text = await resp.content.read(4096) if status == 200 else await resp.read()
    message = text.decode(errors="replace")
    assert status != 405, f"{op['method']} {path}: {message}"
    assert not (status == 404 and "No such endpoint" in message), f"{op['method']} {path}"
    assert status < 500, f"{op['method']} {path}: {status} {message}"
