"""A DataTable that is updated by difference (dolphie's way) and never repaints per tick.

``sync()`` takes the rows that changed since the last repaint and:

* removes the rows that are gone,
* ``update_cell``s only the cells whose rendered value changed,
* adds new rows with their key,

all inside one ``app.batch_update()``. Cells are ``rich.text.Text`` (a plain ``str`` would be read
as markup). Columns are auto-width with a minimum, and only widen when a value needs it, so the
layout does not jump while prices move. When a row leaves (``d``, a new watchlist) and it held a
column's widest cell, that column's width is measured again from the rows kept, so one long value
does not keep a column wide after it is gone. A column may have a ``max_width``: a longer cell is
cut with an ellipsis, so one absurd value cannot push the other columns off the panel.

A row's cells are kept once: ``rendered`` holds the very (padded) cell objects the DataTable
holds, and a new cell is compared against them, so a table of N rows keeps N rows of cells, not
two copies of each.

A cell is drawn again only when it changed. DataTable keys its cache of drawn cells by its update
count, so one ``update_cell`` redraws every visible cell of the table (the bulk of a repaint's
cost); ``_render_cell`` here keeps each cell's drawing for as long as the table holds the same
cell object in the same place, width and style.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tsdash.ui.models import Changes


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int  # minimum width
    justify: str = "right"
    max_width: int | None = None  # a longer cell is cut with "…" (None: no limit)


Cells = tuple[Text, ...]


class DashTable(DataTable):
    """A row-cursor DataTable with keyed columns and diff updates."""

    DEFAULT_CSS = """
    DashTable {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
    }
    DashTable > .datatable--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, columns: Sequence[ColumnSpec], *, cursor: bool = True,
                 id: str | None = None, classes: str | None = None) -> None:
        # per row, per column: (cell object, how it was drawn, the drawing); set first, as
        # DataTable's constructor already clears caches
        self._drawn: dict[RowKey, dict[ColumnKey, tuple[object, tuple, Any]]] = {}
        # cell_padding=0: every cell carries its own one-space gap on the left (see _pad), so
        # a full quote row fits 100 columns
        super().__init__(id=id, classes=classes, cursor_type="row" if cursor else "none",
                         zebra_stripes=False, show_row_labels=False, cell_padding=0,
                         show_cursor=False)
        self.specs = list(columns)
        # per row, the cells the table holds (padded): what a new rendering is compared against
        self.rendered: dict[str, Cells] = {}
        self._fresh = True  # no row shown yet: the first sort puts the cursor on the top row
        self._column_keys = [ColumnKey(spec.key) for spec in self.specs]
        # (index, max width) of the capped columns: the only cells _fit looks at
        self._caps = [(i, spec.max_width) for i, spec in enumerate(self.specs)
                      if spec.max_width is not None]
        self._cached_count = -1  # DataTable._update_count when the caches were cleared

    def render_lines(self, crop):  # type: ignore[override]
        # DataTable keys every render cache entry (cells, rows, lines) by its update count, which
        # any update_cell bumps: after a change every cached entry is dead, yet the LRU caches
        # (10000 + 1000 + 1000 entries per table) keep them until evicted: tens of MB, and a
        # steady stream of long-lived objects that makes the gc's full collections slow. The row
        # renderables cache (1000 entries, keyed the same way) holds every replaced cell of a row
        # alive until evicted: ~1.7 kB an entry for the quote table, and a table that changes
        # rarely (balances every 5 s) fills it slowly, for the better part of an hour.
        count = self._update_count
        if count != self._cached_count:
            self._cached_count = count
            _drop(self._cell_render_cache)
            _drop(self._row_render_cache)
            _drop(self._row_renderable_cache)
            _drop(self._line_cache)
            self._forget_hidden_rows()
        return super().render_lines(crop)

    def _forget_hidden_rows(self) -> None:
        """Keep cell drawings for the rows on screen and a screen's height either side, so a
        long table (500 orders) holds a few screens of drawings, not one per row ever shown."""
        height = max(self.size.height, 1)
        if len(self._drawn) <= 3 * height:
            return
        top = self.scroll_offset.y - height
        bottom = self.scroll_offset.y + 2 * height
        where, header = self._row_locations, self._header_row_key
        for key in [k for k in self._drawn
                    if k is not header and not top <= (where.get(k) or 0) < bottom]:
            del self._drawn[key]

    def _render_cell(self, row_index: int, column_index: int, base_style: Any, width: int,
                     cursor: bool = False, hover: bool = False) -> Any:
        if column_index < 0:  # row labels (not shown here): DataTable's own cache
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        column_key = self._column_locations.get_key(column_index)
        if row_index < 0:  # the header row
            row_key = self._header_row_key
            cell: object = self.columns[column_key].label
        else:
            row_key = self._row_locations.get_key(row_index)
            cell = self._data[row_key][column_key]
        # row_index: the drawing carries it (as mouse metadata); the rest decides the look
        how = (row_index, column_index, width, base_style, cursor, hover,
               self._show_hover_cursor, self._pseudo_class_state)
        row = self._drawn.get(row_key)
        if row is None:
            row = self._drawn[row_key] = {}
        else:
            kept = row.get(column_key)
            if kept is not None and kept[0] is cell and kept[1] == how:
                return kept[2]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row[column_key] = (cell, how, lines)
        return lines

    def _clear_caches(self) -> None:  # a new theme, cursor, padding: everything looks different
        super()._clear_caches()
        self._drawn.clear()

    def remove_row(self, row_key: RowKey | str) -> None:
        super().remove_row(row_key)
        self._drawn.pop(row_key if isinstance(row_key, RowKey) else RowKey(row_key), None)

    def on_mount(self) -> None:
        for spec in self.specs:
            label = Text(" " + (spec.label.rjust(spec.width) if spec.justify == "right"
                                else spec.label.ljust(spec.width)), no_wrap=True)
            self.add_column(label, key=spec.key)

    def sync(self, changes: Changes, exists: Callable[[str], bool],
             render: Callable[[str], Cells]) -> bool:
        """Apply ``changes``; return True when rows were added or removed (order may need work)."""
        structure = False
        rows = self.rows
        with self.app.batch_update():
            gone: Iterable[str] = changes.removed
            if changes.reset:
                gone = {*gone, *(k.value for k in rows if k.value is not None
                                 and not exists(k.value))}
            widest: set[int] = set()  # columns whose widest cell left with a removed row
            for key in gone:
                row_key = RowKey(key)
                if row_key in rows:
                    self.remove_row(row_key)
                    structure = True
                held = self.rendered.pop(key, None)
                if held is not None:
                    widest.update(self._widest_in(held))
            if widest:
                self._shrink(widest)
            # a stable order (sets iterate in hash order, which differs between runs)
            for key in sorted(changes.dirty, key=str):
                if not exists(key):
                    continue
                cells = self._fit(render(key)) if self._caps else render(key)
                old = self.rendered.get(key)
                if old is None or RowKey(key) not in rows:
                    padded = tuple(map(_pad, cells))
                    self.add_row(*padded, key=key)
                    self.rendered[key] = padded
                    structure = True
                else:
                    self._update_row(key, old, cells)
        return structure

    def _update_row(self, key: str, old: Cells, new: Cells) -> None:
        """update_cell only what differs (``old`` as held, padded; ``new`` unpadded)."""
        columns = self.columns
        held: list[Text] | None = None
        for index, (before, after) in enumerate(zip(old, new)):
            if same_padded_cell(before, after):
                continue
            padded = _pad(after)
            column_key = self._column_keys[index]
            column = columns.get(column_key)
            wider = column is not None and padded.cell_len > column.content_width
            self.update_cell(key, column_key, padded, update_width=wider)
            if held is None:
                held = list(old)
            held[index] = padded
        if held is not None:
            self.rendered[key] = tuple(held)

    def _fit(self, cells: Cells) -> Cells:
        """``cells`` with each capped column's cell cut to its max width (with an ellipsis)."""
        out: list[Text] | None = None
        for index, limit in self._caps:
            cell = cells[index]
            if cell.cell_len > limit:
                cut = cell.copy()
                cut.truncate(limit, overflow="ellipsis")
                if out is None:
                    out = list(cells)
                out[index] = cut
        return cells if out is None else tuple(out)

    def _widest_in(self, held: Cells) -> Iterable[int]:
        """The columns in which a (padded) row's cell is as wide as the column."""
        columns = self.columns
        for index, cell in enumerate(held):
            column = columns.get(self._column_keys[index])
            if column is not None and cell.cell_len >= column.content_width:
                yield index

    def _shrink(self, indexes: Iterable[int]) -> None:
        """Measure these columns again from the rows kept (their header at least): O(rows),
        and only when a removed row held a column's widest cell."""
        rendered = self.rendered.values()
        for index in indexes:
            column = self.columns.get(self._column_keys[index])
            if column is None:
                continue
            need = max((cells[index].cell_len for cells in rendered), default=0)
            column.content_width = max(need, column.label.cell_len)
        self.refresh(layout=True)

    def refit_columns(self) -> None:
        """Measure every column again from the rows held: after a change that narrowed many
        cells at once (a symbol's price format arriving), which widening alone never undoes."""
        self._shrink(range(len(self.specs)))

    def on_focus(self) -> None:
        self.show_cursor = True

    def on_blur(self) -> None:
        self.show_cursor = False

    def reset_rows(self) -> None:
        self.clear()
        self.rendered.clear()
        self._fresh = True
        self._shrink(range(len(self.specs)))  # no rows: each column as wide as its header

    def ordered_keys(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def sort_rows(self, key: Callable[[str], Any], reverse: bool = False) -> None:
        """Order the rows by ``key(row_key)`` (keeps the cursor on the same row)."""
        current = self.ordered_keys()
        wanted = sorted(current, key=key, reverse=reverse)
        if wanted == current:
            self._fresh = self._fresh and not current
            return
        # a focused table keeps its cursor on the same row; the others stay at the top
        cursor_key = self.cursor_row_key() if self.has_focus and not self._fresh else None
        # DataTable.sort hands the key function cell values, not row keys; the first cell of
        # each row is the very object kept in self.rendered, so its id() finds the row.
        rendered = self.rendered
        rank = {id(rendered[k][0]): i for i, k in enumerate(wanted) if k in rendered}
        self.sort(self.specs[0].key, key=lambda cell: rank.get(id(cell), len(rank)))
        if cursor_key is not None and RowKey(cursor_key) in self.rows:
            self.move_cursor(row=self.get_row_index(cursor_key), animate=False)
        elif not self.has_focus or self._fresh:
            self.move_cursor(row=0, animate=False)
        self._fresh = self.row_count == 0

    def cursor_row_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value


def _drop(cache: LRUCache) -> None:
    """Empty a Textual LRUCache so that what it held is freed at once.

    ``LRUCache.clear()`` forgets its dict and head, but its entries stay linked to each other in a
    circular list of ``[prev, next, key, value]`` nodes: cyclic garbage, with every rendered
    segment list and Strip it holds, that only the gc's collections free. A table cleared at each
    repaint made hundreds of such entries garbage per repaint (the bulk of the ~20k objects/s of
    cyclic garbage the app's gc thresholds are tuned for) and megabytes that wait for a full
    collection. Emptying each node breaks the ring: reference counting frees it all now.
    """
    for node in getattr(cache, "_cache", {}).values():
        if type(node) is list:
            node.clear()
    cache.clear()


def same_padded_cell(padded: Text, cell: Text) -> bool:
    """Whether ``padded`` is ``_pad(cell)`` (text, base style, spans, justify), without making
    the padded copy. Text.__eq__ is not enough: it ignores the base style, and a cell whose
    colour changed must be repainted."""
    if padded.style != cell.style or padded.justify != cell.justify:
        return False
    held, plain = padded.plain, cell.plain
    if len(held) != len(plain) + 1 or not held.endswith(plain) or held[0] != " ":
        return False
    spans, new_spans = padded._spans, cell._spans
    if len(spans) != len(new_spans):
        return False
    for a, b in zip(spans, new_spans):  # _pad shifts every span one to the right
        if a.start != b.start + 1 or a.end != b.end + 1 or a.style != b.style:
            return False
    return True


def _pad(cell: Text) -> Text:
    """The cell with its one-space gap on the left (the table has no cell padding)."""
    padded = cell.copy()
    padded.pad_left(1)
    return padded
