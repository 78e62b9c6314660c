"""Orders reconciled by REST: an order or a fill the order stream dropped (TradeStation's drops
fill frames while its heartbeats go on) reaches the orders panel within `orders_reconcile_s`,
and the merge never moves an order backwards."""

from __future__ import annotations

import asyncio
import logging
import time

from textual.worker import WorkerState
from trading_pilot import drop_frames_then_trade, status_of
from ui_fakes import cell_text
from ui_helpers import SIZE, settle, sim_app, wait_data, wait_for, wait_live

from tsdash.api import HTTPStatusError
from tsdash.config import Settings
from tsdash.ui.models import OrdersModel
from tsdash.ui.panels.account import OrdersPanel

RECONCILE_S = 0.5



def order(order_id: str, status: str, filled: int = 0, quantity: int = 10, **extra) -> dict:
    leg = {"Symbol": "MSFT", "BuyOrSell": "Buy", "QuantityOrdered": str(quantity),
           "ExecQuantity": str(filled)}
    return {"OrderID": order_id, "AccountID": "SIM1234567M", "Status": status,
            "OpenedDateTime": "2026-12-01T14:30:00Z", "Legs": [leg], **extra}


def model_with(*rows: dict) -> OrdersModel:
    model = OrdersModel(clock=time.monotonic)
    model.begin_snapshot()
    for row in rows:
        model.apply(row)
    model.end_snapshot()
    model.take_changes()
    return model


# -- the merge rules (OrdersModel.reconcile) ---------------------------------------------------

def test_an_order_the_rows_lack_is_added_and_repaints():
    model = model_with(order("1", "OPN"))
    assert len(model.reconcile([order("1", "OPN"), order("2", "ACK")])) == 1
    assert model.rows["2"]["Status"] == "ACK"
    assert model.take_changes().dirty == {"2"}


def test_a_finished_copy_of_a_working_row_replaces_it():
    model = model_with(order("1", "OPN"), order("2", "OPN"), order("3", "FPR", filled=4))
    fresh = [order("1", "FLL", filled=10, FilledPrice="212.50"),
             order("2", "CAN", ClosedDateTime="2026-12-01T15:00:00Z"), order("3", "REJ", 4)]
    assert len(model.reconcile(fresh)) == 3
    assert [model.rows[k]["Status"] for k in "123"] == ["FLL", "CAN", "REJ"]
    assert model.rows["1"]["FilledPrice"] == "212.50"
    assert model.rows["1"]["Legs"][0]["ExecQuantity"] == "10"
    assert model.take_changes().dirty == {"1", "2", "3"}


def test_more_filled_moves_a_row_forward():
    model = model_with(order("1", "FPR", filled=3))
    assert len(model.reconcile([order("1", "FPR", filled=7)])) == 1
    assert model.rows["1"]["Legs"][0]["ExecQuantity"] == "7"


def test_every_leg_counts_toward_the_filled_quantity():
    two_legs = order("1", "FPR", filled=2)
    two_legs["Legs"].append({"Symbol": "MSFT 261218C230", "ExecQuantity": "0"})
    model = model_with(two_legs)
    further = order("1", "FPR", filled=2)
    further["Legs"].append({"Symbol": "MSFT 261218C230", "ExecQuantity": "1"})
    assert len(model.reconcile([further])) == 1


def test_an_older_rest_answer_never_moves_an_order_backwards():
    """The REST answer left before a stream message that overtook it."""
    model = model_with(order("1", "FLL", filled=10), order("2", "FPR", filled=6),
                       order("3", "CAN"), order("4", "OPN"))
    stale = [order("1", "OPN"), order("2", "FPR", filled=2), order("3", "OPN"),
             order("4", "ACK")]
    assert len(model.reconcile(stale)) == 0
    assert [model.rows[k]["Status"] for k in "1234"] == ["FLL", "FPR", "CAN", "OPN"]
    assert model.rows["2"]["Legs"][0]["ExecQuantity"] == "6"
    assert not model.take_changes()


def test_a_refused_cancel_is_not_undone_by_an_older_cancel_sent():
    """"UCN" (Cancel Sent) is a request on its way, coloured as cancelled but not final: the
    stream's later "RJC" (Cancel Request Rejected, the order still works) stays."""
    model = model_with(order("1", "RJC"), order("2", "RJC", filled=3))
    assert len(model.reconcile([order("1", "UCN"), order("2", "UCN", filled=3)])) == 0
    assert [model.rows[k]["Status"] for k in "12"] == ["RJC", "RJC"]
    assert not model.take_changes()


def test_a_cancel_sent_row_moves_on_to_the_cancel_or_the_fill():
    model = model_with(order("1", "UCN"), order("2", "UCN", filled=2))
    assert len(model.reconcile([order("1", "CAN"), order("2", "FLL", filled=10)])) == 2
    assert [model.rows[k]["Status"] for k in "12"] == ["CAN", "FLL"]


def test_a_final_row_stays_whatever_rest_says():
    """Nothing follows a final status: not even a copy with more filled (a stale row's
    quantities cannot make a cancelled order work again)."""
    model = model_with(order("1", "CAN"), order("2", "REJ"), order("3", "FLP", filled=4))
    stale = [order("1", "FPR", filled=3), order("2", "OPN"), order("3", "FPR", filled=6)]
    assert len(model.reconcile(stale)) == 0
    assert [model.rows[k]["Status"] for k in "123"] == ["CAN", "REJ", "FLP"]


def test_nothing_is_merged_while_a_snapshot_is_coming():
    model = model_with(order("1", "OPN"))
    model.begin_snapshot()
    model.apply(order("1", "OPN"))
    assert len(model.reconcile([order("1", "FLL", filled=10), order("2", "OPN")])) == 0
    assert model.rows["1"]["Status"] == "OPN" and "2" not in model.rows
    assert model.pending is not None and set(model.pending) == {"1"}


def test_finished_orders_trimmed_from_a_long_day_are_not_brought_back():
    model = model_with()
    model.max_rows = 3
    for n in range(60):
        model.apply(order(str(n), "FLL", filled=10))
    assert len(model.rows) < 60
    day = [order(str(n), "FLL", filled=10) for n in range(60)] + [order("new", "FLL", 10)]
    assert len(model.reconcile(day)) == 1
    assert "new" in model.rows and not model.trimmed & set(model.rows)


# -- the panel's REST read -------------------------------------------------------------------

class RefusingBrokerage:
    async def get_orders(self, accounts=None):
        raise HTTPStatusError("the orders of SIM1234567M: 503 Service Unavailable", status=503)


class RefusingClient:
    brokerage = RefusingBrokerage()


async def test_a_failed_rest_read_is_logged_not_raised(caplog):
    panel = OrdersPanel(clock=time.monotonic)
    with caplog.at_level(logging.WARNING, logger="tsdash.ui.panels.account"):
        assert await panel.reconcile(RefusingClient()) == 0
    assert "reconciling by REST failed" in caplog.text and "503" in caplog.text


# -- the dashboard against the simulator with order frames dropped -----------------------------

def count_timer_passes(app, monkeypatch) -> list[float]:
    """The times the reconcile timer called ``reconcile_orders`` (each then reads or skips)."""
    passes: list[float] = []
    real = app.reconcile_orders

    def counted(now: bool = True) -> None:
        if not now:
            passes.append(asyncio.get_running_loop().time())
        real(now)

    monkeypatch.setattr(app, "reconcile_orders", counted)
    return passes


async def test_an_order_and_a_fill_the_stream_dropped_appear_within_the_interval(
        tmp_path, caplog, monkeypatch):
    """Within a pass or two of the timer (one may have left before the trades, one skipped
    while a read was still under way): counted in passes, not wall-clock time, so a loaded
    machine cannot make it flaky."""
    # a period shorter than the config file allows (Settings built here is not validated)
    settings = Settings(path=tmp_path / "config.toml", orders_reconcile_s=RECONCILE_S)
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        passes = count_timer_passes(app, monkeypatch)
        with caplog.at_level(logging.INFO, logger="tsdash.ui.panels.account"):
            hidden, filled = await drop_frames_then_trade(pilot, connector.sim)
            before = len(passes)
            await wait_for(pilot, lambda: (status_of(app, hidden), status_of(app, filled))
                           == ("OPN", "FLL"), timeout=20 * RECONCILE_S + 5,
                           what="the dropped order and fill, by REST")
        assert len(passes) - before <= 3, passes
        assert hidden in caplog.text and filled in caplog.text
        await settle(pilot)
        table = app.panels["orders"].table
        assert cell_text(table, filled, "status") == "Filled"
        assert cell_text(table, filled, "qty") == "10/10"
        assert cell_text(table, hidden, "status") == "Sent"


async def test_without_reconciliation_they_stay_missing_until_asked(tmp_path):
    """The control: before the timer's first pass (an hour away) the dropped frames do not
    show by themselves; ``reconcile_orders()`` (what the trading code calls after an unknown
    outcome) brings them."""
    settings = Settings(path=tmp_path / "config.toml", orders_reconcile_s=3600)
    app, connector = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        hidden, filled = await drop_frames_then_trade(pilot, connector.sim)
        await pilot.pause(4 * RECONCILE_S)
        assert (status_of(app, hidden), status_of(app, filled)) == (None, "OPN")
        app.reconcile_orders()
        await wait_for(pilot, lambda: (status_of(app, hidden), status_of(app, filled))
                       == ("OPN", "FLL"), what="the dropped order and fill, by REST")


async def test_shutdown_stops_the_timer_and_cancels_a_read_under_way(tmp_path, monkeypatch):
    """Quitting stops the reconcile timer and cancels a REST read still waiting for its
    answer, instead of leaving it to fail against a closed client."""
    settings = Settings(path=tmp_path / "config.toml", orders_reconcile_s=RECONCILE_S)
    app, _ = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await wait_data(pilot)
        asked = asyncio.Event()
        cancelled: list[bool] = []

        async def unanswered(accounts=None):
            asked.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(True)
                raise
            return []

        monkeypatch.setattr(app.client.brokerage, "get_orders", unanswered)
        app.reconcile_orders()
        await asyncio.wait_for(asked.wait(), 5)
        worker = app.orders_reconcile_worker
        passes = count_timer_passes(app, monkeypatch)
        await app.shutdown()
        await pilot.pause(4 * RECONCILE_S)
        assert cancelled == [True] and worker.state == WorkerState.CANCELLED
        assert passes == [], "the timer went on after shutdown"
