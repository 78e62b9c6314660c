"""DashTable: diff updates keep one copy of each row's cells and no stale render caches."""

from __future__ import annotations

from rich.text import Span, Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from tsdash.ui.models import Changes
from tsdash.ui.widgets.table import ColumnSpec, DashTable, _pad, same_padded_cell

SPECS = (ColumnSpec("name", "Name", 6, "left"), ColumnSpec("value", "Value", 8))


def same_cell(a: Text, b: Text) -> bool:
    """The reference: two cells paint the same (Text.__eq__ ignores the base style)."""
    return (a.plain == b.plain and a.style == b.style and a._spans == b._spans
            and a.justify == b.justify)


class TableApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.table = DashTable(SPECS)

    def compose(self) -> ComposeResult:
        yield self.table

    def render_row(self, key: str) -> tuple[Text, ...]:
        return (Text(key, style="bold"), Text(self.values[key], justify="right"))

    def sync(self, *keys: str) -> bool:
        return self.table.sync(Changes(set(keys)), self.values.__contains__, self.render_row)


async def test_rows_keep_the_cells_the_table_holds_and_only_changed_cells_are_replaced():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.values.update(a="1.00", b="2.00")
        assert app.sync("a", "b")
        held = table.rendered["a"]
        for index, column in enumerate(("name", "value")):
            assert table.get_cell("a", column) is held[index]  # one copy of each cell
        assert held[1].plain == " 1.00"
        count = table._update_count
        assert not app.sync("a")  # nothing differs: no update_cell
        assert table._update_count == count and table.rendered["a"] is held
        app.values["a"] = "1.50"
        app.sync("a")
        after = table.rendered["a"]
        assert after[0] is held[0] and after[1] is not held[1]
        assert table.get_cell("a", "value") is after[1] and after[1].plain == " 1.50"
        await pilot.pause()


def add_rows(app, n: int) -> None:
    """Rows r0..r(n-1) holding their number, synced into the table."""
    app.values.update({f"r{i}": str(i) for i in range(n)})
    app.sync(*app.values)


async def test_render_caches_keep_only_the_current_update_count():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        add_rows(app, 5)
        for step in range(20):
            app.values["r0"] = str(100 + step)
            app.sync("r0")
            table.refresh()
            await pilot.pause()
        count = table._update_count
        assert table._row_renderable_cache.keys(), "the table was rendered"
        assert {key[0] for key in table._row_renderable_cache.keys()} == {count}
        assert {key[-2] for key in table._cell_render_cache.keys()} <= {count}


def test_same_padded_cell_is_same_cell_after_padding():
    base = Text("12.50", style="green", justify="right")
    variants = [
        Text("12.50", style="green", justify="right"),
        Text("12.51", style="green", justify="right"),
        Text("12.5", style="green", justify="right"),
        Text("x12.50"[1:], style="red", justify="right"),
        Text("12.50", style="green", justify="left"),
        Text("12.50", style="green", justify="right", spans=[Span(0, 2, "bold")]),
    ]
    with_spans = Text("12.50", style="green", justify="right", spans=[Span(0, 2, "bold")])
    for held in (_pad(base), _pad(with_spans)):
        for cell in variants:
            assert same_padded_cell(held, cell) == same_cell(held, _pad(cell))
    assert same_padded_cell(_pad(with_spans), variants[-1])
    assert not same_padded_cell(_pad(with_spans),
                                Text("12.50", style="green", justify="right",
                                     spans=[Span(0, 3, "bold")]))
    assert not same_padded_cell(Text("x12.50", style="green", justify="right"), base)


async def test_cleared_render_cache_entries_are_not_left_in_a_ring():
    # LRUCache.clear() alone leaves its [prev, next, key, value] nodes linked in a ring: cyclic
    # garbage holding every rendered line until a gc collection
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        add_rows(app, 5)
        table.refresh()
        await pilot.pause()
        caches = (table._cell_render_cache, table._row_render_cache,
                  table._row_renderable_cache, table._line_cache)
        nodes = [node for cache in caches for node in cache._cache.values()]
        assert len(nodes) > 10
        app.values["r0"] = "changed"
        app.sync("r0")
        table.refresh()
        await pilot.pause()
        assert all(node == [] for node in nodes)


def counting_draws(monkeypatch) -> list[tuple[int, int]]:
    """(row, column) of every cell DataTable draws from here on (row -1: the header)."""
    drawn: list[tuple[int, int]] = []
    draw = DataTable._render_cell

    def counted(self, row_index, column_index, *args, **kwargs):
        drawn.append((row_index, column_index))
        return draw(self, row_index, column_index, *args, **kwargs)

    monkeypatch.setattr(DataTable, "_render_cell", counted)
    return drawn


async def repaint(pilot, table) -> None:
    table.refresh()
    await pilot.pause()


async def test_only_a_changed_cell_is_drawn_again(monkeypatch):
    drawn = counting_draws(monkeypatch)
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        add_rows(app, 5)
        await repaint(pilot, table)
        assert set(drawn) >= {(row, col) for row in range(5) for col in (0, 1)}
        drawn.clear()
        app.values["r2"] = "99"
        app.sync("r2")
        await repaint(pilot, table)
        assert drawn == [(2, 1)]  # not the other nine cells on screen, nor the header
        assert table.render_line(3).text.split() == ["r2", "99"]  # row 2 under the header
        drawn.clear()
        await repaint(pilot, table)
        assert drawn == []


async def test_cursor_moves_sorting_and_themes_draw_what_they_change(monkeypatch):
    drawn = counting_draws(monkeypatch)
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        add_rows(app, 4)
        table.focus()
        await repaint(pilot, table)
        assert table.cursor_row == 0
        drawn.clear()
        table.move_cursor(row=2)
        await repaint(pilot, table)
        assert {row for row, _ in drawn} == {0, 2}  # the rows the cursor left and reached
        drawn.clear()
        table.show_cursor = False  # what the table does on blur: the cursor row loses its colour
        await repaint(pilot, table)
        assert 2 in {row for row, _ in drawn}
        table.show_cursor = True
        await repaint(pilot, table)
        drawn.clear()
        table.sort_rows(lambda key: -int(app.values[key]))  # r3 r2 r1 r0: every row moves
        await repaint(pilot, table)
        assert {row for row, _ in drawn} == {0, 1, 2, 3}
        assert [table.render_line(y).text.split()[0] for y in (1, 2, 3, 4)] == \
            ["r3", "r2", "r1", "r0"]
        drawn.clear()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await repaint(pilot, table)
        assert len(drawn) == 10  # four rows and the header, two columns


async def test_a_removed_row_leaves_no_drawing_behind():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        add_rows(app, 3)
        await repaint(pilot, table)
        assert RowKey("r1") in table._drawn
        del app.values["r1"]
        table.sync(Changes(removed={"r1"}), app.values.__contains__, app.render_row)
        await repaint(pilot, table)
        assert set(table._drawn) == {table._header_row_key, RowKey("r0"), RowKey("r2")}
        table.reset_rows()
        assert table._drawn == {}


async def test_a_long_table_keeps_drawings_for_a_few_screens_of_rows():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        add_rows(app, 200)
        await repaint(pilot, table)
        for row in range(0, 200, 5):  # scroll through every row, as a user paging down would
            table.move_cursor(row=row, animate=False)
            await repaint(pilot, table)
        app.values["r199"] = "changed"
        app.sync("r199")  # a change drops what is off screen
        await repaint(pilot, table)
        height, top = table.size.height, table.scroll_offset.y
        assert top > 150  # scrolled down to the end
        rows = {table._row_locations.get(key) for key in table._drawn
                if key is not table._header_row_key}
        assert table._header_row_key in table._drawn
        assert 0 < len(rows) <= 3 * height
        assert all(top - height <= row < top + 2 * height for row in rows)


CAPPED = (ColumnSpec("name", "Name", 6, "left", max_width=12), ColumnSpec("value", "Value", 8))


class CappedApp(TableApp):
    def __init__(self) -> None:
        super().__init__()
        self.table = DashTable(CAPPED)


def widths(table: DashTable) -> list[int]:
    return [column.get_render_width(table) for column in table.ordered_columns]


async def test_a_long_cell_is_cut_at_the_columns_max_width_and_the_column_shrinks_when_it_leaves():
    app = CappedApp()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.table
        app.values.update(a="1.00", bb="2.00")
        app.sync("a", "bb")
        await pilot.pause()
        before = widths(table)
        long = "X" * 60
        app.values[long] = "3.00"
        app.sync(long)
        await pilot.pause()
        name = table.get_cell(long, "name")
        assert name.plain == " " + "X" * 11 + "…"  # its gap, then cut to 12 with an ellipsis
        assert widths(table)[0] == 13 > before[0]  # widened, but only to the cap
        del app.values[long]
        table.sync(Changes(removed={long}), app.values.__contains__, app.render_row)
        await pilot.pause()
        assert widths(table) == before
        assert table.virtual_size.width == sum(before)


async def test_a_wide_value_that_is_updated_keeps_its_width_until_its_row_leaves():
    """Widths are stable while values move (no jumping layout); the widest row leaving shrinks."""
    app = TableApp()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.table
        app.values.update(a="1.00", b="2.00")
        app.sync("a", "b")
        await pilot.pause()
        before = widths(table)
        app.values["b"] = "123456789012.00"
        app.sync("b")
        await pilot.pause()
        wide = widths(table)
        assert wide[1] == 16 > before[1]
        app.values["b"] = "2.00"
        app.sync("b")
        await pilot.pause()
        assert widths(table) == wide  # a price that moves back does not re-lay out the table
        app.values["c"] = "1234567890123.0"
        app.sync("c")
        del app.values["c"]
        table.sync(Changes(removed={"c"}), app.values.__contains__, app.render_row)
        await pilot.pause()
        assert widths(table) == before  # the widest left: measured again from the rows kept
        table.reset_rows()
        await pilot.pause()
        assert widths(table) == before  # and with no rows at all, as wide as the headers
