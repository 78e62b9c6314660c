"""LiveTable's columns: a minimum width, widen only when a value needs it, shrink back when the
row holding the widest cell leaves; a column's max_width cuts a longer cell with "…"."""

from __future__ import annotations

from table_app import SPECS, TableApp, screen_rows

from tsdash.ui.widgets.table import ColumnSpec

CAPPED = (ColumnSpec("name", "Name", 6, "left", max_width=12), ColumnSpec("value", "Value", 8))


async def test_columns_start_at_their_minimum_width_with_a_gap():
    app = TableApp()
    async with app.run_test(size=(60, 10)) as pilot:
        app.values.update(a="1.00")
        app.sync("a")
        await pilot.pause()
        assert app.table.column_widths() == {"name": 7, "value": 9}
        assert app.table.render_line(0).text.rstrip() == " Name      Value"
        assert app.table.render_line(1).text.rstrip() == " a          1.00"


async def test_a_long_cell_is_cut_at_the_max_width_and_its_column_shrinks_when_it_leaves():
    app = TableApp(CAPPED)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.table
        app.values.update(a="1.00", bb="2.00")
        app.sync("a", "bb")
        before = table.column_widths()
        long = "X" * 60
        app.values[long] = "3.00"
        app.sync(long)
        await pilot.pause()
        assert table.get_cell(long, "name").plain == "X" * 11 + "…"
        assert table.column_widths()["name"] == 13 > before["name"]  # its gap and 12, no more
        assert screen_rows(table)[3] == ["X" * 11 + "…", "3.00"]
        app.remove(long)
        await pilot.pause()
        assert table.column_widths() == before
        assert table.virtual_size.width == sum(before.values())
        assert table.render_line(1).text.rstrip() == " a          1.00"


async def test_a_wide_value_keeps_its_column_wide_until_its_row_leaves():
    """Widths are stable while values move (no jumping layout); the widest row leaving shrinks."""
    app = TableApp(SPECS)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.table
        app.values.update(a="1.00", b="2.00")
        app.sync("a", "b")
        before = table.column_widths()
        app.values["b"] = "123456789012.00"
        app.sync("b")
        wide = table.column_widths()
        assert wide["value"] == 16 > before["value"]
        app.values["b"] = "2.00"
        app.sync("b")
        assert table.column_widths() == wide  # a value that moves back does not re-lay out
        app.values["c"] = "1234567890123.0"
        app.sync("c")
        app.remove("c")
        assert table.column_widths() == before  # the widest left: measured from the rows kept
        app.values["b"] = "123456789012.00"
        app.sync("b")
        app.values["b"] = "2.00"
        app.sync("b")
        table.refit_columns()  # many cells narrowed at once: measured again on request
        assert table.column_widths() == before
        app.values["b"] = "123456789012.00"
        app.sync("b")
        table.reset_rows()
        await pilot.pause()
        assert table.column_widths() == before  # no rows at all: as wide as the headers
