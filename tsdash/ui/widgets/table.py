"""LiveTable: a keyed table of rich ``Text`` cells for live data, on Textual's public line API.

Why not DataTable: it keys every cached drawing by one update counter, so one changed cell
redraws every visible cell, and keeping that cheap meant overriding its private methods. This
widget is a ``ScrollView`` whose ``render_line(y)`` draws one row (as Textual's ``Log`` does):

* ``sync()`` takes the rows that changed since the last repaint: removed rows go, a row whose
  cells differ gets a new version and only its line is refreshed; nothing changed, nothing done.
* Each row's line is cached by (row version, cursor/hover state); the cache is emptied when
  column widths, the horizontal scroll, the widget's width or its styles (a theme) change, and
  holds only rows near the screen.
* Each row's cells are held once (``rendered``), already cut to their column's ``max_width``.
* A changed row off screen is not rendered by ``sync()``: it is marked stale and rendered (with
  the latest ``render`` given to ``sync``) when it comes into view (a scroll, a resize, a sort,
  rows removed above it) or is read (``get_cell``), so a busy table of 100 rows renders the
  rows it shows, not all of them, each tick.
* Column widths start at the spec's minimum and widen only when a value needs it; a column is
  measured again when the row holding its widest cell leaves, so layout does not jump while
  prices move. Every cell has a one-space gap on its left.
* The header (line 0) stays put while the rows scroll under it; a click on it posts
  ``HeaderSelected`` (the panel decides how to sort), and ``set_sort_indicator`` shows the
  direction there. A row cursor shows while the table has focus; enter or a click posts
  ``RowSelected``.

Colours come from the component classes below (theme variables in DEFAULT_CSS); a cell's own
style (the panel's up/down colours) is drawn over them, except that the cursor's foreground wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Self

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tsdash.keymap import TABLE_KEYS
from tsdash.ui.models import Changes


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int  # minimum width
    justify: str = "right"
    max_width: int | None = None  # a longer cell is cut with "…" (None: no limit)


Cells = tuple[Text, ...]


class LineState(IntEnum):
    """How a row line is highlighted (part of its cache key)."""

    PLAIN = 0
    CURSOR = 1
    HOVER = 2


#: the gap drawn left of every cell, so columns never touch
GAP = 1


class LiveTable(ScrollView, can_focus=True):
    """A row-cursor table of keyed rows, updated by difference and redrawn line by line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "table--header", "table--header-hover", "table--cursor", "table--hover",
    }

    DEFAULT_CSS = """
    LiveTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
        &:focus {
            background-tint: $foreground 5%;
            & > .table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .table--header { background-tint: $foreground 5%; }
        }
        & > .table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .table--header-hover { background: $accent 30%; }
        & > .table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .table--hover { background: $block-hover-background; }
    }
    """

    #: declared in tsdash.keymap, where the config keeps actions off them
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key.key, key.action, key.description, show=False) for key in TABLE_KEYS]

    class _TableMessage(Message):
        """A message about this table (``control`` is the table, for ``@on`` selectors)."""

        def __init__(self, table: LiveTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> LiveTable:
            return self.table

    class RowSelected(_TableMessage):
        """A row was chosen: enter on the cursor row, or a click on a row."""

        def __init__(self, table: LiveTable, key: str) -> None:
            super().__init__(table)
            self.key = key

    class HeaderSelected(_TableMessage):
        """A column's header was clicked (the panel sorts by it)."""

        def __init__(self, table: LiveTable, column: str) -> None:
            super().__init__(table)
            self.column = column

    def __init__(self, columns: Sequence[ColumnSpec], *, cursor: bool = True,
                 id: str | None = None, classes: str | None = None) -> None:
        self._line_style: Style | None = None  # see line_style (set first: refresh() reads it)
        super().__init__(id=id, classes=classes)
        self.specs = list(columns)
        self.cursor_enabled = cursor
        #: per row, its cells (cut to the column's max width): the one copy the table holds
        #: (a stale row's are older than its data until it is rendered again)
        self.rendered: dict[str, Cells] = {}
        #: rows whose data changed while they were off screen, and how to render them
        self._stale: set[str] = set()
        self._row_renderer: Callable[[str], Cells] | None = None
        self._keys: list[str] = []  # the rows in display order
        self._index: dict[str, int] = {}
        self._version: dict[str, int] = {}
        self._next_version = 0
        self._sort: tuple[str | None, bool] = (None, False)  # the column with the arrow
        self._base_widths = [self._base_width(i) for i in range(len(self.specs))]
        self._widths = list(self._base_widths)  # each column's cell width (without its gap)
        self._caps = [(i, s.max_width) for i, s in enumerate(self.specs) if s.max_width]
        self._column_index = {s.key: i for i, s in enumerate(self.specs)}
        # per row key: ((version, state), line) for rows near the screen
        self._lines: dict[str, tuple[tuple[int, LineState], Strip]] = {}
        self._header: tuple[tuple[object, ...], Strip] | None = None
        self._layout_stamp: tuple[object, ...] = ()  # what every cached line was drawn for
        self._cursor = 0
        self._hover_row: int | None = None
        self._hover_column: int | None = None
        self._fresh = True  # no row shown yet: the first sort puts the cursor on the top row
        #: cells added or replaced by sync() so far (what the benchmarks count as work done)
        self.changed_cells = 0
        self._update_virtual_size()

    # -- reading -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def cursor_row(self) -> int:
        """The cursor's row index (0 when the table is empty)."""
        return self._cursor

    def ordered_keys(self) -> list[str]:
        return list(self._keys)

    def cursor_row_key(self) -> str | None:
        return self._keys[self._cursor] if self._keys else None

    def get_cell(self, key: str, column: str) -> Text:
        """The row's cell as it shows (cut to its column's max width): a stale row is rendered
        first."""
        if key in self._stale:
            self._render_now([key])
        return self.rendered[key][self._column_index[column]]

    @property
    def stale_rows(self) -> int:
        """How many rows changed off screen and are not rendered yet."""
        return len(self._stale)

    def column_width(self, column: str) -> int:
        """The column's width on screen, its gap included."""
        return self._widths[self._column_index[column]] + GAP

    def column_widths(self) -> dict[str, int]:
        return {s.key: w + GAP for s, w in zip(self.specs, self._widths)}

    @property
    def cached_lines(self) -> int:
        """How many row lines the table keeps drawn (rows near the screen)."""
        return len(self._lines)

    # -- updating --------------------------------------------------------------------------------

    def sync(self, changes: Changes, exists: Callable[[str], bool],
             render: Callable[[str], Cells]) -> bool:
        """Apply ``changes``; return True when rows were added or removed (order may need work).

        New rows and changed rows on screen are rendered now; a changed row off screen is only
        marked stale (``render`` is kept to render it when it is shown). Only rows whose cells
        differ from the ones held get a new version (and their line redrawn); removed rows go,
        and new rows are added at the end."""
        self._row_renderer = render
        rendered = self.rendered
        stale = self._stale
        gone: Iterable[str] = changes.removed
        if changes.reset:
            gone = {*gone, *(k for k in rendered if not exists(k))}
        structure = False
        cursor_key = self.cursor_row_key()  # the cursor stays on its row when others go
        widest: set[int] = set()  # columns whose widest cell left with a removed row
        for key in gone:
            held = rendered.pop(key, None)
            if held is None:
                continue
            structure = True
            stale.discard(key)
            self._version.pop(key, None)
            self._lines.pop(key, None)
            widest.update(i for i, cell in enumerate(held) if cell.cell_len >= self._widths[i])
        if structure:
            self._keys = [k for k in self._keys if k in rendered]
            self._index = {k: i for i, k in enumerate(self._keys)}
        widened = bool(widest) and self._shrink(widest)
        changed: list[str] = []
        index = self._index
        top, bottom = self._window()
        # a stable order (sets iterate in hash order, which differs between runs)
        for key in sorted(changes.dirty, key=str):
            if not exists(key):
                continue
            row = index.get(key)
            if row is not None and not top <= row < bottom:
                stale.add(key)
                continue
            stale.discard(key)
            differs, wider = self._store(key, self._cells(render, key))
            widened = widened or wider
            if row is None:
                self._keys.append(key)
                structure = True
            elif differs:
                changed.append(key)
        if structure:
            self._index = {k: i for i, k in enumerate(self._keys)}
            kept = self._index.get(cursor_key) if cursor_key is not None else None
            if kept is not None:
                self._cursor = kept
            else:
                self._clamp_cursor()
            if stale:  # rows removed above may have brought stale rows into view
                widened = self._render_now(self._keys_in_view())[1] or widened
        if structure or widened:
            self._update_virtual_size()
            self.refresh()
        elif changed:
            self._refresh_rows(index[key] for key in changed)
        return structure

    def _cells(self, render: Callable[[str], Cells], key: str) -> Cells:
        cells = render(key)
        return self._fit(cells) if self._caps else cells

    def _store(self, key: str, cells: Cells) -> tuple[bool, bool]:
        """Hold ``cells`` as ``key``'s row: (whether they differ from the cells held, whether a
        column widened for them)."""
        old = self.rendered.get(key)
        if old is None:
            self.changed_cells += len(cells)
            fresh: Iterable[tuple[int, Text]] = enumerate(cells)
        else:
            # the cells that differ, in one pass (a held cell handed back is not measured)
            fresh = [(i, b) for i, (a, b) in enumerate(zip(old, cells)) if not same_cell(a, b)]
            if not fresh:
                return False, False
            self.changed_cells += len(fresh)
        self.rendered[key] = cells
        self._version[key] = self._next_version
        self._next_version += 1
        widths = self._widths
        widened = False
        for i, cell in fresh:
            length = cell.cell_len
            if length > widths[i]:
                widths[i] = length
                widened = True
        return True, widened

    def _window(self) -> tuple[int, int]:
        """The row indexes on screen, [top, bottom) (none before the table is laid out)."""
        top = round(self.scroll_offset.y)
        return top, top + max(0, self.scrollable_content_region.height - 1)

    def _keys_in_view(self) -> list[str]:
        top, bottom = self._window()
        return self._keys[top:bottom]

    def _render_now(self, keys: Iterable[str]) -> tuple[list[str], bool]:
        """Render the stale rows among ``keys``: (the rows whose cells changed, whether a
        column widened)."""
        stale, render = self._stale, self._row_renderer
        changed: list[str] = []
        widened = False
        if not stale or render is None:
            return changed, widened
        for key in keys:
            if key not in stale:
                continue
            stale.discard(key)
            differs, wider = self._store(key, self._cells(render, key))
            if differs:
                changed.append(key)
            widened = widened or wider
        return changed, widened

    def _show_stale(self) -> None:
        """Render the stale rows now in view, before they are drawn (after a scroll, a resize
        or a sort), and repaint what they changed."""
        if not self._stale:
            return
        changed, widened = self._render_now(self._keys_in_view())
        if widened:
            self._update_virtual_size()
            self.refresh()
        elif changed:
            index = self._index
            self._refresh_rows(index[key] for key in changed)

    def sort_rows(self, key: Callable[[str], Any], reverse: bool = False) -> None:
        """Order the rows by ``key(row_key)``: a focused table keeps its cursor on the same row
        (scrolling after it if it was on screen), the others keep it on the top row. Only the
        lines that now show another row are redrawn (a moved row's line is still in the
        cache)."""
        current = self._keys
        wanted = sorted(current, key=key, reverse=reverse)
        if wanted == current:
            self._fresh = self._fresh and not current
            return
        cursor_key = self.cursor_row_key() if self.has_focus and not self._fresh else None
        # a cursor on screen stays on screen (one scrolled away by the wheel is left there)
        follow = cursor_key is not None and self._row_on_screen(self._cursor)
        self._keys = wanted
        self._index = {k: i for i, k in enumerate(wanted)}
        self._refresh_rows(index for index, (before, after) in enumerate(zip(current, wanted))
                           if before != after)
        if cursor_key is not None and cursor_key in self._index:
            self.move_cursor(self._index[cursor_key], scroll=follow)
        else:
            self.move_cursor(0, scroll=False)
        self._fresh = not wanted
        self._show_stale()

    def reset_rows(self) -> None:
        """Drop every row (a new watchlist): columns go back to their headers' widths."""
        self.rendered.clear()
        self._stale.clear()
        self._keys = []
        self._index = {}
        self._version.clear()
        self._lines.clear()
        self._widths = list(self._base_widths)
        self._cursor = 0
        self._fresh = True
        self._update_virtual_size()
        self.refresh()

    def refit_columns(self) -> None:
        """Measure every column again from the rows held: after a change that narrowed many
        cells at once (a symbol's price format arriving), which widening alone never undoes."""
        if self._shrink(range(len(self.specs))):
            self._update_virtual_size()
            self.refresh()

    def set_sort_indicator(self, column: str | None, reverse: bool = False) -> None:
        """Show ``column``'s sort direction in the header (None: no arrow). The arrow sits
        beside the label inside the column, its gap kept, so it reads as that column's: a label
        that fills its column widens it by one while it is sorted."""
        if (column, reverse) == self._sort:
            return
        before = self._sort[0]
        self._sort = (column, reverse)
        moved = [self._column_index[c] for c in {before, column} - {None}
                 if c in self._column_index]
        for index in moved:
            self._base_widths[index] = self._base_width(index)
        if moved and self._shrink(moved):  # measured again: wider for the arrow, or back
            self._update_virtual_size()
            self.refresh()
        else:
            self.refresh(Region(0, 0, self.size.width, 1))  # the header

    def _base_width(self, index: int) -> int:
        """A column's narrowest: its spec's width, and its label's (with the sort arrow)."""
        spec = self.specs[index]
        return max(spec.width, len(spec.label) + (spec.key == self._sort[0]))

    # -- cursor ------------------------------------------------------------------------------------

    def move_cursor(self, row: int, *, scroll: bool = True) -> None:
        """Put the cursor on row ``row`` (clamped) and, with ``scroll``, bring it on screen."""
        row = max(0, min(row, len(self._keys) - 1))
        if row != self._cursor:
            old, self._cursor = self._cursor, row
            self._refresh_row(old)
            self._refresh_row(row)
        if scroll:
            self._scroll_to_row(row)

    def action_cursor_up(self) -> None:
        self._fresh = False
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._fresh = False
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._fresh = False
        self.move_cursor(self._cursor - self._rows_shown())

    def action_page_down(self) -> None:
        self._fresh = False
        self.move_cursor(self._cursor + self._rows_shown())

    def action_first_row(self) -> None:
        self._fresh = False
        self.move_cursor(0)

    def action_last_row(self) -> None:
        self._fresh = False
        self.move_cursor(len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_row_key()
        if key is not None and self.cursor_enabled:
            self.post_message(self.RowSelected(self, key))

    def _clamp_cursor(self) -> None:
        self._cursor = max(0, min(self._cursor, len(self._keys) - 1))

    def _rows_shown(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # below the header

    def _row_on_screen(self, row: int) -> bool:
        top = round(self.scroll_offset.y)
        return top <= row < top + self._rows_shown()

    def _scroll_to_row(self, row: int) -> None:
        top = round(self.scroll_offset.y)
        rows_shown = self._rows_shown()
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + rows_shown:
            self.scroll_to(y=row - rows_shown + 1, animate=False)

    # -- mouse -------------------------------------------------------------------------------------

    def _row_at(self, y: int) -> int | None:
        """The row index shown on content line ``y`` (None: the header or past the rows)."""
        if y <= 0:
            return None
        index = round(self.scroll_offset.y) + y - 1
        return index if index < len(self._keys) else None

    def _column_at(self, x: int) -> int | None:
        x += round(self.scroll_offset.x)
        for index, width in enumerate(self._widths):
            x -= width + GAP
            if x < 0:
                return index
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, self.specs[column].key))
            return
        row = self._row_at(offset.y)
        if row is not None and self.cursor_enabled:
            self._fresh = False
            self.move_cursor(row)
            self.post_message(self.RowSelected(self, self._keys[row]))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            self._set_hover(None, None)
        elif offset.y == 0:
            self._set_hover(None, self._column_at(offset.x))
        else:
            self._set_hover(self._row_at(offset.y), None)

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None, None)

    def _set_hover(self, row: int | None, column: int | None) -> None:
        if row != self._hover_row:
            old, self._hover_row = self._hover_row, row
            for index in (old, row):
                if index is not None:
                    self._refresh_row(index)
        if column != self._hover_column:
            self._hover_column = column
            self.refresh(Region(0, 0, self.size.width, 1))

    def on_focus(self, event: events.Focus) -> None:
        self._refresh_row(self._cursor)

    def on_blur(self, event: events.Blur) -> None:
        self._refresh_row(self._cursor)

    # -- drawing -----------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """A theme or a pseudo-class (focus) changed: every line is drawn again."""
        super().notify_style_update()
        self._lines.clear()
        self._header = None
        self._line_style = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        self._line_style = None  # as Textual drops its cached styles on every refresh
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    @property
    def line_style(self) -> Style:
        """``rich_style`` (the widget's colours over its ancestors'), worked out once per refresh
        instead of once per line drawn: Textual walks every ancestor's styles for it."""
        style = self._line_style
        if style is None:
            style = self._line_style = self.rich_style
        return style

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # the hovered row is an index: after a scroll another row is under the pointer (the
        # next mouse move highlights it); the whole view is redrawn by the scroll anyway
        self._hover_row = None
        self._forget_hidden_lines()
        self._show_stale()

    def on_resize(self, event: events.Resize) -> None:
        self._show_stale()  # a taller table shows more rows

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        stamp = (tuple(self._widths), round(self.scroll_offset.x), width)
        if stamp != self._layout_stamp:
            self._layout_stamp = stamp
            self._lines.clear()
            self._header = None
        if y == 0:
            return self._header_line(width)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self._keys):
            return Strip.blank(width, self.line_style)
        key = self._keys[index]
        if key in self._stale:  # shown without a scroll, resize or sort seen first
            if self._render_now([key])[1]:
                self._update_virtual_size()
                self.refresh()
        if index == self._cursor and self.cursor_enabled and self.has_focus:
            state = LineState.CURSOR
        elif index == self._hover_row:
            state = LineState.HOVER
        else:
            state = LineState.PLAIN
        line_stamp = (self._version[key], state)
        hit = self._lines.get(key)
        if hit is not None and hit[0] == line_stamp:
            return hit[1]
        strip = self._row_line(self.rendered[key], state, width)
        self._lines[key] = (line_stamp, strip)
        if len(self._lines) > 3 * self.size.height:
            self._forget_hidden_lines()
        return strip

    def _row_line(self, cells: Cells, state: LineState, width: int) -> Strip:
        base = self.line_style
        post = Style()
        if state is LineState.CURSOR:
            cursor = self.get_component_rich_style("table--cursor")
            base += cursor
            post = Style(color=cursor.color)  # the cursor's text colour wins over the cell's
        elif state is LineState.HOVER:
            base += self.get_component_rich_style("table--hover")
        console = self.app.console
        segments: list[Segment] = []
        for cell, spec, column_width in zip(cells, self.specs, self._widths):
            room = max(0, column_width - cell.cell_len)
            left, right = _split(room, cell.justify or spec.justify)
            segments.append(Segment(" " * (GAP + left), base))
            cell_style = console.get_style(cell.style) if cell.style else Style()
            if cell.spans:
                for segment in cell.render(console):
                    segments.append(Segment(segment.text, base + (segment.style or Style()) + post))
            else:
                segments.append(Segment(cell.plain, base + cell_style + post))
            if right:
                segments.append(Segment(" " * right, base))
        return self._crop(segments, width, base)

    def _header_line(self, width: int) -> Strip:
        stamp = (self._sort, self._hover_column)
        if self._header is not None and self._header[0] == stamp:
            return self._header[1]
        base = self.line_style + self.get_component_rich_style("table--header")
        hover = self.get_component_rich_style("table--header-hover")
        sort_column, reverse = self._sort
        segments: list[Segment] = []
        for index, (spec, column_width) in enumerate(zip(self.specs, self._widths)):
            label = spec.label
            room = GAP + column_width - len(label)
            if spec.key == sort_column:
                arrow = "↓" if reverse else "↑"
                label = label + arrow if spec.justify == "left" and room > GAP else arrow + label
                room -= 1
            if spec.justify == "left":
                left = min(GAP, room)
                text = " " * left + label + " " * (room - left)
            else:
                text = " " * room + label
            style = base + hover if index == self._hover_column else base
            segments.append(Segment(text, style))
        strip = self._crop(segments, width, base)
        self._header = (stamp, strip)
        return strip

    def _crop(self, segments: list[Segment], width: int, style: Style) -> Strip:
        """The line as the widget shows it: ``width`` cells from the horizontal scroll on."""
        scroll_x = round(self.scroll_offset.x)
        length = Segment.get_line_length(segments)
        if scroll_x == 0 and length <= width:  # the usual case: pad, nothing to cut
            if length < width:
                segments.append(Segment(" " * (width - length), style))
            return Strip(segments, width).simplify()
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, style).simplify()

    def _refresh_row(self, index: int) -> None:
        """Repaint the screen line of row ``index`` (virtual line index + 1), if it is shown."""
        self._refresh_rows((index,))

    def _refresh_rows(self, indexes: Iterable[int]) -> None:
        """Repaint the screen lines of these rows that are shown, in one ``refresh`` call (each
        call also drops the widget's cached styles, which every line drawn then works out
        again)."""
        top = round(self.scroll_offset.y)
        width, height = self.size
        regions = [Region(0, index + 1 - top, width, 1) for index in indexes
                   if top <= index < top + height]
        if regions:
            self.refresh(*regions)

    def _forget_hidden_lines(self) -> None:
        """Keep drawn lines for the rows on screen and a screen's height either side, so a long
        table (500 orders) holds a few screens of lines, not one per row ever shown."""
        height = max(self.size.height, 1)
        lines = self._lines
        if len(lines) <= 3 * height:
            return
        top = round(self.scroll_offset.y)
        index = self._index
        for key in [k for k in lines if not top - height <= index.get(k, -1) < top + 2 * height]:
            del lines[key]

    def _update_virtual_size(self) -> None:
        size = Size(sum(self._widths) + GAP * len(self._widths), len(self._keys) + 1)
        old = self.virtual_size
        if size == old:
            return
        if self._grows_in_place(old, size):
            # the table's box is set by its parent, not by its rows, and the scrollbars stay as
            # they are: only the scrollbar's thumb changes, not the layout of the screen (setting
            # virtual_size re-lays out every widget: a row added to the orders table cost more
            # than the frame it showed in)
            self.set_reactive(LiveTable.virtual_size, size)
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.window_virtual_size = size.height
            return
        self.virtual_size = size

    def _grows_in_place(self, old: Size, new: Size) -> bool:
        """Whether rows were added (nothing else changed) to a laid-out table whose height and
        width do not follow its content, without showing or hiding a scrollbar."""
        styles = self.styles
        if not (self.is_mounted and self.size) or styles.height is None or styles.width is None:
            return False
        if styles.height.is_auto or styles.width.is_auto:
            return False
        if new.width != old.width or new.height < old.height:
            return False
        height = self.container_size.height
        return self.show_vertical_scrollbar == (new.height > height) == (old.height > height) \
            and not self.show_horizontal_scrollbar

    def _fit(self, cells: Cells) -> Cells:
        """``cells`` with each capped column's cell cut to its max width (with an ellipsis)."""
        out: list[Text] | None = None
        for index, limit in self._caps:
            cell = cells[index]
            if limit is not None and cell.cell_len > limit:
                cut = cell.copy()
                cut.truncate(limit, overflow="ellipsis")
                if out is None:
                    out = list(cells)
                out[index] = cut
        return cells if out is None else tuple(out)

    def _shrink(self, indexes: Iterable[int]) -> bool:
        """Measure these columns again from the rows kept (their header at least): O(rows),
        and only when a removed row held a column's widest cell. True if a width changed."""
        rendered = self.rendered.values()
        changed = False
        for index in indexes:
            need = max((cells[index].cell_len for cells in rendered), default=0)
            width = max(need, self._base_widths[index])
            if width != self._widths[index]:
                self._widths[index] = width
                changed = True
        return changed


def _split(room: int, justify: str) -> tuple[int, int]:
    """Spaces left and right of a cell ``room`` narrower than its column."""
    if justify == "right":
        return room, 0
    if justify == "center":
        return room // 2, room - room // 2
    return 0, room


def same_cell(a: Text, b: Text) -> bool:
    """Whether two cells draw the same. Text.__eq__ is not enough: it ignores the base style
    and justify, and a cell whose colour changed must be drawn again."""
    return (a is b or (a.plain == b.plain and a.style == b.style and a.justify == b.justify
                       and a.spans == b.spans))


class Descending:
    """One part of a sort key in reverse order: a descending sort that reverses only its values,
    so ties keep the order the key's later parts give and blanks can stay last."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and self.value == other.value

    def __lt__(self, other: Descending) -> bool:
        return bool(other.value < self.value)

    __hash__ = None  # type: ignore[assignment]


_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def cell_sort_value(cell: Text) -> tuple[int, float, str]:
    """A sort key for a cell as shown: numbers (with separators, a sign, %, K/M/B) by value
    before text, text by itself; blank or "—" last."""
    plain = cell.plain.strip()
    match = _NUMBER.search(plain)
    if match and match.start() <= 1:
        number = float(match.group().replace(",", ""))
        rest = plain[match.end():match.end() + 1].upper()
        return (0, number * _SCALE.get(rest, 1.0), plain)
    if not plain or plain == "—":
        return (2, 0.0, "")
    return (1, 0.0, plain.casefold())
