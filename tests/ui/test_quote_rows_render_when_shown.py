"""The quotes panel renders only the changed rows it shows: a long watchlist's rows off screen
are rendered when scrolled into view, with their latest prices and without a flash that ended
while they were off screen (fake client)."""

from __future__ import annotations

from collections import Counter

from ui_fakes import cell_text, make_app, started

from tsdash.config import Settings

SYMBOLS = [f"S{i:02d}" for i in range(60)]


def counting_renders(panel) -> Counter[str]:
    calls: Counter[str] = Counter()
    render_row = panel.render_row

    def counting(symbol: str, tick: int):
        calls[symbol] += 1
        return render_row(symbol, tick)

    panel.render_row = counting
    return calls


async def test_an_off_screen_quote_row_is_rendered_when_scrolled_into_view(tmp_path):
    settings = Settings(watchlists={"long": SYMBOLS}, default_watchlist="long",
                        path=tmp_path / "config.toml")
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        sub = client.latest("quotes")
        await sub.push(*({"Symbol": s, "Last": "100", "NetChange": "1"} for s in SYMBOLS))
        app.tick()
        panel = app.quotes_panel
        table = panel.table
        table.scroll_end(animate=False)  # every row drawn once, at 100
        await pilot.pause()
        table.scroll_home(animate=False)
        await pilot.pause()
        assert cell_text(table, "S59", "last") == "100.00"
        renders = counting_renders(panel)
        await sub.push({"Symbol": "S59", "Last": "101"}, {"Symbol": "S00", "Last": "102"})
        app.tick()
        assert renders == Counter({"S00": 1})  # S59 is far below the rows shown
        assert panel.flashing  # both moved: S59's flash runs while it is off screen
        for _ in range(10):
            app.tick()
        assert not panel.flashing and renders["S59"] == 0
        table.scroll_end(animate=False)
        await pilot.pause()
        assert renders["S59"] == 1
        assert cell_text(table, "S59", "last") == "101.00"
        plain = table.get_cell("S58", "last").style
        assert table.get_cell("S59", "last").style == plain  # no flash left over
