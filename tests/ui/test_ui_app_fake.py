"""Pilot tests with a fake client: every key, focus order, selection, snapshots in tables.

The fake speaks tsdash.api's public API and lets each test drive a stream by hand, so these tests
are exact and fast; test_app_sim.py runs the same dashboard against the real simulator.
"""

from __future__ import annotations

import asyncio
import tomllib

import pytest
from textual.widgets import Static

from ui_helpers import frozen_clock, wait_for
from ui_fakes import FakeConnector
from tsdash.api import StreamConnectionError, StreamLimitError, SubscriptionState
from tsdash.ui.app import TsdashApp
from tsdash.ui.panels.base import PanelOnlyState
from tsdash.ui.screens.help import HelpScreen
from tsdash.ui.widgets.status_bar import StreamCounts
from tsdash.ui.widgets.table import LiveTable

KINDS = ("quotes", "bars", "tape", "orders", "positions", "balances")


def make_app(settings, **kwargs):
    connector = FakeConnector()
    app = TsdashApp(settings, connector=connector, clock=frozen_clock, **kwargs)
    return app, connector.client


async def started(pilot, client):
    await wait_for(pilot, lambda: {s.kind for s in client.open} >= set(KINDS), what="streams")
    app = pilot.app
    await wait_for(pilot, lambda: all(p.state == "live" for p in app.panels.values()),
                   what="live panels")


def cell_text(table: LiveTable, row: str, column: str) -> str:
    return table.get_cell(row, column).plain.strip()


async def test_every_panel_subscribes_once_and_shows_live(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        assert sorted(s.kind for s in client.subs) == sorted(KINDS)
        quotes = client.latest("quotes")
        assert quotes.params["symbols"] == settings.watchlists[settings.default_watchlist]
        bars = client.latest("bars")
        assert bars.params == {"symbol": "SPY", "interval": "1", "unit": "Minute",
                               "barsback": 120}
        app.tick()
        status = app.status_info()
        assert status.environment == "DEMO"
        assert status.streams == StreamCounts(up=5, held=5, limit=10)
        assert [d.state for d in status.panels] == ["live"] * 6


async def test_quote_deltas_merge_into_the_table(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        sub = client.latest("quotes")
        await sub.push({"Symbol": "AAPL", "Last": "200", "NetChange": "2", "Bid": "199.99",
                        "Ask": "200.01", "Volume": "1234567", "TradeTime": "2026-11-25T14:30:00Z"})
        app.tick()
        assert not app.quotes_panel.flashing  # a first value is not a change
        await sub.push({"Symbol": "AAPL", "Last": "201.5"})
        app.tick()
        table = app.quotes_panel.table
        assert cell_text(table, "AAPL", "last") == "201.50"
        assert cell_text(table, "AAPL", "bid") == "199.99"
        assert cell_text(table, "AAPL", "volume") == "1.23M"
        # the cell that changed is highlighted for a few repaints, then plain again
        assert app.quotes_panel.flashing
        for _ in range(10):
            app.tick()
        assert not app.quotes_panel.flashing and app.settled


async def test_a_streams_first_data_is_painted_without_waiting_for_a_tick(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        app.pause_repaint()  # no repaint tick from here on
        table = app.quotes_panel.table
        ticks = app.tick_no
        await client.latest("quotes").push({"Symbol": "AAPL", "Last": "200"},
                                           {"Symbol": "MSFT", "Last": "400"})
        await wait_for(pilot, lambda: cell_text(table, "AAPL", "last") == "200.00",
                       timeout=0.5, what="the first quote on screen")
        assert app.tick_no == ticks  # painted by the first-data message, not by the timer
        assert cell_text(table, "MSFT", "last") == "400.00"  # the rest of that read too
        await client.latest("quotes").push({"Symbol": "AAPL", "Last": "201"})
        await pilot.pause(0.2)
        assert cell_text(table, "AAPL", "last") == "200.00"  # later data waits for the tick


async def test_selecting_a_row_swaps_bars_and_tape_subscriptions(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        old_bars, old_tape = client.latest("bars"), client.latest("tape")
        table = app.quotes_panel.table
        table.focus()
        await pilot.press("down", "enter")  # the second watchlist row
        symbol = settings.watchlists[settings.default_watchlist][1]
        await wait_for(pilot, lambda: client.latest("bars").params["symbol"] == symbol
                       and client.latest("tape").params["symbol"] == symbol
                       and app.bars_panel.state == "live" and app.tape_panel.state == "live",
                       what="new bars/tape subscriptions")
        assert old_bars.state == "closed" and old_tape.state == "closed"
        assert old_bars not in client.open and old_tape not in client.open
        assert app.bars_panel.symbol == symbol and app.tape_panel.symbol == symbol
        assert app.quotes_panel.selected == symbol
        # a late message from the old subscription does not land in the new model
        await old_tape.push({"Symbol": "SPY", "Price": "1", "Size": "1", "Side": "buy"})
        assert len(app.tape_panel.model) == 0


async def test_w_cycles_watchlists_and_resubscribes_quotes(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        first = client.latest("quotes")
        names = list(settings.watchlists)
        await pilot.press("w")
        await wait_for(pilot, lambda: client.latest("quotes") is not first
                       and app.quotes_panel.state == "live", what="new quote subscription")
        assert first.state == "closed"
        assert client.latest("quotes").params["symbols"] == settings.watchlists[names[1]]
        assert app.quotes_panel.active == names[1]
        app.tick()
        assert app.quotes_panel.table.ordered_keys() == settings.watchlists[names[1]]
        await pilot.press("w")
        await wait_for(pilot, lambda: app.quotes_panel.active == names[0]
                       and client.latest("quotes").params["symbols"]
                       == settings.watchlists[names[0]], what="back to the first list")


async def test_t_cycles_themes_and_remembers_the_choice(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        assert app.theme == "tsdash-dark"
        seen = [app.theme]
        for _ in range(3):
            await pilot.press("t")
            seen.append(app.theme)
        assert seen == ["tsdash-dark", "tsdash-high-contrast", "tsdash-light", "tsdash-dark"]
        await wait_for(pilot, lambda: settings.path.exists()
                       and tomllib.loads(settings.path.read_text()).get("theme")
                       == "tsdash-dark", what="theme saved")
        await pilot.press("t")
        await wait_for(pilot, lambda: tomllib.loads(settings.path.read_text()).get("theme")
                       == "tsdash-high-contrast", what="theme saved again")
        # the panels picked up the theme's price colours
        await wait_for(pilot, lambda: app.quotes_panel.palette.up.color.name.lower() == "#00ff00",
                       what="the quotes panel in the new colours")


async def test_t_tolerates_settings_that_cannot_be_saved(tmp_path):
    from tsdash.config import Settings

    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = Settings(path=blocker / "config.toml")  # its directory is a file: cannot save
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        await pilot.press("t")
        await wait_for(pilot, lambda: any("theme not saved" in n.message
                                          for n in app.notices), what="notice")
        assert app.theme == "tsdash-high-contrast"


async def test_unknown_theme_in_settings_falls_back_with_a_notice(settings):
    settings.theme = "no-such-theme"
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        assert app.theme == "tsdash-dark"
        assert any("no-such-theme" in n.message for n in app.notices)


async def test_help_screen_lists_the_keys_and_closes(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        keys = dict((desc, key) for key, desc in app.key_help())
        assert keys["reconnect the focused panel's stream"] == "r"
        assert keys["reconnect every panel"] == "R"
        assert keys["this screen"] == "?"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help again")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed by ?")


async def test_tab_and_shift_tab_move_between_panels_in_order(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        order = list(TsdashApp.PANEL_ORDER)
        assert app.focused_panel().KEY == "quotes"
        seen = []
        for _ in range(len(order)):
            await pilot.press("tab")
            seen.append(app.focused_panel().KEY)
        assert seen == order[1:] + order[:1]
        await pilot.press("shift+tab")
        assert app.focused_panel().KEY == order[-1]
        await pilot.press("shift+tab")
        assert app.focused_panel().KEY == order[-2]


async def test_r_reconnects_the_focused_panel_and_the_banner_goes(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        tape = client.latest("tape")
        await tape.set_state("disconnected", StreamConnectionError("connection lost"))
        app.tick()
        panel = app.tape_panel
        banner = panel.query_one(".panel-banner")
        assert banner.display and "press r to reconnect" in str(banner.render())
        assert "connection lost" in str(banner.render())
        assert "press r" in panel.border_subtitle
        assert [d.state for d in app.status_info().panels if d.letter == "T"] == ["disconnected"]
        # r on another panel does not touch the tape
        await pilot.press("r")
        await pilot.pause()
        assert tape.reconnects == 0 and client.latest("quotes").reconnects == 1
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.state == "live", what="tape live again")
        assert tape.reconnects == 1
        app.tick()
        assert not banner.display


async def test_the_banner_is_restyled_only_when_it_changes(settings, monkeypatch):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        app.tick()
        panel = app.tape_panel
        banner = panel.banner
        assert banner.classes == {"panel-banner"} and not banner.display  # live: no banner
        restyles = []
        restyle = Static.update_node_styles

        def counted(self, animate=True):
            if self is banner:
                restyles.append(sorted(self.classes))
            restyle(self, animate)

        monkeypatch.setattr(Static, "update_node_styles", counted)
        await client.latest("tape").set_state("disconnected", StreamConnectionError("lost"))
        app.tick()
        assert restyles == [["-problem", "panel-banner"]] and banner.display
        panel.set_state(panel.state)  # painted again, nothing new to show
        app.tick()
        assert len(restyles) == 1
        panel.on_stream_error(StreamConnectionError("still lost"))  # new text, same look
        app.tick()
        assert len(restyles) == 1 and "still lost" in str(banner.render())
        await client.latest("tape").set_state("live")
        app.tick()
        assert restyles[1:] == [["panel-banner"]] and not banner.display
        # before the app connects and while the stream opens: one banner, not two in a row
        panel.set_state(PanelOnlyState.WAITING)
        waiting = panel.banner_text()
        panel.set_state(SubscriptionState.CONNECTING)
        assert panel.banner_text() == waiting == ("◌ connecting…", "-busy")


async def test_a_panel_that_says_live_holds_its_subscription(settings):
    """A stream goes live before stream_*() returns it: the panel must not say live with no
    subscription to reconnect or close."""
    app, client = make_app(settings)
    client.hold_open = asyncio.Event()
    async with app.run_test(size=(160, 48)) as pilot:
        panel = app.panels["orders"]
        await wait_for(pilot, lambda: any(s.kind == "orders" for s in client.subs),
                       what="orders stream opened")
        sub = client.latest("orders")
        assert sub.state == "live" and panel.state == "live"
        assert panel.sub is sub
        client.hold_open.set()
        await started(pilot, client)
        assert panel.sub is sub and len([s for s in client.subs if s.kind == "orders"]) == 1
        await pilot.press("q")
    assert sub.state == "closed"


async def test_the_footer_is_rebuilt_only_when_its_keys_change(settings):
    # FooterKey is not exported by Textual: its CSS type name is the public way to find them
    FooterKey = "FooterKey"

    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await pilot.pause(0.2)
        keys = list(app.query(FooterKey))
        assert "Reconnect" in [key.description for key in keys]
        await pilot.press("tab", "tab")  # focus moves; the keys shown stay the same
        await pilot.pause(0.2)
        assert list(app.query(FooterKey)) == keys
        app.update_keymap({"reconnect": "ctrl+r"})  # a remapped key must show
        await wait_for(pilot, lambda: "ctrl+r" in [k.key for k in app.query(FooterKey)],
                       what="footer shows the remapped key")
        assert all(key not in keys for key in app.query(FooterKey))


async def test_reconnect_failure_is_shown_in_the_panel(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await client.latest("orders").set_state("disconnected")
        client.fail_reconnect = StreamConnectionError("cannot reach the server")
        app.panels["orders"].focus_target.focus()
        await pilot.press("r")
        panel = app.panels["orders"]
        await wait_for(pilot, lambda: panel.error == "cannot reach the server",
                       what="error in the panel")
        app.tick()
        banner = str(panel.query_one(".panel-banner").render())
        assert "cannot reach the server" in banner and "press r" in banner
        assert panel.state == "disconnected"


async def test_R_reconnects_every_panel(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        for sub in list(client.open):
            await sub.set_state("disconnected")
        app.tick()
        assert all(p.state == "disconnected" for p in app.panels.values())
        await pilot.press("R")
        await wait_for(pilot, lambda: all(p.state == "live" for p in app.panels.values()),
                       what="all live")
        assert all(s.reconnects == 1 for s in client.subs)


async def test_a_panel_that_cannot_open_says_why(settings):
    app, client = make_app(settings)
    original = client.market_data.stream_bars

    async def refuse(*args, **kwargs):
        raise StreamLimitError("10 streams are open, the limit is 10", limit=10)

    client.market_data.stream_bars = refuse
    async with app.run_test(size=(160, 48)) as pilot:
        panel = app.bars_panel
        await wait_for(pilot, lambda: panel.state == "error", what="bars error")
        app.tick()
        assert "limit is 10" in str(panel.query_one(".panel-banner").render())
        client.market_data.stream_bars = original
        panel.focus_target.focus()
        await pilot.press("r")  # no subscription yet: r opens one
        await wait_for(pilot, lambda: panel.state == "live", what="bars live")


async def test_orders_table_is_replaced_by_a_new_snapshot(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        orders = client.latest("orders")
        await orders.snapshot(
            {"OrderID": "1", "Status": "OPN", "OpenedDateTime": "2026-11-25T14:00:00Z",
             "Legs": [{"Symbol": "AAPL", "BuyOrSell": "Buy", "QuantityOrdered": "10",
                       "ExecQuantity": "0"}]},
            {"OrderID": "2", "Status": "FLL", "OpenedDateTime": "2026-11-25T14:01:00Z"},
        )
        app.tick()
        table = app.panels["orders"].table
        assert table.ordered_keys() == ["2", "1"]  # newest first
        assert cell_text(table, "1", "status") == "Sent"
        await orders.push({"OrderID": "1", "Status": "CAN", "StatusDescription": "Canceled"})
        app.tick()
        assert cell_text(table, "1", "status") == "Canceled"
        # reconnect: a snapshot without order 1
        await orders.snapshot({"OrderID": "2", "Status": "FLL"},
                              {"OrderID": "3", "Status": "REJ",
                               "OpenedDateTime": "2026-11-25T14:02:00Z"})
        app.tick()
        assert sorted(table.ordered_keys()) == ["2", "3"]
        assert "1 filled" in app.panels["orders"].detail_text()


async def test_positions_deleted_and_total_line(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        positions = client.latest("positions")
        await positions.snapshot(
            {"PositionID": "p1", "Symbol": "AAPL", "Quantity": "10", "LongShort": "Long",
             "UnrealizedProfitLoss": "25", "TotalCost": "1000"},
            {"PositionID": "p2", "Symbol": "MSFT", "Quantity": "5", "LongShort": "Short",
             "UnrealizedProfitLoss": "-5", "TotalCost": "500"},
        )
        app.tick()
        panel = app.panels["positions"]
        table = panel.table
        assert table.ordered_keys() == ["p1", "p2"]
        assert cell_text(table, "p2", "qty") == "-5"
        assert cell_text(table, "p1", "pnlp") == "+2.50%"
        total = str(panel.query_one(".positions-total").render())
        assert "+20.00" in total
        await positions.push({"PositionID": "p1", "Deleted": True})
        app.tick()
        assert table.ordered_keys() == ["p2"]
        assert "-5.00" in str(panel.query_one(".positions-total").render())


async def test_balances_rows_per_account(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        balances = client.latest("balances")
        await balances.push({"AccountID": "A1", "CashBalance": "1000", "Equity": "1500",
                             "BuyingPower": "3000", "MarketValue": "500",
                             "TodaysProfitLoss": "-12.5"})
        await balances.push({"AccountID": "A2", "CashBalance": "5"})
        app.tick()
        table = app.panels["balances"].table
        assert table.ordered_keys() == ["A1", "A2"]
        assert cell_text(table, "A1", "equity") == "1,500.00"
        assert cell_text(table, "A1", "today") == "-12.50"


async def test_keys_can_be_remapped_by_binding_id(settings):
    settings.keys = {**settings.keys, "reconnect": "f5", "next_watchlist": "n"}
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        first = client.latest("quotes")
        await pilot.press("w")  # no longer bound
        await pilot.pause()
        assert client.latest("quotes") is first
        await pilot.press("n")
        await wait_for(pilot, lambda: client.latest("quotes") is not first, what="n cycles")
        quotes_sub = client.latest("quotes")
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="live")
        await pilot.press("f5")
        await wait_for(pilot, lambda: quotes_sub.reconnects == 1, what="f5 reconnects")
        assert dict((d, k) for k, d in app.key_help())[
            "reconnect the focused panel's stream"] == "f5"


async def test_sort_key_and_header_click(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        sub = client.latest("quotes")
        symbols = settings.watchlists[settings.default_watchlist]
        for i, symbol in enumerate(symbols):
            await sub.push({"Symbol": symbol, "Last": str(100 + i), "NetChange": str(i - 3),
                            "Volume": str(1000 * (len(symbols) - i))})
        app.tick()
        table = app.quotes_panel.table
        assert table.ordered_keys() == symbols
        await pilot.press("s")  # by symbol
        assert table.ordered_keys() == sorted(symbols)
        await pilot.press("s")  # by change % (largest first)
        assert table.ordered_keys() == list(reversed(symbols))
        await pilot.press("s")  # by volume, largest first
        assert table.ordered_keys() == symbols
        app.quotes_panel.set_sort("last", True)
        assert table.ordered_keys()[0] == symbols[-1]
        # clicking a header sorts by it; again reverses
        await pilot.click(table, offset=(3, 0))  # the Symbol header
        assert table.ordered_keys() == sorted(symbols)
        await pilot.click(table, offset=(3, 0))
        assert table.ordered_keys() == sorted(symbols, reverse=True)


async def test_zoom_maximizes_the_focused_panel(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, client)
        await pilot.press("tab")  # bars
        await pilot.press("z")
        assert app.screen.maximized is app.bars_panel
        await pilot.press("z")
        assert app.screen.maximized is None


async def test_q_unsubscribes_everything_and_closes_the_client(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await pilot.press("q")
        await wait_for(pilot, lambda: client.closed, what="client closed")
    assert app.return_code == 0
    assert not client.open
    assert all(s.state == "closed" for s in client.subs)
    assert all(p.sub is None for p in app.panels.values())


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_layout_modes(settings, size):
    app, client = make_app(settings)
    async with app.run_test(size=size) as pilot:
        await started(pilot, client)
        assert app.screen.has_class("-compact") == (size == (80, 24))
        for panel in app.panels.values():
            assert panel.region.height >= 3 and panel.region.width >= 20, panel.KEY


def minute_bars(count: int, shift_ms: int = 0, close: str = "1") -> list[dict]:
    start = 1_764_000_000_000 + shift_ms
    return [{"Epoch": start + i * 60_000, "TimeStamp": "", "Open": close, "High": close,
             "Low": close, "Close": close, "TotalVolume": "10"} for i in range(count)]


async def test_a_bars_reconnect_replaces_the_chart_with_the_new_history(settings):
    """A restarted server sends bars with other times: the chart holds its history only."""
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        panel = app.bars_panel
        sub = client.latest("bars")
        barsback = sub.params["barsback"]
        await sub.push(*minute_bars(barsback))
        app.tick()
        assert len(panel.model) == barsback
        for round_ in range(1, 4):  # each reconnect used to add another interleaved history
            await sub.set_state("reconnecting", StreamConnectionError("connection lost"))
            await sub.set_state("live")
            app.tick()
            assert len(panel.model) == barsback  # the old chart until the first new bar
            await sub.push(*minute_bars(barsback, shift_ms=round_ * 7_000, close=str(round_)))
            app.tick()
            assert len(panel.model) == barsback
            assert {bar["Close"] for bar in panel.model.last(1000)} == {str(round_)}
            assert f"{barsback} bars" in str(panel.border_subtitle)
        # the reconnect key too: the new connection's bars replace the old ones
        panel.focus_target.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: sub.reconnects == 1 and panel.state == "live",
                       what="reconnected")
        await sub.push(*minute_bars(barsback, shift_ms=-13_000, close="r"))
        app.tick()
        assert len(panel.model) == barsback
        assert {bar["Close"] for bar in panel.model.last(1000)} == {"r"}
