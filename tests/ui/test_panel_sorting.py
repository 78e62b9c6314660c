"""A panel's table sorts by key and by a click on its header."""

from __future__ import annotations

from ui_fakes import make_app, started


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
        await pilot.press("o")  # by symbol
        assert table.ordered_keys() == sorted(symbols)
        await pilot.press("o")  # by change % (largest first)
        assert table.ordered_keys() == list(reversed(symbols))
        await pilot.press("o")  # by volume, largest first
        assert table.ordered_keys() == symbols
        app.quotes_panel.set_sort("last", True)
        assert table.ordered_keys()[0] == symbols[-1]
        # clicking a header sorts by it; again reverses
        await pilot.click(table, offset=(3, 0))  # the Symbol header
        assert table.ordered_keys() == sorted(symbols)
        await pilot.click(table, offset=(3, 0))
        assert table.ordered_keys() == sorted(symbols, reverse=True)
