"""LiveTable renders a changed row's cells only when the row is shown: a row that changes off
screen is rendered once, with its latest values, when a scroll, a sort, a resize or rows removed
above bring it into view, or when its cell is read."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from table_app import TableApp, screen_rows, settle


class RenderCountingApp(TableApp):
    """The table app counting, per row, how often the table asked for its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.renders: Counter[str] = Counter()

    def render_row(self, key: str) -> tuple[Text, ...]:
        self.renders[key] += 1
        return super().render_row(key)


def shown(app: TableApp, key: str) -> list[str] | None:
    """The words on the screen line showing row ``key`` (None: not on screen)."""
    return next((words for words in screen_rows(app.table)[1:] if words and words[0] == key),
                None)


async def test_a_row_changing_off_screen_is_rendered_once_when_scrolled_into_view():
    app = RenderCountingApp()
    async with app.run_test(size=(40, 6)) as pilot:  # the header and 5 rows
        table = app.table
        app.add_rows(30)
        await settle(pilot, table)
        app.renders.clear()
        for value in ("first", "second", "latest"):
            app.values["r25"] = value
            app.sync("r25")
        app.values["r2"] = "seen"
        app.sync("r2")  # a row on screen is rendered at once
        assert app.renders == Counter({"r2": 1})
        assert table.stale_rows == 1
        table.scroll_to(y=22, animate=False)
        await settle(pilot, table)
        assert app.renders == Counter({"r2": 1, "r25": 1})
        assert shown(app, "r25") == ["r25", "latest"]
        assert table.stale_rows == 0


async def test_a_sort_that_brings_a_stale_row_to_the_top_shows_its_latest_values():
    app = RenderCountingApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.table
        app.add_rows(30)
        await settle(pilot, table)
        app.values["r28"] = "new"
        app.sync("r28")
        assert shown(app, "r28") is None and app.renders["r28"] == 1  # only when added
        table.sort_rows(lambda key: -int(key[1:]))  # r29, r28, ... on top
        await settle(pilot, table)
        assert shown(app, "r28") == ["r28", "new"]
        assert app.renders["r28"] == 2


async def test_rows_removed_above_bring_a_stale_row_into_view_rendered():
    app = RenderCountingApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.table
        app.add_rows(10)
        await settle(pilot, table)
        app.values["r7"] = "moved"
        app.sync("r7")
        assert shown(app, "r7") is None and app.renders["r7"] == 1  # only when added
        app.remove("r0", "r1", "r2", "r3")  # r7 is now the 4th row
        await settle(pilot, table)
        assert shown(app, "r7") == ["r7", "moved"]
        assert app.renders["r7"] == 2


async def test_reading_a_stale_rows_cell_renders_it():
    app = RenderCountingApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.table
        app.add_rows(30)
        await settle(pilot, table)
        app.values["r20"] = "read"
        app.sync("r20")
        assert app.renders["r20"] == 1  # only when added
        assert table.get_cell("r20", "value").plain == "read"
        assert app.renders["r20"] == 2 and table.stale_rows == 0


async def test_a_stale_row_wider_than_its_column_widens_it_when_shown():
    """A column widens when a row needing it is first drawn, not while it is off screen."""
    app = RenderCountingApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.table
        app.add_rows(30)
        await settle(pilot, table)
        before = table.column_width("value")
        app.values["r25"] = "a much longer value"
        app.sync("r25")
        assert table.column_width("value") == before
        table.scroll_to(y=22, animate=False)
        await settle(pilot, table)
        assert table.column_width("value") == len("a much longer value") + 1
        assert shown(app, "r25") == ["r25", "a", "much", "longer", "value"]
