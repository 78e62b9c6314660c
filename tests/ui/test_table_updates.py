"""LiveTable.sync: keyed rows updated by difference, one copy of each row's cells."""

from __future__ import annotations

from rich.text import Text
from table_app import TableApp, screen_rows

from tsdash.ui.models import Changes


async def test_rows_are_added_updated_and_removed_by_key():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.values.update(a="1.00", b="2.00")
        assert app.sync("a", "b") is True  # rows added: the structure changed
        await pilot.pause()
        assert table.ordered_keys() == ["a", "b"] and table.row_count == 2
        assert screen_rows(table)[:3] == [["Name", "Value"], ["a", "1.00"], ["b", "2.00"]]
        app.values["a"] = "1.50"
        assert app.sync("a") is False  # a value changed: same rows
        await pilot.pause()
        assert screen_rows(table)[1] == ["a", "1.50"]
        assert app.remove("a") is True
        await pilot.pause()
        assert table.ordered_keys() == ["b"]
        assert screen_rows(table)[1:3] == [["b", "2.00"], []]


async def test_a_reset_drops_the_rows_that_no_longer_exist():
    app = TableApp()
    async with app.run_test(size=(40, 10)):
        app.values.update(a="1", b="2", c="3")
        app.sync("a", "b", "c")
        del app.values["b"]
        assert app.table.sync(Changes(reset=True), app.values.__contains__, app.render_row)
        assert app.table.ordered_keys() == ["a", "c"]


async def test_the_table_holds_one_copy_of_each_rows_cells_and_keeps_unchanged_ones():
    app = TableApp()
    async with app.run_test(size=(40, 10)):
        table = app.table
        app.values.update(a="1.00")
        app.sync("a")
        held = table.rendered["a"]
        assert table.get_cell("a", "name") is held[0] and table.get_cell("a", "value") is held[1]
        app.sync("a")  # the same cells rendered again: the held ones stay
        assert table.rendered["a"] is held
        app.values["a"] = "1.25"
        app.sync("a")
        assert table.rendered["a"] is not held
        assert table.get_cell("a", "value").plain == "1.25"


async def test_a_cell_whose_colour_alone_changed_is_replaced():
    app = TableApp()
    async with app.run_test(size=(40, 10)):
        table = app.table
        colour = {"a": "green"}

        def render(key: str) -> tuple[Text, ...]:
            return (Text(key), Text("1.00", style=colour[key], justify="right"))

        table.sync(Changes({"a"}), colour.__contains__, render)
        held = table.rendered["a"]
        colour["a"] = "red"
        table.sync(Changes({"a"}), colour.__contains__, render)
        assert table.rendered["a"] is not held
        assert str(table.get_cell("a", "value").style) == "red"


async def test_reset_rows_empties_the_table():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        app.add_rows(5)
        app.table.reset_rows()
        await pilot.pause()
        assert app.table.ordered_keys() == [] and app.table.rendered == {}
        assert app.table.cursor_row_key() is None
        assert screen_rows(app.table)[1] == []
