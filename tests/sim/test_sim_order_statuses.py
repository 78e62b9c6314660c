"""The statuses TradeStation's order stream goes through, for every order type and duration.

ACK (received) comes first, then REJ with TradeStation's reason or OPN (sent); stop orders show
STP when their stop is hit; FPR (partial), FLL (filled), FLP (IOC partly filled, the rest out),
CAN (canceled) and EXP (expired: DAY/DYP/minute/GTD at the close, unfillable IOC/FOK/OPG/CLO).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from order_helpers import (
    END_SNAPSHOT,
    MARGIN,
    get_json,
    last_price,
    place,
    place_ok,
    rest_order,
    validate_streamed_order,
)
from sim_helpers import auth, read_messages, validate


class OrderWatch:
    """An orders stream for the margin account, opened before the test places anything."""

    def __init__(self, sim, session) -> None:
        self.sim, self.session = sim, session
        self.seen: list[dict] = []

    async def __aenter__(self) -> OrderWatch:
        url = f"{self.sim.base_url}/brokerage/stream/accounts/{MARGIN}/orders"
        self.resp = await self.session.get(url, headers=auth(self.sim))
        assert self.resp.status == 200
        await read_messages(self.resp, until=lambda m: m == END_SNAPSHOT)
        return self

    async def __aexit__(self, *exc) -> None:
        self.resp.close()

    async def statuses(self, order_id: str, until: str | None = None,
                       timeout: float = 0.3) -> list[str]:
        """Read what is there (or until the order reaches `until`); the statuses of order_id."""
        def done(m):
            return until is not None and m.get("OrderID") == order_id and m["Status"] == until
        if until is None or not any(done(m) for m in self.seen):
            self.seen += await read_messages(self.resp, timeout=timeout if until is None else 5,
                                             until=done if until else None, heartbeats=False)
        mine = [m for m in self.seen if m.get("OrderID") == order_id]
        for message in mine:
            validate_streamed_order(message)
        return [m["Status"] for m in mine]


async def test_market_order_is_received_sent_filled(fixed_sim, session):
    async with OrderWatch(fixed_sim, session) as watch:
        order_id = await place_ok(fixed_sim, session)
        assert await watch.statuses(order_id, until="FLL") == ["ACK", "OPN", "FLL"]


async def test_stop_market_orders_show_stop_hit_then_fill(fixed_sim, session):
    sim = fixed_sim
    last = last_price(sim, "TSLA")
    async with OrderWatch(sim, session) as watch:
        buy = await place_ok(sim, session, Symbol="TSLA", OrderType="StopMarket",
                             StopPrice=f"{last + 0.01:.2f}", TimeInForce={"Duration": "GTC"})
        sell = await place_ok(sim, session, Symbol="TSLA", OrderType="StopMarket",
                              TradeAction="SELLSHORT", StopPrice=f"{last - 0.01:.2f}",
                              TimeInForce={"Duration": "GTC"})
        assert await watch.statuses(buy) == ["ACK", "OPN"]
        for _ in range(300):
            sim.advance(10)
            if (await rest_order(sim, session, buy))["Status"] == "FLL" or \
                    (await rest_order(sim, session, sell))["Status"] == "FLL":
                break
        hit = [oid for oid in (buy, sell) if (await rest_order(sim, session, oid))["Status"]
               == "FLL"]
        assert hit, "one of the two stops around the last price is hit as the market moves"
        assert await watch.statuses(hit[0], until="FLL") == ["ACK", "OPN", "STP", "FLL"]
        order = await rest_order(sim, session, hit[0])
        assert order["OrderType"] == "StopMarket" and "StopPrice" in order


async def test_stop_limit_hit_but_not_marketable_stays_working_at_stp(fixed_sim, session):
    sim = fixed_sim
    last = last_price(sim, "TSLA")
    async with OrderWatch(sim, session) as watch:
        # A sell stop-limit whose limit is far above the market: once the stop is hit it works
        # as a limit that cannot fill.
        order_id = await place_ok(sim, session, Symbol="TSLA", OrderType="StopLimit",
                                  TradeAction="SELLSHORT", StopPrice=f"{last - 0.01:.2f}",
                                  LimitPrice=f"{last * 1.5:.2f}", TimeInForce={"Duration": "GTC"})
        for _ in range(300):
            sim.advance(10)
            if (await rest_order(sim, session, order_id))["Status"] == "STP":
                break
        order = await rest_order(sim, session, order_id)
        assert (order["Status"], order["StatusDescription"]) == ("STP", "Stop Hit")
        async with session.delete(f"{sim.base_url}/orderexecution/orders/{order_id}",
                                  headers=auth(sim)) as resp:
            assert resp.status == 200
        assert await watch.statuses(order_id, until="CAN") == ["ACK", "OPN", "STP", "CAN"]


async def test_ioc_and_fok_that_cannot_fill_expire(fixed_sim, session):
    sim = fixed_sim
    async with OrderWatch(sim, session) as watch:
        for duration in ("IOC", "FOK"):
            order_id = await place_ok(sim, session, OrderType="Limit", LimitPrice="1.00",
                                      TimeInForce={"Duration": duration})
            assert await watch.statuses(order_id, until="EXP") == ["ACK", "OPN", "EXP"]
        filled = await place_ok(sim, session, OrderType="Limit", LimitPrice="1000.00",
                                TimeInForce={"Duration": "FOK"})
        assert await watch.statuses(filled, until="FLL") == ["ACK", "OPN", "FLL"]


async def test_day_gtd_and_minute_orders_expire_gtc_stays(fixed_sim, session):
    sim = fixed_sim
    today = sim.engine.book.today()
    later = (today + timedelta(days=5)).isoformat()
    working = {"OrderType": "Limit", "LimitPrice": "1.00"}
    async with OrderWatch(sim, session) as watch:
        minute = await place_ok(sim, session, TimeInForce={"Duration": "1"}, **working)
        sim.advance(599)
        assert (await rest_order(sim, session, minute))["Status"] == "OPN"
        sim.advance(1)
        assert await watch.statuses(minute, until="EXP") == ["ACK", "OPN", "EXP"]
        ids = {name: await place_ok(sim, session, TimeInForce=tif, **working) for name, tif in {
            "DAY": {"Duration": "DAY"}, "DYP": {"Duration": "DYP"},
            "GTC": {"Duration": "GTC"}, "GCP": {"Duration": "GCP"},
            "GTD today": {"Duration": "GTD", "Expiration": f"{today.isoformat()}T00:00:00Z"},
            "GDP later": {"Duration": "GDP", "Expiration": f"{later}T23:30:30Z"},
        }.items()}
        gtd = await rest_order(sim, session, ids["GTD today"])
        assert gtd["GoodTillDate"] == f"{today.isoformat()}T00:00:00Z"
        sim.engine.book.close_session()
        after = {name: (await rest_order(sim, session, oid))["Status"]
                 for name, oid in ids.items()}
        assert after == {"DAY": "EXP", "DYP": "EXP", "GTC": "OPN", "GCP": "OPN",
                         "GTD today": "EXP", "GDP later": "OPN"}
        assert await watch.statuses(ids["DAY"], until="EXP") == ["ACK", "OPN", "EXP"]
        assert (await rest_order(sim, session, ids["DAY"]))["StatusDescription"] == "Expired"


async def test_opg_and_clo_wait_for_the_session_event(fixed_sim, session):
    sim = fixed_sim
    async with OrderWatch(sim, session) as watch:
        opg = await place_ok(sim, session, TimeInForce={"Duration": "OPG"})
        clo = await place_ok(sim, session, Symbol="AAPL", TimeInForce={"Duration": "CLO"})
        clo_limit = await place_ok(sim, session, OrderType="Limit", LimitPrice="1.00",
                                   TimeInForce={"Duration": "CLO"})
        sim.advance(50)
        assert [(await rest_order(sim, session, o))["Status"] for o in (opg, clo, clo_limit)] \
            == ["OPN", "OPN", "OPN"], "market orders on the open/close do not fill before it"
        sim.engine.book.close_session()
        assert await watch.statuses(clo, until="FLL") == ["ACK", "OPN", "FLL"]
        assert await watch.statuses(clo_limit, until="EXP") == ["ACK", "OPN", "EXP"]
        assert (await rest_order(sim, session, opg))["Status"] == "OPN"
        sim.engine.book.open_session()
        assert await watch.statuses(opg, until="FLL") == ["ACK", "OPN", "FLL"]


async def test_partial_fills_then_filled(fixed_sim, session):
    sim = fixed_sim
    async with OrderWatch(sim, session) as watch:
        partial = None
        for _ in range(40):  # a marketable limit of 40 fills partly about one time in three
            order_id = await place_ok(sim, session, Symbol="AAPL", Quantity="40",
                                      OrderType="Limit", LimitPrice="2000.00",
                                      TimeInForce={"Duration": "GTC"})
            if (await rest_order(sim, session, order_id))["Status"] == "FPR":
                partial = order_id
                break
        assert partial is not None, "the seeded book fills some orders in parts"
        order = await rest_order(sim, session, partial)
        assert order["StatusDescription"] == "Partial Fill (Alive)"
        assert int(order["Legs"][0]["ExecQuantity"]) == 20
        assert order["Legs"][0]["QuantityRemaining"] == "20"
        for _ in range(100):
            sim.advance(5)
            if (await rest_order(sim, session, partial))["Status"] == "FLL":
                break
        statuses = await watch.statuses(partial, until="FLL")
        assert statuses[:3] == ["ACK", "OPN", "FPR"] and statuses[-1] == "FLL"
        assert set(statuses[3:-1]) <= {"FPR"}


async def test_ioc_partly_filled_is_flp(fixed_sim, session):
    sim = fixed_sim
    async with OrderWatch(sim, session) as watch:
        for _ in range(40):
            order_id = await place_ok(sim, session, Symbol="AAPL", Quantity="40",
                                      OrderType="Limit", LimitPrice="2000.00",
                                      TimeInForce={"Duration": "IOC"})
            statuses = await watch.statuses(order_id)
            if "FLP" in statuses:
                break
        assert statuses == ["ACK", "OPN", "FLP"]
        order = await rest_order(sim, session, order_id)
        assert order["Legs"][0]["ExecQuantity"] == "20"
        assert order["Legs"][0]["QuantityRemaining"] == "0"


async def test_rejections_carry_tradestation_reasons(fixed_sim, session):
    sim = fixed_sim
    last = last_price(sim, "MSFT")
    cases = [
        ({"Quantity": "100000000"}, "Order failed. Reason: Insufficient buying power."),
        ({"OrderType": "Limit", "LimitPrice": "100.005"},
         ("Order failed. Reason: Limit price 100.005 is not a valid price for MSFT: it must be a "
          "multiple of 0.01.")),
        ({"OrderType": "Limit", "LimitPrice": f"{last * 20:.2f}"},
         "Order failed. Reason: Type = LMT has invalid Price greater than absolute maximum"),
        ({"OrderType": "StopMarket", "StopPrice": f"{last - 5:.2f}"},
         "Order failed. Reason: Buy stop price"),
        ({"OrderType": "StopMarket", "TradeAction": "SELLSHORT", "StopPrice": f"{last + 5:.2f}"},
         "Order failed. Reason: Sell stop price"),
    ]
    async with OrderWatch(sim, session) as watch:
        for overrides, reason in cases:
            status, body = await place(sim, session, **overrides)
            assert status == 200
            validate(body, "OrderResponses")
            (error,) = body["Errors"]
            assert error["Error"] == "FAILED" and error["Message"].startswith(reason), error
            assert await watch.statuses(error["OrderID"], until="REJ") == ["ACK", "REJ"]
            order = await rest_order(sim, session, error["OrderID"])
            assert order["RejectReason"] == error["Message"]
            assert order["StatusDescription"] == "Rejected"


async def test_an_index_is_not_tradable(fixed_sim, session):
    status, body = await place(fixed_sim, session, Symbol="$SPX.X")
    assert status == 400
    validate(body, "ErrorResponse")
    assert body["Error"] == "BadRequest"
    assert "$SPX.X is an index" in body["Message"] and "not tradable" in body["Message"]
    orders = await get_json(fixed_sim, session, f"/brokerage/accounts/{MARGIN}/orders")
    assert orders["Orders"] == [], "nothing was placed"


async def test_a_trailing_stop_follows_the_market_then_fires(fixed_sim, session):
    sim = fixed_sim
    async with OrderWatch(sim, session) as watch:
        order_id = await place_ok(sim, session, Symbol="TSLA", TradeAction="BUYTOCOVER",
                                  Quantity="30", OrderType="StopMarket",
                                  TimeInForce={"Duration": "GTC"},
                                  AdvancedOptions={"TrailingStop": {"Amount": "0.05"}})
        order = await rest_order(sim, session, order_id)
        assert order["TrailingStop"] == {"Amount": "0.05"}
        assert order["AdvancedOptions"] == "TRL=0.05;"
        lowest = float(order["StopPrice"])
        assert lowest == pytest.approx(last_price(sim, "TSLA") + 0.05)
        for _ in range(500):
            sim.advance(5)
            order = await rest_order(sim, session, order_id)
            if order["Status"] != "OPN":
                break
            stop = float(order["StopPrice"])
            assert stop <= lowest + 1e-9, "a buy trailing stop only moves down"
            assert stop <= last_price(sim, "TSLA") + 0.05 + 1e-9
            lowest = stop
        assert await watch.statuses(order_id, until="FLL") == ["ACK", "OPN", "STP", "FLL"]


@pytest.mark.parametrize("advanced, words", [
    ({"TrailingStop": {}}, "exactly one of Amount or Percent"),
    ({"TrailingStop": {"Amount": "1", "Percent": "2"}}, "exactly one of Amount or Percent"),
    ({"TrailingStop": {"Percent": "150"}}, "below 100"),
    ({"TrailingStop": {"Amount": "-1"}}, "Amount"),
])
async def test_bad_trailing_stops_are_400(fixed_sim, session, advanced, words):
    status, body = await place(fixed_sim, session, OrderType="StopMarket",
                               AdvancedOptions=advanced)
    assert status == 400 and words in body["Message"], body
    status, body = await place(fixed_sim, session, OrderType="Limit", LimitPrice="1.00",
                               AdvancedOptions={"TrailingStop": {"Percent": "5"}})
    assert status == 400 and "applies to StopMarket" in body["Message"]
