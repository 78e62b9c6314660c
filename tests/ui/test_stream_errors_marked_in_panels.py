"""TradeStation's error forms on screen, against the simulator's faults: an account in error is
shown on its panel for as long as it holds, a transient FAILED symbol comes back, a lasting refusal
stays marked with TradeStation's reason, and not-entitled bars mark the bars panel."""

from __future__ import annotations

from contextlib import asynccontextmanager

from ui_helpers import SEED, advance, frozen_clock, wait_for, wait_live

from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import SimulatorConnector

SIZE = (160, 48)
MARGIN, CASH = "SIM1234567M", "SIM1234568C"
MARGIN_ERROR = f"{MARGIN}: Failed: Account data is unavailable right now."


def banner(panel) -> str:
    return str(panel.banner.render())


@asynccontextmanager
async def app_on_sim(settings, arm=lambda sim: None, **app_kwargs):
    """The app on a fixed-clock simulator whose faults were armed before any panel subscribed."""
    from tsdash.sim import start_simulator

    sim = await start_simulator(port=0, seed=SEED, clock="fixed", heartbeat_interval=0.5)
    try:
        arm(sim)
        app = TsdashApp(settings, connector=SimulatorConnector(sim), clock=frozen_clock,
                        **app_kwargs)
        async with app.run_test(size=SIZE) as pilot:
            yield app, pilot, sim
    finally:
        await sim.stop()


async def test_a_balance_error_shows_while_it_holds_and_clears_when_the_balance_is_back(
        settings):
    arm = lambda sim: sim.faults.account_error(stream="balances", times=10_000)  # noqa: E731
    async with app_on_sim(settings, arm, balance_interval=0.05) as (app, pilot, sim):
        panel = app.panels["balances"]
        await wait_for(pilot, lambda: panel.state == "live" and CASH in panel.model.rows
                       and MARGIN in panel.model.account_errors, what="the error and CASH")
        await wait_for(pilot, lambda: app.tick() or MARGIN_ERROR in banner(panel),
                       what="the error in the banner")
        assert banner(panel).startswith("⚠ ") and panel.banner.display
        assert panel.table.ordered_keys() == [CASH], "the other account still shows"
        polls = len([r for r in sim.requests if r.path.endswith("/balances")])
        await wait_for(pilot, lambda: len([r for r in sim.requests
                                           if r.path.endswith("/balances")]) > polls + 2,
                       what="more polls")
        app.tick()
        assert MARGIN_ERROR in banner(panel), "shown for as long as it holds"
        sim.faults.clear()
        await wait_for(pilot, lambda: MARGIN in panel.model.rows, what="the balance back")
        await wait_for(pilot, lambda: app.tick() or not panel.banner.display,
                       what="the banner gone")
        assert panel.model.account_errors == {}
        assert sorted(panel.table.ordered_keys()) == [MARGIN, CASH]


async def test_a_position_stream_account_error_holds_until_a_snapshot_has_the_account(
        settings):
    arm = lambda sim: sim.faults.account_error(stream="positions")  # noqa: E731
    async with app_on_sim(settings, arm) as (app, pilot, sim):
        await wait_live(pilot)
        panel = app.panels["positions"]
        await wait_for(pilot, lambda: panel.model.snapshots >= 1
                       and MARGIN in panel.model.account_errors, what="the snapshot")
        app.tick()
        assert MARGIN_ERROR in banner(panel)
        accounts = {row.get("AccountID") for row in panel.model.rows.values()}
        assert accounts == {CASH}
        sim.faults.goaway(stream="positions")  # the next connection has the account again
        sim.advance(1)
        await wait_for(pilot, lambda: panel.model.snapshots >= 2, what="a new snapshot")
        app.tick()
        assert panel.model.account_errors == {} and not panel.banner.display
        assert MARGIN in {row.get("AccountID") for row in panel.model.rows.values()}


async def test_a_transient_failed_clears_and_a_lasting_refusal_stays_marked(settings):
    settings.watchlists = {"mixed": ["AAPL", "MSFT", "NVDA", "NOSUCH"]}
    settings.default_watchlist = "mixed"

    def arm(sim):
        sim.faults.not_entitled(symbol="MSFT")
        sim.faults.symbol_failed(symbol="AAPL", after=2)  # after the AAPL and NVDA quotes

    async with app_on_sim(settings, arm) as (app, pilot, sim):
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: quotes.state == "live"
                       and set(quotes.model.errors) == {"AAPL", "MSFT", "NOSUCH"},
                       what="three symbols marked")
        app.tick()
        table = quotes.table
        assert table.get_cell("AAPL", "last").plain.strip() == "refused"
        assert table.get_cell("AAPL", "time").plain.strip() == "FAILED"
        assert "AAPL (FAILED)" in banner(quotes)
        for _ in range(40):  # until AAPL trades or quotes again
            if "AAPL" not in quotes.model.errors:
                break
            await advance(pilot, sim, 1)
        app.tick()
        assert "AAPL" not in quotes.model.errors, "a quote after the FAILED clears it"
        assert table.get_cell("AAPL", "last").plain.strip() not in ("refused", "—")
        text = banner(quotes)
        assert "AAPL" not in text
        assert "MSFT (FAILED, NOT ENTITLED)" in text and "NOSUCH (FAILED, INVALID SYMBOL)" in text
        assert table.get_cell("MSFT", "last").plain.strip() == "refused"
        assert table.get_cell("NVDA", "last").plain.strip() not in ("refused", "—")


async def test_not_entitled_bars_mark_the_bars_panel_with_the_reason(settings):
    settings.watchlists = {"mixed": ["MSFT", "AAPL"]}
    settings.default_watchlist = "mixed"
    settings.bars.symbol = "MSFT"
    settings.auto_reconnect = True  # a lasting refusal is not retried even so
    arm = lambda sim: sim.faults.not_entitled(symbol="MSFT")  # noqa: E731
    async with app_on_sim(settings, arm) as (app, pilot, sim):
        panel = app.bars_panel
        await wait_for(pilot, lambda: panel.state == "failed", what="bars failed")
        await wait_for(pilot, lambda: app.tick() or "Not entitled" in banner(panel),
                       what="the reason in the banner")
        text = banner(panel)
        assert text.startswith("✕ failed · press r to reconnect")
        assert "Failed: Not entitled to data for this symbol" in text
        bar_requests = [r for r in sim.requests if "barcharts" in r.path]
        await pilot.pause(0.3)
        assert [r for r in sim.requests if "barcharts" in r.path] == bar_requests
        # another symbol is entitled: its bars come
        app.quotes_panel.select("AAPL")
        await wait_for(pilot, lambda: panel.symbol == "AAPL" and panel.state == "live"
                       and len(panel.model) > 0, what="AAPL bars")
        app.tick()
        assert not panel.banner.display
