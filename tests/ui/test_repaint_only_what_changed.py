"""A repaint tick costs only what changed on screen: a panel's border text, a table growing, the
chart's live bar and the positions total repaint their own lines, not whole widgets or the layout.

Counted through public hooks: a widget's ``render_line`` (called for each content line Textual
draws again) and ``refresh`` (what a widget asks Textual to repaint or re-lay out)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from table_app import TableApp, screen_rows
from table_app import settle as settle_table
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from ui_helpers import settle, sim_app, wait_data

from tsdash.ui.models import BarsModel
from tsdash.ui.themes import VARIABLE_DEFAULTS, derived_variables
from tsdash.ui.widgets.candles import CandleChart


def count_refreshes(widget: Widget) -> list[dict[str, Any]]:
    """Record every refresh() the widget is asked for (its regions and whether it re-lays out)."""
    calls: list[dict[str, Any]] = []
    refresh = widget.refresh

    def counting(*regions: Region, **kwargs: Any) -> Any:
        calls.append({"regions": regions, **kwargs})
        return refresh(*regions, **kwargs)

    widget.refresh = counting  # type: ignore[method-assign]
    return calls


def count_lines(widget: Widget) -> Counter[int]:
    """Count the content lines Textual asks the widget to draw again."""
    drawn: Counter[int] = Counter()
    render_line = widget.render_line

    def counting(y: int) -> Strip:
        drawn[y] += 1
        return render_line(y)

    widget.render_line = counting  # type: ignore[method-assign]
    return drawn


def bottom_line(widget: Widget) -> str:
    """The widget's last line as it is on screen (its bottom border, with the subtitle)."""
    width, height = widget.outer_size
    return widget.render_lines(Region(0, height - 1, width, 1))[0].text


async def test_a_new_subtitle_repaints_only_the_border_line(settings):
    app, _ = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_data(pilot)
        await settle(pilot)
        panel = app.panels["balances"]
        drawn = count_lines(panel)
        panel.interval = 7.0  # its subtitle says how often balances are polled
        panel.refresh_subtitle()
        await pilot.pause()
        await pilot.pause()
        assert "every 7s" in bottom_line(panel)
        assert not drawn, "the panel's content lines were drawn again for a subtitle"


async def test_an_unchanged_subtitle_or_title_repaints_nothing(settings):
    app, _ = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_data(pilot)
        await settle(pilot)
        panel = app.panels["positions"]
        calls = count_refreshes(panel)
        panel.refresh_subtitle()
        panel.refresh_title()
        assert calls == []


async def test_rows_added_to_a_table_of_fixed_height_do_not_re_lay_out_the_screen():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(20)  # more rows than lines: the scrollbar is shown
        await settle_table(pilot, table)
        calls = count_refreshes(table)
        app.values.update({f"r{i}": str(i) for i in range(20, 25)})
        app.sync(*(f"r{i}" for i in range(20, 25)))
        table.sort_rows(lambda key: int(key[1:]))
        await pilot.pause()
        assert not [c for c in calls if c.get("layout")]
        # the table still scrolls over every row, and its scrollbar knows them all
        assert table.virtual_size.height == 26
        assert table.vertical_scrollbar.window_virtual_size == 26
        table.focus()
        table.action_last_row()
        await pilot.pause()
        await pilot.pause()
        assert screen_rows(table)[-1] == ["r24", "24"]


class ChartApp(App[None]):
    """One chart, with the dashboard's colour variables."""

    def __init__(self, model: BarsModel) -> None:
        super().__init__()
        self.chart = CandleChart(model)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **VARIABLE_DEFAULTS}

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        return {**derived_variables(variables), **variables}

    def compose(self) -> ComposeResult:
        yield self.chart


def minute_bar(minute: int, close: float) -> dict[str, Any]:
    return {"Epoch": 1_764_000_000_000 + minute * 60_000, "Open": "100", "High": "110",
            "Low": "90", "Close": str(close), "TotalVolume": "1000",
            "TimeStamp": f"2026-11-25T14:{minute:02d}:00Z"}


async def test_the_live_bar_moving_repaints_only_the_lines_it_changed():
    model = BarsModel("SPY")
    for minute in range(30):
        model.apply(minute_bar(minute, 100 + minute % 7))
    app = ChartApp(model)
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.chart
        for _ in range(3):  # the first frame, and the one after the chart takes focus
            await pilot.pause()
        drawn = count_lines(chart)
        model.apply(minute_bar(29, 101.5))  # the live bar's close moves a little
        chart.invalidate()
        await pilot.pause()
        await pilot.pause()
        assert drawn, "nothing was repainted"
        assert len(drawn) < chart.size.height // 2
        assert "101.50" in chart.render_line(0).text  # the header shows the new close


async def test_unchanged_positions_total_is_not_repainted(settings):
    app, _ = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_data(pilot)
        await settle(pilot)
        panel = app.panels["positions"]
        calls = count_refreshes(panel.total)
        panel.model.mark_all_dirty()  # every row painted again, with the same figures
        app.tick()
        assert calls == []


async def test_rows_changed_in_one_sync_are_repainted_with_one_refresh():
    """Each refresh() call also drops the widget's cached styles, which every line drawn after
    it works out again: a sync asks for its changed lines at once."""
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await settle_table(pilot, table)
        calls = count_refreshes(table)
        for key in ("r0", "r2", "r4"):
            app.values[key] = "77"
        app.sync("r0", "r2", "r4")
        assert len(calls) == 1
        assert sorted(region.y for region in calls[0]["regions"]) == [1, 3, 5]
        await settle_table(pilot, table)
        assert [row[1] for row in screen_rows(table)[1:6]] == ["77", "1", "77", "3", "77"]


async def test_lines_drawn_after_one_refresh_work_out_the_table_style_once():
    """Textual walks every ancestor's styles for ``rich_style``: the table reads it once per
    refresh, not once per line it draws."""
    from rich.style import Style

    from tsdash.ui.widgets.table import LiveTable

    class StyleCountingTable(LiveTable):
        reads = 0

        @property
        def rich_style(self) -> Style:
            StyleCountingTable.reads += 1
            return super().rich_style

    app = TableApp()
    app.table = StyleCountingTable(app.table.specs)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await settle_table(pilot, table)
        for key in app.values:
            app.values[key] = "55"
        StyleCountingTable.reads = 0
        app.sync(*app.values)
        await pilot.pause()
        await pilot.pause()
        assert [row[1] for row in screen_rows(table)[1:6]] == ["55"] * 5
        assert StyleCountingTable.reads <= 2  # once for the five lines (and screen_rows)


async def test_a_quote_row_keeps_the_cells_whose_text_and_colour_did_not_change(settings):
    """The table compares a held cell with the new one by identity first: a row whose bid moved
    hands it the same cell objects for every other column."""
    app, _ = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_data(pilot)
        await settle(pilot)
        quotes = app.panels["quotes"]
        symbol = quotes.model.symbols[0]
        tick = app.tick_no + 100  # past every flash
        before = quotes.render_row(symbol, tick)
        again = quotes.render_row(symbol, tick)
        assert all(a is b for a, b in zip(before[1:], again[1:]))
        quote = quotes.model.quotes[symbol]
        quote["Volume"] = str(int(float(quote["Volume"])) * 3 + 1_000_000)
        moved = quotes.render_row(symbol, tick)
        volume = [c.key for c in quotes.table.specs].index("volume")
        assert moved[volume] is not before[volume]
        assert moved[volume].plain != before[volume].plain
        assert all(a is b for i, (a, b) in enumerate(zip(before, moved)) if 0 < i != volume)
