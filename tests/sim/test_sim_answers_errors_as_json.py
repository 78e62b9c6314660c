"""Unknown paths and unexpected exceptions get JSON answers; a failing stream ends with an error
object."""

from __future__ import annotations

import pytest
from sim_helpers import SPY_QQQ_QUOTES, auth, read_messages


@pytest.mark.parametrize("method, path, status, error", [
    ("GET", "/v3/nowhere", 404, "NotFound"),
    ("GET", "/v3/marketdata/stream/optionchains/SPY", 404, "NotFound"),
    ("GET", "/elsewhere", 404, "NotFound"),
    ("PUT", "/v3/brokerage/accounts", 405, "MethodNotAllowed"),
])
async def test_unknown_paths_and_methods_answer_json(sim, session, method, path, status, error):
    async with session.request(method, sim.root_url + path, headers=auth(sim)) as resp:
        assert resp.status == status
        body = await resp.json()
    assert body["Error"] == error and body["Message"]


async def test_unexpected_exceptions_become_500_json(sim, session, monkeypatch, caplog):
    def boom(*args):
        raise RuntimeError("model bug")

    monkeypatch.setattr(sim.engine.book, "balance_payload", boom)
    async with session.get(sim.base_url + "/brokerage/accounts/SIM1234567M/balances",
                           headers=auth(sim)) as resp:
        assert resp.status == 500
        body = await resp.json()
    assert body["Error"] == "InternalServerError" and "Traceback" not in body["Message"]
    assert any("model bug" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_an_exception_inside_a_stream_ends_it_with_an_error_object(sim, session,
                                                                        monkeypatch):
    resp = await session.get(sim.base_url + SPY_QQQ_QUOTES, headers=auth(sim))
    await read_messages(resp, 2)

    def broken(step):
        raise RuntimeError("model bug")

    monkeypatch.setattr(sim.engine.market, "record", broken)
    rest = await read_messages(resp, timeout=3)
    resp.close()
    assert rest[-1] == {"Error": "InternalServerError",
                        "Message": "The simulator hit an internal error."}
