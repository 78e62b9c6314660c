"""Quotes: the active watchlist as a table, merged from quote deltas, repainted by difference."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message

from tsdash.ui import formatting as fmt
from tsdash.ui.models import QuoteModel, to_float
from tsdash.ui.panels.base import StreamPanel, row_action_bindings
from tsdash.ui.symbols import SymbolDetails
from tsdash.ui.widgets.table import Cells, ColumnSpec, Descending, LiveTable

if TYPE_CHECKING:
    from tsdash.api import Subscription, TradeStationClient

#: the symbol column's widest (marker and symbol): an option's symbol shows whole
#: ("GOOGL 261218C1000" is 17), a longer one ends in "…", so no symbol pushes the prices off
#: the widest quotes panel (104 columns); the last column (time) is capped too: a refused
#: symbol's note is cut to the time's width
SYMBOL_WIDTH = 18

# Most important first: a narrow terminal cuts the table from the right.
COLUMNS = (
    ColumnSpec("symbol", "Symbol", 7, "left", max_width=SYMBOL_WIDTH),
    ColumnSpec("last", "Last", 8),
    ColumnSpec("chg", "Chg", 6),
    ColumnSpec("chgp", "Chg%", 6),
    ColumnSpec("bid", "Bid", 8),
    ColumnSpec("ask", "Ask", 8),
    ColumnSpec("size", "BidSz×AskSz", 11),
    ColumnSpec("volume", "Volume", 7),
    ColumnSpec("high", "High", 8),
    ColumnSpec("low", "Low", 8),
    ColumnSpec("time", "Time", 8, max_width=8),  # a refused symbol's note is cut to fit
)
COLUMN_LABELS = {c.key: c.label for c in COLUMNS}

#: columns that flash when their value changes, and the quote field behind each
FLASH_FIELDS = {"last": "Last", "bid": "Bid", "ask": "Ask"}

#: the `s` key cycles through these sorts: (column, descending)
SORT_CYCLE: tuple[tuple[str | None, bool], ...] = (
    (None, False), ("symbol", False), ("chgp", True), ("volume", True), ("last", True),
)


def _num(field: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda q: to_float(q.get(field))


SORT_VALUE: dict[str, Callable[[dict[str, Any]], Any]] = {
    "symbol": lambda q: q.get("Symbol", ""),
    "last": _num("Last"),
    "chg": _num("NetChange"),
    "chgp": fmt.change_percent,
    "bid": _num("Bid"),
    "ask": _num("Ask"),
    "size": _num("BidSize"),
    "volume": _num("Volume"),
    "high": _num("High"),
    "low": _num("Low"),
    "time": lambda q: q.get("TradeTime") or "",
}


class QuotesPanel(StreamPanel):
    KEY = "quotes"
    LETTER = "Q"
    TITLE = "Quotes"
    BINDINGS = row_action_bindings("quotes")

    DEFAULT_CSS = """
    QuotesPanel { height: auto; }
    QuotesPanel LiveTable { height: auto; max-height: 24; }
    """

    class SymbolSelected(Message):
        """The user picked a symbol: the chart and the tape follow it."""

        def __init__(self, symbol: str) -> None:
            super().__init__()
            self.symbol = symbol

    def __init__(self, watchlists: dict[str, list[str]], active: str, *,
                 clock: Callable[[], float], flash_ticks: int = 4,
                 selected: str | None = None, details: SymbolDetails | None = None,
                 also: Callable[[dict[str, Any]], None] | None = None) -> None:
        """``also``: every quote message goes to it too, after the model (the alert rules)."""
        super().__init__()
        self.details = details if details is not None else SymbolDetails()
        self.details.listen(self._details_arrived)
        # the settings' own dict, not a copy: a reload of the config file changes both at once
        self.watchlists = watchlists if watchlists else {"default": ["SPY"]}
        self.active = active if active in self.watchlists else next(iter(self.watchlists))
        self.model = QuoteModel(self.watchlists[self.active], clock=clock)
        self.flash_ticks = max(1, flash_ticks)
        self.selected = selected
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._previous: dict[str, dict[str, float]] = {}
        self._flash: dict[str, dict[str, tuple[int, bool]]] = {}
        #: per symbol, per column index: the (text, style) a price cell was made for, and it
        self._cells: dict[str, dict[int, tuple[str, Style, Text]]] = {}
        self._flash_due: dict[str, int] = {}
        self._sort_dirty = True
        self._tick = 0
        self.on_data = self.model.apply  # the hot path: straight into the model
        if also is not None:
            apply = self.model.apply

            def both(message: dict[str, Any]) -> None:
                apply(message)
                also(message)

            self.on_data = both
        self._errors_shown = -1  # the model's errors_version on the banner
        self._refit_after_paint = False  # columns re-measured after the next paint
        self.table = LiveTable(COLUMNS, id="quotes-table")

    @property
    def activity(self):
        return self.model.activity

    def compose_body(self) -> ComposeResult:
        yield self.table

    # -- what it shows -------------------------------------------------------------------------

    def title_text(self) -> Text:
        title = Text(self.TITLE, style="bold")
        title.append("  ")
        for index, name in enumerate(self.watchlists):
            if index:
                title.append(" │ ", style=self.palette.muted)
            if name == self.active:
                title.append(f" {name} ", style=Style(reverse=True, bold=True))
            else:
                title.append(name, style=self.palette.muted)
        return title

    def detail_text(self) -> str:
        sort = ""
        if self.sort_column:
            arrow = "↓" if self.sort_reverse else "↑"
            sort = f" · sort {COLUMN_LABELS[self.sort_column]}{arrow}"
        return f"{len(self.model.symbols)} symbols{sort} · w: next list"

    # -- subscription ----------------------------------------------------------------------------

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        return await client.market_data.stream_quotes(
            symbols=list(self.model.symbols), **self.callbacks(generation))

    def on_stream_error(self, error: BaseException) -> None:
        from tsdash.api import StreamError

        if not (isinstance(error, StreamError) and error.symbol):
            super().on_stream_error(error)
            return
        # a refused symbol: marked in its row with TradeStation's reason until a quote for it
        # arrives (a bare FAILED is transient); one short line for all of them in the banner
        self.model.set_error(error.symbol.upper(), error.error or str(error))

    def refused_text(self) -> str:
        refused = ", ".join(f"{s} ({text})" for s, text in self.model.errors.items())
        return f"refused: {refused}; the other symbols keep streaming"

    def banner_text(self) -> tuple[str, str] | None:
        if self.is_live and self.model.errors:
            notes = [n for n in (self.warning, self.refused_text()) if n]
            return f"⚠ {' · '.join(notes)}", "-warn"
        return super().banner_text()

    # -- watchlists, sort, selection -------------------------------------------------------------

    def switch_watchlist(self, name: str) -> None:
        if name not in self.watchlists:
            return
        self.active = name
        self.model.reset(self.watchlists[name])
        self.table.reset_rows()
        self._previous.clear()
        self._flash.clear()
        self._cells.clear()
        self._flash_due.clear()
        self._sort_dirty = True
        self.refresh_title()
        self.refresh_subtitle()
        self.resubscribe()

    def edit_watchlist(self, name: str, symbols: list[str]) -> None:
        """``name`` now holds ``symbols``; if it is on screen, its rows follow and the stream is
        reopened for the new list (TradeStation streams a fixed list of symbols)."""
        if name not in self.watchlists:
            return
        if name != self.active:
            return
        self.model.set_symbols(symbols)
        kept = set(self.model.symbols)
        for per_symbol in (self._previous, self._flash, self._flash_due, self._cells):
            for symbol in [s for s in per_symbol if s not in kept]:
                del per_symbol[symbol]
        self._sort_dirty = True
        self.refresh_subtitle()
        self.resubscribe()

    def cursor_symbol(self) -> str | None:
        """The symbol of the highlighted row."""
        return self.table.cursor_row_key()

    def next_watchlist(self) -> str:
        names = list(self.watchlists)
        name = names[(names.index(self.active) + 1) % len(names)]
        self.switch_watchlist(name)
        return name

    def set_sort(self, column: str | None, reverse: bool = False) -> None:
        self.sort_column = column
        self.sort_reverse = reverse
        self.table.set_sort_indicator(column, reverse)
        self._sort_dirty = True
        self.refresh_subtitle()
        self.repaint_body(self._tick)

    def cycle_sort(self) -> None:
        try:
            index = SORT_CYCLE.index((self.sort_column, self.sort_reverse))
        except ValueError:
            index = -1
        column, reverse = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self.set_sort(column, reverse)

    def on_live_table_header_selected(self, event: LiveTable.HeaderSelected) -> None:
        event.stop()
        column = event.column
        if column == self.sort_column:
            self.set_sort(column, not self.sort_reverse)
        else:
            self.set_sort(column, column not in ("symbol", "time"))

    def on_live_table_row_selected(self, event: LiveTable.RowSelected) -> None:
        event.stop()
        self.select(event.key)

    def select(self, symbol: str) -> None:
        self.mark_selected(symbol)
        self.post_message(self.SymbolSelected(symbol))

    def mark_selected(self, symbol: str) -> None:
        """Mark ``symbol``'s row as the one charted (another panel's row may have chosen it)."""
        old, self.selected = self.selected, symbol
        if old != symbol:
            self.model.mark_dirty([key for key in (old, symbol) if key is not None])

    # -- painting --------------------------------------------------------------------------------

    def mark_all_dirty(self) -> None:
        self.model.mark_all_dirty()
        self.refresh_title()

    def _details_arrived(self, symbols: set[str]) -> None:
        """Only the rows of these symbols repaint, now with their own price format, and then
        the columns fit them (a price with thousands separators may have widened one)."""
        self.model.mark_dirty(symbols)
        self._refit_after_paint = True

    @property
    def flashing(self) -> bool:
        return bool(self._flash_due)

    def repaint_body(self, tick: int) -> None:
        self._tick = tick
        if self.model.errors_version != self._errors_shown:
            self._errors_shown = self.model.errors_version
            self._paint_state()
        changes = self.model.take_changes()
        due = [s for s, until in self._flash_due.items() if until <= tick]
        for symbol in due:
            del self._flash_due[symbol]
            changes.dirty.add(symbol)
        if not changes and not self._sort_dirty:
            return
        for symbol in changes.dirty:
            self._note_flashes(symbol, tick)
        table = self.table
        quotes = self.model.quotes
        # a row rendered later (scrolled into view) is rendered for the tick it is shown in
        structure = table.sync(changes, quotes.__contains__,
                               lambda s: self.render_row(s, self._tick))
        if self._refit_after_paint:
            self._refit_after_paint = False
            table.refit_columns()
        if structure or self._sort_dirty or (self.sort_column and changes.dirty):
            self._sort_dirty = False
            self._apply_sort()
        if changes.reset:
            self.refresh_subtitle()

    def _apply_sort(self) -> None:
        order = {s: i for i, s in enumerate(self.model.symbols)}
        if self.sort_column is None:
            self.table.sort_rows(lambda s: order.get(s, 0))
            return
        value = SORT_VALUE[self.sort_column]
        quotes = self.model.quotes

        def key(symbol: str) -> tuple:
            v = value(quotes.get(symbol, {}))
            # missing values last whichever the direction; ties in the watchlist's order
            missing = v is None or v == ""
            shown = 0 if missing else Descending(v) if self.sort_reverse else v
            return (missing, shown, order.get(symbol, 0))

        self.table.sort_rows(key)

    def _note_flashes(self, symbol: str, tick: int) -> None:
        """Start a flash for each price of ``symbol`` that moved, whether or not its row is
        rendered now (the table renders an off-screen row only when it is shown, by when its
        flash is over, as it would have been)."""
        quote = self.model.quotes.get(symbol)
        if quote is None:
            return
        previous = self._previous.setdefault(symbol, {})
        flashes = self._flash.setdefault(symbol, {})
        for column, field in FLASH_FIELDS.items():
            value = to_float(quote.get(field))
            if value is None:
                continue
            before = previous.get(field)
            if before is not None and value != before:
                flashes[column] = (tick + self.flash_ticks, value > before)
                self._flash_due[symbol] = max(self._flash_due.get(symbol, 0),
                                              tick + self.flash_ticks)
            previous[field] = value

    def render_row(self, symbol: str, tick: int) -> Cells:
        quote = self.model.quotes[symbol]
        palette = self.palette
        change = to_float(quote.get("NetChange"))
        direction = palette.signed(change)
        flashes = self._flash.setdefault(symbol, {})

        def flash(column: str, style: Style) -> Style:
            state = flashes.get(column)
            if state is None:
                return style
            until, up = state
            if until <= tick:
                del flashes[column]
                return style
            return palette.up_flash if up else palette.down_flash

        error = self.model.errors.get(symbol)
        marker = "▸" if symbol == self.selected else " "
        symbol_cell = Text(f"{marker}{symbol}", style=palette.error if error else "bold",
                           no_wrap=True, overflow="ellipsis")
        if error:
            blank = Text(fmt.DASH, justify="right", style=palette.muted)
            refused = Text("refused", justify="right", style=palette.error)
            note = Text(error, style=palette.error, no_wrap=True, overflow="ellipsis")
            return (symbol_cell, refused, *(blank for _ in COLUMNS[2:-1]), note)

        held = self._cells.setdefault(symbol, {})
        places = iter(range(1, len(COLUMNS)))

        def cell(text: str, style: Style) -> Text:
            """The cell the row held when it shows the same (the table compares a held cell
            by identity first: most of a quote's fields did not change)."""
            index = next(places)
            kept = held.get(index)
            if kept is not None and kept[0] == text and kept[1] == style:
                return kept[2]
            made = Text(text, style=style, justify="right", no_wrap=True)
            held[index] = (text, style, made)
            return made

        prices = self.details.formatter(symbol)
        bid_size = fmt.compact(quote.get("BidSize"))
        ask_size = fmt.compact(quote.get("AskSize"))
        return (
            symbol_cell,
            cell(fmt.symbol_price(quote.get("Last"), prices), flash("last", direction)),
            cell(fmt.symbol_change(quote.get("NetChange"), prices), direction),
            cell(fmt.percent(fmt.change_percent(quote)), direction),
            cell(fmt.symbol_price(quote.get("Bid"), prices), flash("bid", palette.text)),
            cell(fmt.symbol_price(quote.get("Ask"), prices), flash("ask", palette.text)),
            cell(f"{bid_size}×{ask_size}", palette.muted),
            cell(fmt.compact(quote.get("Volume")), palette.text),
            cell(fmt.symbol_price(quote.get("High"), prices), palette.text),
            cell(fmt.symbol_price(quote.get("Low"), prices), palette.text),
            cell(fmt.clock_time(quote.get("TradeTime")), palette.muted),
        )
