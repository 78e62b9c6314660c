"""DashTable: diff updates keep one copy of each row's cells and no stale render caches."""

from __future__ import annotations

from rich.text import Span, Text
from textual.app import App, ComposeResult

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
