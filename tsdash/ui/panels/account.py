"""Orders, positions and balances: keyed tables fed by the account streams.

Order and position streams start every (re)connect with a snapshot: the model collects it aside
between ``snapshot_start`` and ``snapshot_end`` and swaps it in whole, so a row the server no
longer has never lingers. Until the new snapshot is complete the previous rows stay on screen
(with the panel's state saying what is going on), never a blank table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from tsdash.alerts.notifications import Notification
from tsdash.ui import formatting as fmt
from tsdash.ui.models import (
    BalancesModel,
    KeyedModel,
    OrdersModel,
    PositionsModel,
    first_leg,
    order_status_category,
    order_status_text,
    order_symbol,
    signed_quantity,
    to_float,
)
from tsdash.ui.order_events import OrderEvents
from tsdash.ui.panels.base import (
    StreamPanel,
    describe_error,
    row_action_bindings,
    snapshot_events,
)
from tsdash.ui.panels.quotes import QuotesPanel
from tsdash.ui.symbols import SymbolDetails
from tsdash.ui.widgets.table import (
    Cells,
    ColumnSpec,
    Descending,
    LiveTable,
    cell_sort_value,
)

if TYPE_CHECKING:
    from tsdash.api import SnapshotEvent, Subscription, TradeStationClient

log = logging.getLogger(__name__)


def _t(text: str, style: Style | str = "", justify: str = "right") -> Text:
    """A cell of a server's text (symbols, ids, statuses come from the server as they are)."""
    return Text(fmt.shown(text), style=style, justify=justify, no_wrap=True, overflow="ellipsis")  # type: ignore[arg-type]


#: the model a keyed table panel shows (its subclass's: orders, positions, balances)
ModelT = TypeVar("ModelT", bound=KeyedModel)


class KeyedTablePanel(StreamPanel, Generic[ModelT]):
    """A StreamPanel whose body is a LiveTable of ``model.rows``: in the panel's own order
    (``sort_key``) until a header is clicked, then by that column's values as shown."""

    COLUMNS: ClassVar[tuple[ColumnSpec, ...]] = ()
    EMPTY_TEXT: ClassVar[str] = "nothing yet"

    DEFAULT_CSS = """
    KeyedTablePanel > .panel-empty {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        display: none;
    }
    KeyedTablePanel > .panel-empty.-shown { display: block; }
    """

    model: ModelT

    def __init__(self, model: ModelT, *, accounts: list[str] | None = None) -> None:
        super().__init__()
        self.model = model
        self.accounts = accounts
        self.on_data = model.apply
        self.table = LiveTable(self.COLUMNS, id=f"{self.KEY}-table")
        self.sort_column: str | None = None  # a clicked header's column (None: sort_key)
        self.column_reverse = False
        self.empty = Static(self.EMPTY_TEXT, classes="panel-empty", markup=False)
        self._errors_shown = -1  # the model's errors_version on the banner
        self._refit_after_paint = False  # columns re-measured after the next paint

    @property
    def activity(self):
        return self.model.activity

    def compose_body(self) -> ComposeResult:
        yield self.table
        yield self.empty

    def account_kwargs(self) -> dict[str, Any]:
        return {"accounts": list(self.accounts)} if self.accounts else {}

    def on_snapshot(self, event: SnapshotEvent) -> None:
        events = snapshot_events()
        if event == events.START:
            self.model.begin_snapshot()
        elif event == events.END:
            self.model.end_snapshot()

    def mark_all_dirty(self) -> None:
        self.model.mark_all_dirty()

    # -- accounts in error (TradeStation's per-account Errors entries) -------------------------

    def on_stream_error(self, error: BaseException) -> None:
        """An error about one account is shown for as long as it holds (see the model), in the
        banner; the other accounts' rows go on."""
        from tsdash.api import StreamError

        if isinstance(error, StreamError) and error.account_id:
            code = error.error or "Error"
            text = f"{code}: {error.detail}" if error.detail else code
            self.model.set_account_error(fmt.shown(error.account_id), text)
            return
        super().on_stream_error(error)

    def account_errors_text(self) -> str:
        """"SIM1234567M: Failed: <TradeStation's message>", one per account in error."""
        return " · ".join(f"{account}: {text}"
                          for account, text in self.model.account_errors.items())

    def banner_text(self) -> tuple[str, str] | None:
        if self.is_live and self.model.account_errors:
            notes = [n for n in (self.warning, self.account_errors_text()) if n]
            return f"⚠ {' · '.join(notes)}", "-warn"
        return super().banner_text()

    def sort_key(self, key: str) -> Any:
        return key

    sort_reverse: ClassVar[bool] = False

    def render_row(self, key: str) -> Cells:  # pragma: no cover - abstract
        raise NotImplementedError

    def repaint_body(self, tick: int) -> None:
        if self.model.errors_version != self._errors_shown:
            self._errors_shown = self.model.errors_version
            self._paint_state()
        changes = self.model.take_changes()
        if not changes:
            return
        rows = self.model.rows
        table = self.table
        structure = table.sync(changes, rows.__contains__, self.render_row)
        if self._refit_after_paint:
            self._refit_after_paint = False
            table.refit_columns()
        if structure or changes.reset or (self.sort_column and changes.dirty):
            self._apply_sort()
        self.empty.set_class(not rows, "-shown")
        self.after_repaint()
        self.refresh_subtitle()

    def after_repaint(self) -> None:
        pass

    def on_live_table_header_selected(self, event: LiveTable.HeaderSelected) -> None:
        """A header click sorts by that column (text A-Z, numbers largest first); again
        reverses."""
        event.stop()
        if event.column == self.sort_column:
            self.column_reverse = not self.column_reverse
        else:
            spec = next(c for c in self.COLUMNS if c.key == event.column)
            self.sort_column, self.column_reverse = event.column, spec.justify != "left"
        self.table.set_sort_indicator(self.sort_column, self.column_reverse)
        self._apply_sort()

    def _apply_sort(self) -> None:
        column = self.sort_column
        if column is None:
            self.table.sort_rows(self.sort_key, reverse=self.sort_reverse)
            return
        table, reverse = self.table, self.column_reverse

        def key(row: str) -> tuple[bool, tuple[int, float, str] | Descending, str]:
            value = cell_sort_value(table.get_cell(row, column))
            missing = value[0] == 2  # blanks last whichever the direction; ties by row key
            return (missing, Descending(value) if reverse and not missing else value, row)

        table.sort_rows(key)

    def row_symbol(self, key: str) -> str | None:
        """The row's symbol: its prices' format, and what choosing the row charts (None: no
        symbol, as a balance's)."""
        return None

    def highlighted(self) -> dict[str, Any] | None:
        """The row under the table's cursor (an order, a position ...; None: no rows)."""
        key = self.table.cursor_row_key()
        return self.model.rows.get(key) if key is not None else None

    def on_live_table_row_selected(self, event: LiveTable.RowSelected) -> None:
        """A row chosen (enter, a click): its symbol goes to the chart and the tape by the
        quotes panel's own message, the one path the app routes (a row without a symbol:
        nothing)."""
        event.stop()
        symbol = self.row_symbol(event.key)
        if symbol:
            self.post_message(QuotesPanel.SymbolSelected(symbol))

    def _details_arrived(self, symbols: set[str]) -> None:
        """Only the rows of these symbols repaint, now with their own price format, and then
        the columns fit them (a price with thousands separators may have widened one)."""
        self.model.mark_dirty([key for key in self.model.rows if self.row_symbol(key) in symbols])
        self._refit_after_paint = True


# ------------------------------------------------------------------------------------------------


ORDER_TYPE_SHORT = {"Market": "MKT", "Limit": "LMT", "StopMarket": "STP", "StopLimit": "STP LMT",
                    "TrailingStop": "TRAIL"}


class OrdersPanel(KeyedTablePanel[OrdersModel]):
    KEY = "orders"
    LETTER = "O"
    TITLE = "Orders"
    EMPTY_TEXT = "no orders today"
    sort_reverse = True
    BINDINGS = row_action_bindings("orders")
    COLUMNS = (
        ColumnSpec("time", "Time", 8, "left"),
        ColumnSpec("symbol", "Symbol", 6, "left"),
        ColumnSpec("side", "Side", 4, "left"),
        ColumnSpec("qty", "Filled/Qty", 10),
        ColumnSpec("type", "Type", 4, "left"),
        ColumnSpec("price", "Price", 8),
        ColumnSpec("status", "Status", 13, "left"),
        ColumnSpec("order", "Order", 9, "left"),
        ColumnSpec("account", "Account", 9, "left"),
    )

    class OrderEvent(Message):
        """An order filled, was rejected, cancelled or expired (up, to the app, which tells
        the trader as ``[notifications]`` says)."""

        def __init__(self, notification: Notification) -> None:
            super().__init__()
            self.notification = notification

    def __init__(self, *, accounts: list[str] | None = None, clock: Callable[[], float],
                 details: SymbolDetails | None = None) -> None:
        super().__init__(OrdersModel(clock=clock), accounts=accounts)
        self.details = details if details is not None else SymbolDetails()
        self.details.listen(self._details_arrived)
        #: what changed in which order, told once whichever way it came
        self.events = OrderEvents()
        self.on_data = self._order_message

    def _order_message(self, message: dict[str, Any]) -> None:
        """Into the model; outside a snapshot, the order's change (if news) goes up."""
        model = self.model
        model.apply(message)
        if model.in_snapshot:
            return
        row = model.rows.get(str(message.get("OrderID")))
        if row is not None:
            self._tell(row)

    def on_snapshot(self, event: SnapshotEvent) -> None:
        """After the first snapshot every order is known; a later one (a reconnect) holds the
        changes made while the stream was down: those are told."""
        super().on_snapshot(event)
        if event != snapshot_events().END or self.model.in_snapshot:
            return
        if not self.events.started:
            self.events.baseline(self.model.rows.values())
            return
        for row in list(self.model.rows.values()):
            self._tell(row)

    def follow_order(self, order_id: str) -> None:
        """An order sent from the dashboard: tell of its changes (in the demo only those are
        told), the one that may have come before its id was known included."""
        self.events.follow(order_id)
        row = self.model.rows.get(order_id)
        if row is not None and self.events.started and not self.model.in_snapshot:
            self._tell(row)

    def _tell(self, row: dict[str, Any]) -> None:
        notification = self.events.observe(row)
        if notification is not None:
            self.post_message(self.OrderEvent(notification))

    def detail_text(self) -> str:
        counts = self.model.counts()
        parts = [f"{counts[c]} {c}" for c in ("working", "partial", "filled", "cancelled",
                                              "rejected") if counts.get(c)]
        return " · ".join(parts) if parts else "0 orders"

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        return await client.order_execution.stream_order_updates(
            **self.account_kwargs(), **self.callbacks(generation))

    async def reconcile(self, client: TradeStationClient) -> int:
        """Read the orders over REST and correct what the order stream missed (TradeStation's
        drops fill frames while its heartbeats go on); how many rows changed. A failure is
        logged, never raised: the next reconciliation tries again."""
        try:
            orders = await client.brokerage.get_orders(self.accounts)
        except Exception as exc:
            log.warning("orders: reconciling by REST failed: %s", describe_error(exc))
            return 0
        corrected = self.model.reconcile(orders)
        if corrected:
            log.info("orders: reconciled by REST, the stream had missed %s",
                     ", ".join(corrected))
            for key in corrected:
                row = self.model.rows.get(key)
                if row is not None:
                    self._tell(row)
        return len(corrected)

    def sort_key(self, key: str) -> Any:
        order = self.model.rows.get(key, {})
        return (str(order.get("OpenedDateTime") or ""), key)

    def row_symbol(self, key: str) -> str | None:
        return order_symbol(self.model.rows.get(key, {})) or None

    def status_text(self, order_id: str) -> str | None:
        """The order's status as the stream last reported it (None: not seen yet)."""
        order = self.model.rows.get(order_id)
        return order_status_text(order) if order is not None else None

    def order_ids(self) -> set[str]:
        return set(self.model.rows)

    def find_new(self, request: dict[str, Any], known: set[str]) -> str | None:
        """The newest order not in ``known`` that ``request`` (an OrderRequest) would have
        made: same account, symbol, action and quantity. How a ticket whose answer was lost
        finds its order once the stream or the reconciliation reports it."""
        from decimal import Decimal, InvalidOperation

        def number(value: object) -> Decimal | None:
            try:
                return Decimal(str(value))
            except (InvalidOperation, ValueError):
                return None

        wanted = (str(request.get("AccountID")), str(request.get("Symbol")),
                  str(request.get("TradeAction", "")).upper(), number(request.get("Quantity")))
        found: list[tuple[str, str]] = []
        for key, order in self.model.rows.items():
            if key in known:
                continue
            leg = first_leg(order)
            seen = (str(order.get("AccountID")), str(leg.get("Symbol") or order.get("Symbol")),
                    str(leg.get("BuyOrSell") or "").upper(), number(leg.get("QuantityOrdered")))
            if seen == wanted:
                found.append((str(order.get("OpenedDateTime") or ""), key))
        return max(found)[1] if found else None

    def render_row(self, key: str) -> Cells:
        order = self.model.rows[key]
        palette = self.palette
        legs = order.get("Legs") or [{}]
        leg = first_leg(order)
        side = str(leg.get("BuyOrSell") or "")
        side_style = palette.up if side.startswith("Buy") else palette.down if side else palette.text
        category = order_status_category(order.get("Status"))
        status_style = palette.status.get(category, palette.text)
        ordered = leg.get("QuantityOrdered")
        filled = leg.get("ExecQuantity")
        order_type = str(order.get("OrderType") or "")
        price = (order.get("FilledPrice") if category in ("filled", "partial")
                 and to_float(order.get("FilledPrice")) else None)
        price = price or order.get("LimitPrice") or order.get("StopPrice")
        prices = self.details.formatter(self.row_symbol(key) or "")
        price_text = (fmt.symbol_price(price, prices) if price
                      else "MKT" if order_type == "Market" else fmt.DASH)
        symbol = str(leg.get("Symbol") or order.get("Symbol") or "?")
        if len(legs) > 1:
            symbol += f"+{len(legs) - 1}"
        return (
            _t(fmt.clock_time(order.get("OpenedDateTime")), palette.muted, "left"),
            _t(symbol, Style(bold=True), "left"),
            _t(side.replace("SellShort", "Short").replace("BuyToCover", "Cover"), side_style,
               "left"),
            _t(f"{fmt.quantity(filled)}/{fmt.quantity(ordered)}"),
            _t(ORDER_TYPE_SHORT.get(order_type, order_type[:6]), palette.muted, "left"),
            _t(price_text),
            _t(order_status_text(order), status_style, "left"),
            _t(str(order.get("OrderID", key)), palette.muted, "left"),
            _t(str(order.get("AccountID", "")), palette.muted, "left"),
        )


# ------------------------------------------------------------------------------------------------


class PositionsPanel(KeyedTablePanel[PositionsModel]):
    KEY = "positions"
    LETTER = "P"
    TITLE = "Positions"
    EMPTY_TEXT = "no open positions"
    BINDINGS = row_action_bindings("positions")
    COLUMNS = (
        ColumnSpec("symbol", "Symbol", 6, "left"),
        ColumnSpec("qty", "Qty", 6),
        ColumnSpec("avg", "Avg", 8),
        ColumnSpec("last", "Last", 8),
        ColumnSpec("pnl", "Unrl P&L", 10),
        ColumnSpec("pnlp", "P&L%", 7),
        ColumnSpec("today", "Today", 9),
        ColumnSpec("value", "Mkt value", 11),
        ColumnSpec("account", "Account", 9, "left"),
    )

    DEFAULT_CSS = """
    PositionsPanel > .positions-total {
        dock: bottom;
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, *, accounts: list[str] | None = None, clock: Callable[[], float],
                 details: SymbolDetails | None = None) -> None:
        super().__init__(PositionsModel(clock=clock), accounts=accounts)
        self.total = Static("", classes="positions-total", markup=False)
        self._total_shown = Text()  # what the total line shows
        self.details = details if details is not None else SymbolDetails()
        self.details.listen(self._details_arrived)

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        yield self.total

    def detail_text(self) -> str:
        total = self.model.total_unrealized()
        return f"{len(self.model)} positions · P&L {fmt.signed(total)}"

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        return await client.brokerage.stream_position_changes(
            **self.account_kwargs(), **self.callbacks(generation))

    def sort_key(self, key: str) -> Any:
        pos = self.model.rows.get(key, {})
        return (str(pos.get("Symbol") or ""), str(pos.get("AccountID") or ""), key)

    def row_symbol(self, key: str) -> str | None:
        symbol = self.model.rows.get(key, {}).get("Symbol")
        return symbol if isinstance(symbol, str) else None

    @staticmethod
    def pnl_percent(pos: dict[str, Any]) -> float | None:
        pnl = to_float(pos.get("UnrealizedProfitLoss"))
        cost = to_float(pos.get("TotalCost"))
        if pnl is not None and cost:
            return pnl / abs(cost) * 100.0
        return to_float(pos.get("UnrealizedProfitLossPercent"))

    def render_row(self, key: str) -> Cells:
        pos = self.model.rows[key]
        palette = self.palette
        signed = signed_quantity(pos)
        qty = float(signed) if signed is not None else None
        pnl = to_float(pos.get("UnrealizedProfitLoss"))
        today = to_float(pos.get("TodaysProfitLoss"))
        pnl_style = palette.signed(pnl)
        prices = self.details.formatter(self.row_symbol(key) or "")
        return (
            _t(str(pos.get("Symbol") or "?"), Style(bold=True), "left"),
            _t(fmt.quantity(qty), palette.up if (qty or 0) > 0 else palette.down),
            _t(fmt.symbol_price(pos.get("AveragePrice"), prices), palette.text),
            _t(fmt.symbol_price(pos.get("Last"), prices), palette.text),
            _t(fmt.signed(pnl), pnl_style),
            _t(fmt.percent(self.pnl_percent(pos)), pnl_style),
            _t(fmt.signed(today), palette.signed(today)),
            _t(fmt.money(pos.get("MarketValue")), palette.text),
            _t(str(pos.get("AccountID") or ""), palette.muted, "left"),
        )

    def after_repaint(self) -> None:
        model = self.model
        palette = self.palette
        total = model.total_unrealized()
        today = model.total_todays()
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("Total ", style=Style(bold=True))
        line.append("unrealized ", style=palette.muted)
        line.append(fmt.signed(total), style=palette.signed(total) + Style(bold=True))
        line.append("   today ", style=palette.muted)
        line.append(fmt.signed(today), style=palette.signed(today))
        line.append("   value ", style=palette.muted)
        line.append(fmt.money(model.total_market_value()), style=palette.text)
        if line == self._total_shown and line.style == self._total_shown.style:
            return  # the same totals: nothing to repaint
        self._total_shown = line
        # one docked line of fixed height: no layout pass (update()'s default layout=True
        # reflows the whole screen on every repaint tick)
        self.total.update(line, layout=False)


# ------------------------------------------------------------------------------------------------


class BalancesPanel(KeyedTablePanel[BalancesModel]):
    KEY = "balances"
    LETTER = "$"
    TITLE = "Balances"
    EMPTY_TEXT = "no accounts yet"
    COLUMNS = (
        ColumnSpec("account", "Account", 9, "left"),
        ColumnSpec("cash", "Cash", 12),
        ColumnSpec("equity", "Equity", 12),
        ColumnSpec("bp", "Buying power", 12),
        ColumnSpec("value", "Mkt value", 11),
        ColumnSpec("today", "Today P&L", 10),
        ColumnSpec("type", "Type", 6, "left"),
    )

    def __init__(self, *, accounts: list[str] | None = None, clock: Callable[[], float],
                 interval: float = 5.0) -> None:
        super().__init__(BalancesModel(clock=clock), accounts=accounts)
        self.interval = interval

    def detail_text(self) -> str:
        return f"{len(self.model)} accounts · every {self.interval:g}s"

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        return await client.brokerage.stream_balance_changes(
            **self.account_kwargs(), interval=self.interval, **self.callbacks(generation))

    def render_row(self, key: str) -> Cells:
        bal = self.model.rows[key]
        palette = self.palette
        today = to_float(bal.get("TodaysProfitLoss"))
        return (
            _t(str(bal.get("AccountID", key)), Style(bold=True), "left"),
            _t(fmt.money(bal.get("CashBalance")), palette.text),
            _t(fmt.money(bal.get("Equity")), palette.text),
            _t(fmt.money(bal.get("BuyingPower")), palette.text),
            _t(fmt.money(bal.get("MarketValue")), palette.text),
            _t(fmt.signed(today), palette.signed(today)),
            _t(str(bal.get("AccountType") or ""), palette.muted, "left"),
        )
