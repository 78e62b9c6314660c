"""A small app around one LiveTable, for the table's behaviour tests: rows are ``values``
(key -> text), synced into the table as the panels do; every line the table draws is counted."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

from tsdash.ui.models import Changes
from tsdash.ui.widgets.table import ColumnSpec, LiveTable

SPECS = (ColumnSpec("name", "Name", 6, "left"), ColumnSpec("value", "Value", 8))


class CountingTable(LiveTable):
    """A LiveTable that counts the lines Textual asks it for (y: 0 is the header)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.drawn: Counter[int] = Counter()

    def render_line(self, y: int) -> Strip:
        self.drawn[y] += 1
        return super().render_line(y)


class TableApp(App):
    AUTO_FOCUS = None  # the tests decide when the table has focus

    def __init__(self, specs: tuple[ColumnSpec, ...] = SPECS) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.table = CountingTable(specs)
        self.messages: list[object] = []

    def compose(self) -> ComposeResult:
        yield self.table

    def render_row(self, key: str) -> tuple[Text, ...]:
        return (Text(key, style="bold"), Text(self.values[key], justify="right"))

    def sync(self, *keys: str) -> bool:
        return self.table.sync(Changes(set(keys)), self.values.__contains__, self.render_row)

    def remove(self, *keys: str) -> bool:
        for key in keys:
            del self.values[key]
        return self.table.sync(Changes(removed=set(keys)), self.values.__contains__,
                               self.render_row)

    def add_rows(self, n: int) -> None:
        """Rows r0..r(n-1) holding their number, in that order."""
        self.values.update({f"r{i}": str(i) for i in range(n)})
        self.sync(*self.values)
        self.table.sort_rows(lambda key: int(key[1:]))

    def on_live_table_row_selected(self, event: LiveTable.RowSelected) -> None:
        self.messages.append(event)

    def on_live_table_header_selected(self, event: LiveTable.HeaderSelected) -> None:
        self.messages.append(event)


def screen_rows(table: LiveTable) -> list[list[str]]:
    """What each line of the table shows, split into words (line 0: the header)."""
    return [table.render_line(y).text.split() for y in range(table.size.height)]


async def settle(pilot, table: LiveTable) -> None:
    """Let the app draw what is pending, then forget what was counted."""
    await pilot.pause()
    await pilot.pause()
    if isinstance(table, CountingTable):
        table.drawn.clear()
