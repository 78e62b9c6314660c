"""The selected quote row decides which symbol the bars and tape panels stream (fake client)."""

from __future__ import annotations

from ui_helpers import wait_for
from ui_fakes import make_app, started
from tsdash.api import StreamConnectionError


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
