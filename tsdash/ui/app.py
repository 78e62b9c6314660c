"""The tsdash dashboard: six panels, a status bar, keys, themes; panels keep their own errors.

Construction is plain and synchronous (pytest-textual-snapshot runs the app in its own loop):
everything async starts on mount. The connector (demo simulator or a signed-in account) is
injectable, and so is the clock used for "age of the newest message", so tests can freeze it.

Data path: api callback -> panel model (O(1), no widget call) -> ``tick()`` at
``settings.repaint_hz`` -> each panel repaints what changed, inside one ``batch_update``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tsdash.alerts.notifications import Notification, NotificationKind
from tsdash.alerts.rules import AlertRule
from tsdash.config import AlertEdit, EditKind, Settings, WatchlistEdit
from tsdash.keymap import ACTIONS
from tsdash.ui.alert_center import AlertCenter, LostStream
from tsdash.ui.commands import DashboardCommands
from tsdash.ui.config_watch import ConfigSync
from tsdash.ui.connection import (
    Connection,
    Connector,
    DemoConnector,
    EnvironmentLabel,
    SignInRequired,
)
from tsdash.ui.housekeeping import TRIM_INTERVAL, heap_trimmer, tune_gc
from tsdash.ui.models import (
    OrderCategory,
    first_leg,
    order_status_category,
    order_status_text,
    order_symbol,
    signed_quantity,
)
from tsdash.ui.panels.account import BalancesPanel, OrdersPanel, PositionsPanel
from tsdash.ui.panels.bars import BarsPanel
from tsdash.ui.panels.base import StreamPanel, describe_error
from tsdash.ui.panels.quotes import QuotesPanel
from tsdash.ui.panels.tape import TapePanel
from tsdash.ui.screens.add_alert import AddAlertScreen
from tsdash.ui.screens.add_symbol import AddSymbolScreen
from tsdash.ui.screens.alerts import AlertsScreen
from tsdash.ui.screens.cancel_order import CancelOrderScreen
from tsdash.ui.screens.help import HelpScreen
from tsdash.ui.screens.order_ticket import OrderTicketScreen, TicketStage
from tsdash.ui.symbols import SymbolDetails
from tsdash.ui.themes import FALLBACK_THEME_NAME, VARIABLE_DEFAULTS, derived_variables, load_themes
from tsdash.ui.ticket import (
    Side,
    TicketInput,
    TicketLimits,
    close_position_input,
    side_of,
)
from tsdash.ui.trading import (
    AccountChoice,
    OutcomeKind,
    TicketContext,
    TicketMode,
    trading_refusal,
)
from tsdash.ui.widgets.footer import DashFooter
from tsdash.ui.widgets.status_bar import PanelDot, StatusBar, StatusInfo, StreamCounts

if TYPE_CHECKING:
    from tsdash.api import TradeStationClient
    from tsdash.ui.panels.base import PanelState

log = logging.getLogger(__name__)

#: compact layout below this size (80x24 must stay readable)
COMPACT_WIDTH = 120
COMPACT_HEIGHT = 36

PAST = {"cancel": "cancelled", "replace": "replaced"}

#: seconds after an unknown order outcome at which the orders are read over REST again
UNKNOWN_RECHECKS = (2.0, 5.0, 10.0)

#: how many of the latest notices ``TsdashApp.notices`` keeps
NOTICE_HISTORY = 200


@dataclass(frozen=True)
class Notice:
    """A notice the app showed (a toast): kept in ``TsdashApp.notices`` after it fades."""

    message: str
    title: str
    severity: SeverityLevel
    at: float  # time.time() when it was shown


class TsdashApp(App[int]):
    """The dashboard. ``TsdashApp(settings, connector=...)``; ``run()`` returns the exit status."""

    CSS_PATH = str(Path(__file__).with_name("tsdash.tcss"))  # absolute: subclasses elsewhere work
    TITLE = "tsdash"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {DashboardCommands}

    # one Binding per remappable action declared in tsdash.keymap (its id is the [keys] name;
    # settings.keys maps id -> key and is applied with set_keymap)
    BINDINGS = [
        Binding(action.key, action.id, action.label, id=action.id, show=action.show,
                priority=action.priority, key_display=action.key_display)
        for action in ACTIONS
    ]

    #: binding ids in the order the help screen lists them (their text is in tsdash.keymap)
    KEY_HELP = ("reconnect", "reconnect_all", "next_panel", "previous_panel", "next_watchlist",
                "sort", "add_symbol", "remove_symbol", "buy", "sell", "close_position",
                "replace_order", "cancel_order", "add_alert", "alerts", "zoom", "next_theme",
                "help", "quit")

    def __init__(self, settings: Settings | None = None, *, connector: Connector | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 balance_interval: float = 5.0,
                 watch_css: bool = False) -> None:
        super().__init__(watch_css=watch_css)
        self.settings: Settings = settings if settings is not None else Settings()
        self.connector: Connector = connector if connector is not None else DemoConnector()
        self.clock = clock
        self.connection: Connection | None = None
        self.environment = ""
        self.tick_no = 0
        #: the latest notices shown, oldest first (toasts fade; this record stays)
        self.notices: deque[Notice] = deque(maxlen=NOTICE_HISTORY)
        self._repaint_timer: Timer | None = None
        self.orders_reconcile_timer: Timer | None = None  # see start_orders_reconcile
        self.orders_reconcile_worker: Worker[int] | None = None
        self._shutdown_started = False
        self._shutdown_done: asyncio.Event | None = None  # created on mount (loop-bound)
        self._save_lock = asyncio.Lock()  # config reads and writes, one at a time
        self.exit_status = 0
        #: why the app ended itself (printed by the launcher after the terminal is restored)
        self.exit_message: str | None = None

        settings = self.settings
        hz = max(1, min(30, settings.repaint_hz))
        self.repaint_interval = 1.0 / hz
        flash_ticks = max(2, round(hz * 0.6))
        bars = settings.bars
        accounts = settings.accounts
        #: each symbol's price format, fetched once and shared by the panels
        self.symbol_details = details = SymbolDetails()
        #: the alert rules, their stream, and every notification's delivery
        self.alerts = AlertCenter(self)
        self.panels: dict[str, StreamPanel] = {}
        for panel in (
            QuotesPanel(settings.watchlists, settings.default_watchlist, clock=clock,
                        flash_ticks=flash_ticks, selected=bars.symbol, details=details,
                        also=self.alerts.watchlist_quote),
            BarsPanel(bars.symbol, interval=bars.interval, unit=bars.unit,
                      barsback=bars.barsback, clock=clock, details=details),
            TapePanel(bars.symbol, clock=clock, details=details),
            OrdersPanel(accounts=accounts, clock=clock, details=details),
            PositionsPanel(accounts=accounts, clock=clock, details=details),
            BalancesPanel(accounts=accounts, clock=clock, interval=balance_interval),
        ):
            self.panels[panel.KEY] = panel
        if isinstance(self.connector, DemoConnector):
            # the simulator's own trader keeps the demo account busy: only the orders sent
            # from this dashboard notify
            self.orders_panel.events.only = set()

        loaded = load_themes()
        self.theme_errors = loaded.errors
        self.dashboard_themes = loaded.names
        for theme in loaded.themes.values():
            self.register_theme(theme)
        wanted = settings.theme or FALLBACK_THEME_NAME
        if wanted not in self.available_themes:
            self.theme_errors.append(f"theme {wanted!r} not found; using {FALLBACK_THEME_NAME}")
            wanted = FALLBACK_THEME_NAME
        self.theme = wanted
        #: the config file and the session's settings kept in step (saves merge, edits on disk
        #: are picked up); settings.watchlists is the one copy, shared with the quotes panel
        self.config_sync = ConfigSync(self, self.settings, self._save_lock)

        if settings.keys:
            self.set_keymap(dict(settings.keys))

    # -- convenience -----------------------------------------------------------------------------

    @property
    def quotes_panel(self) -> QuotesPanel | None:
        panel = self.panels.get("quotes")
        return panel if isinstance(panel, QuotesPanel) else None

    @property
    def bars_panel(self) -> BarsPanel:
        panel = self.panels["bars"]
        assert isinstance(panel, BarsPanel)
        return panel

    @property
    def tape_panel(self) -> TapePanel:
        panel = self.panels["tape"]
        assert isinstance(panel, TapePanel)
        return panel

    @property
    def orders_panel(self) -> OrdersPanel:
        panel = self.panels["orders"]
        assert isinstance(panel, OrdersPanel)
        return panel

    @property
    def positions_panel(self) -> PositionsPanel:
        panel = self.panels["positions"]
        assert isinstance(panel, PositionsPanel)
        return panel

    @property
    def balances_panel(self) -> BalancesPanel:
        panel = self.panels["balances"]
        assert isinstance(panel, BalancesPanel)
        return panel

    @property
    def client(self) -> TradeStationClient | None:
        return self.connection.client if self.connection else None

    @property
    def shutting_down(self) -> bool:
        return self._shutdown_started

    def attach_terminal(self, terminal: Driver) -> None:
        """The driver of the terminal the app runs in (tsdash.ui.driver.TerminalOwner): the
        desktop notifications' escape sequences go through it."""
        self.alerts.terminal = terminal

    # -- notices ---------------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Show a toast, and keep a record of it in ``notices`` (what the user was told, after
        the toast has gone)."""
        self.notices.append(Notice(message, title, severity, time.time()))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def pause_repaint(self) -> None:
        """Stop the repaint timer until ``resume_repaint`` (what is on screen stays)."""
        if self._repaint_timer is not None:
            self._repaint_timer.pause()

    def resume_repaint(self) -> None:
        if self._repaint_timer is not None:
            self._repaint_timer.resume()

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but on Linux/macOS one that survives kill -STOP/-CONT (Textual's
        hangs on quit after it; tsdash.ui.driver says why)."""
        chosen = super().get_driver_class()
        if sys.platform == "win32":
            return chosen
        from tsdash.ui.driver import continue_safe  # imports termios: not on Windows

        return continue_safe(chosen)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **VARIABLE_DEFAULTS}

    def get_css_variables(self) -> dict[str, str]:
        """Textual's variables for the theme in use, plus the shades derived from them (unless
        the theme sets them): the widgets' component classes refer to both."""
        variables = super().get_css_variables()
        variables = {**derived_variables(variables), **variables}
        self.theme_variables = variables
        return variables

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        panels = self.panels
        yield StatusBar(id="status")
        with Horizontal(id="columns"):
            with Vertical(id="left"):
                yield panels["quotes"]
                yield panels["orders"]
                yield panels["positions"]
                yield panels["balances"]
            with Vertical(id="right"):
                yield panels["bars"]
                yield panels["tape"]
        yield DashFooter(compact=True)

    def on_mount(self) -> None:
        tune_gc()
        trim_heap = heap_trimmer()
        if trim_heap is not None:
            self.set_interval(TRIM_INTERVAL, trim_heap, name="trim-heap")
        self._shutdown_done = asyncio.Event()
        self._apply_layout(self.size.width, self.size.height)
        for message in self.theme_errors:
            self.notify(message, title="Theme skipped", severity="warning", timeout=8)
        quotes = self.quotes_panel
        if quotes is not None and quotes.focus_target is not None:
            quotes.focus_target.focus()
        self._repaint_timer = self.set_interval(self.repaint_interval, self.tick,
                                                name="repaint")
        self.config_sync.start()
        self.alerts.start()
        self.tick()
        # connect after the first frame is on screen: starting the demo simulator takes a
        # moment, and the dashboard's frame (with every panel saying "connecting") comes first
        self.call_after_refresh(self._retry_connect)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        compact = width < COMPACT_WIDTH or height < COMPACT_HEIGHT
        self.screen.set_class(compact, "-compact")
        self.screen.set_class(height < 30, "-short")

    # -- connection ------------------------------------------------------------------------------

    async def _connect(self) -> None:
        for panel in self.panels.values():
            panel.wait_for_client()
        connection = await self.connector.connect(self.settings)
        if self._shutdown_started:
            await connection.close()
            return
        self.connection = connection
        self.environment = connection.environment
        log.info("dashboard connected: %s at %s", connection.environment,
                 connection.client.base_url)
        for panel in self.panels.values():
            panel.start(connection.client)
        self.start_orders_reconcile()
        self.alerts.connected()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every failure of the app's own workers lands here (each panel handles its own)."""
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        if error is None:
            return
        if worker.name == "connect":
            if isinstance(error, SignInRequired):  # nothing on screen could fix it: say why, end
                log.warning("sign-in refused: %s", error)
                self.run_worker(self.end(1, str(error)), name="end", group="app")
                return
            log.warning("could not connect: %s", error)
            for panel in self.panels.values():
                panel.report_error(error)
            self.notify(f"could not connect: {describe_error(error)}", severity="error",
                        timeout=10)
            return
        log.warning("worker %s failed: %s", worker.name, error)
        self.notify(describe_error(error), severity="error")

    # -- orders reconciliation by REST (design.md, Trading) -------------------------------------

    def start_orders_reconcile(self) -> None:
        """Once connected: reconcile the orders every ``orders_reconcile_s`` seconds (the
        config refuses a period short enough to hammer TradeStation). Started once, whatever
        reconnects follow; never after shutdown started."""
        if self.orders_reconcile_timer is None and not self._shutdown_started:
            self.orders_reconcile_timer = self.set_interval(
                self.settings.orders_reconcile_s, lambda: self.reconcile_orders(now=False),
                name="orders-reconcile")

    def reconcile_orders(self, now: bool = True) -> None:
        """Read the orders over REST and correct what the order stream missed, in a worker,
        never two at once. ``now`` (after an OrderOutcomeUnknown) starts a fresh read even if
        one is under way (it may have left before the order); the timer's skips a busy turn."""
        client, panel = self.client, self.panels.get("orders")
        if client is None or not isinstance(panel, OrdersPanel) or self._shutdown_started:
            return
        running = self.orders_reconcile_worker
        if not now and running is not None and not running.is_finished:
            return
        self.orders_reconcile_worker = self.run_worker(
            panel.reconcile(client), name="orders-reconcile", group="orders-reconcile",
            exclusive=True, exit_on_error=False)

    # -- the repaint timer -----------------------------------------------------------------------

    def tick(self) -> None:
        """Repaint what changed, all panels in one batch; then the status bar."""
        if not self.is_running or self._shutdown_started:
            return
        self.tick_no += 1
        if self.tick_no % round(1 / self.repaint_interval) == 0:
            self.alerts.check_unwatched()
        self._repaint(self.panels.values())
        client = self.client
        if client is not None and self.symbol_details.due():
            # symbols the panels painted without a price format: one batched call, in a worker
            self.run_worker(self.symbol_details.fetch(client), name="symbol-details",
                            group="app", exit_on_error=False)

    def on_stream_panel_first_data(self, message: StreamPanel.FirstData) -> None:
        """A stream's first data shows now, not up to a repaint interval later: the dashboard
        fills in as the streams come up, and after a reconnect or a new symbol."""
        if self.is_running and not self._shutdown_started:
            self._repaint((message.panel,))

    def _repaint(self, panels: Iterable[StreamPanel]) -> None:
        """Paint what changed in ``panels``, then the status bar, in one batch."""
        tick = self.tick_no
        with self.batch_update():
            for panel in panels:
                if panel.is_mounted:
                    panel.repaint(tick)
            self._paint_status()

    def status_info(self) -> StatusInfo:
        streams = None
        client = self.client
        if client is not None:
            manager = client.stream_manager
            streams = StreamCounts(manager.connected_count, manager.active_count,
                                   manager.max_concurrent_streams)
        newest = None
        for panel in self.panels.values():
            at = panel.activity.last_at
            if at is not None and (newest is None or at > newest):
                newest = at
        age = None if newest is None else max(0.0, self.clock() - newest)
        quotes = self.quotes_panel
        return StatusInfo(
            environment=self.environment,
            streams=streams,
            panels=[PanelDot(p.LETTER, p.state) for p in self.panels.values()],
            age=age,
            watchlist=quotes.active if quotes else None,
            alerts_unwatched=self.alerts.unwatched_count,
            alerts_key=self.shown_keys().get("alerts", "") if self.alerts.unwatched_count
            else "",
        )

    def _paint_status(self) -> None:
        try:
            bar = self.query_one(StatusBar)
        except Exception:
            return
        bar.show(self.status_info())

    @property
    def settled(self) -> bool:
        """Nothing left to paint (tests wait for this before taking a picture)."""
        quotes = self.quotes_panel
        return not (quotes and quotes.flashing)

    # -- focus -----------------------------------------------------------------------------------

    PANEL_ORDER = ("quotes", "bars", "tape", "orders", "positions", "balances")

    def focused_panel(self) -> StreamPanel | None:
        node = self.focused
        while node is not None:
            if isinstance(node, StreamPanel):
                return node
            parent = node.parent
            node = parent if isinstance(parent, Widget) else None
        return None

    def _move_panel_focus(self, step: int) -> None:
        current = self.focused_panel()
        order = [self.panels[k] for k in self.PANEL_ORDER if k in self.panels]
        index = order.index(current) if current in order else (-1 if step > 0 else 0)
        for offset in range(1, len(order) + 1):
            panel = order[(index + step * offset) % len(order)]
            target = panel.focus_target
            if target is not None and target.display:
                target.focus()
                return

    def _on_dashboard(self) -> bool:
        return self.screen is self.screen_stack[0]

    def action_next_panel(self) -> None:
        if self._on_dashboard():
            self._move_panel_focus(+1)
        else:
            self.screen.focus_next()

    def action_previous_panel(self) -> None:
        if self._on_dashboard():
            self._move_panel_focus(-1)
        else:
            self.screen.focus_previous()

    def action_zoom(self) -> None:
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        panel = self.focused_panel()
        if panel is not None:
            screen.maximize(panel, container=False)

    # -- actions ---------------------------------------------------------------------------------

    def action_reconnect(self) -> None:
        if self.connection is None:
            self._retry_connect()
            return
        self._reload_sign_in()
        panel = self.focused_panel() or self.quotes_panel
        if panel is not None:
            panel.reconnect()

    def action_reconnect_all(self) -> None:
        if self.connection is None:
            self._retry_connect()
            return
        self._reload_sign_in()
        for panel in self.panels.values():
            panel.reconnect()
        self.alerts.reconnect()

    def _reload_sign_in(self) -> None:
        """A refused sign-in is fixed by `tsdash login` in another terminal, then r here."""
        if self.connector.reload_sign_in():
            self.notify("Using the new TradeStation sign-in.", title="Signed in")

    def _retry_connect(self) -> None:
        if self._shutdown_started:
            return
        if any(w.name == "connect" and w.is_running for w in self.workers):
            return
        self.run_worker(self._connect(), name="connect", group="app", exit_on_error=False)

    def action_next_watchlist(self) -> None:
        quotes = self.quotes_panel
        if quotes is not None:
            quotes.next_watchlist()

    def show_watchlist(self, name: str) -> None:
        quotes = self.quotes_panel
        if quotes is not None:
            quotes.switch_watchlist(name)

    def action_sort(self) -> None:
        quotes = self.quotes_panel
        if quotes is not None:
            quotes.cycle_sort()

    def action_next_theme(self) -> None:
        names = self.dashboard_themes or [FALLBACK_THEME_NAME]
        index = names.index(self.theme) if self.theme in names else -1
        self.set_theme(names[(index + 1) % len(names)])

    def set_theme(self, name: str) -> None:
        self.theme = name
        self.config_sync.save_theme(name)

    def select_symbol(self, symbol: str) -> None:
        """Chart ``symbol`` (the command palette): the quotes panel marks it, and its
        SymbolSelected message brings the bars and time & sales along, as a click does."""
        quotes = self.quotes_panel
        if quotes is not None:
            quotes.select(symbol)
        else:
            self._follow_symbol(symbol)

    def on_quotes_panel_symbol_selected(self, message: QuotesPanel.SymbolSelected) -> None:
        """A quote row, or an order's or a position's row, chose a symbol: it is charted and
        its quote row marked."""
        quotes = self.quotes_panel
        if quotes is not None:
            quotes.mark_selected(message.symbol)
        self._follow_symbol(message.symbol)

    def _follow_symbol(self, symbol: str) -> None:
        """Bars and time & sales follow ``symbol`` (their subscriptions are swapped)."""
        self.bars_panel.set_symbol(symbol)
        self.tape_panel.set_symbol(symbol)

    # -- watchlist edits -------------------------------------------------------------------------

    def action_add_symbol(self) -> None:
        quotes = self.quotes_panel
        if quotes is None or not self._on_dashboard():
            return

        def added(symbol: str | None) -> None:
            if symbol:
                self.add_symbol(symbol)

        self.push_screen(AddSymbolScreen(quotes.active, quotes.model.symbols), added)

    def add_symbol(self, symbol: str) -> None:
        """Add ``symbol`` to the watchlist on screen, stream it, and save the watchlists."""
        quotes = self.quotes_panel
        if quotes is None:
            return
        name = quotes.active
        known = set(self.settings.watchlists.get(name, ()))
        try:
            stored = self.settings.add_symbol(name, symbol)
        except ValueError as exc:
            self.notify(str(exc), title="Symbol not added", severity="error")
            return
        if stored in known:
            self.notify(f"{stored} is already in {name}", title="Symbol not added")
            return
        log.info("watchlist %s: added %s", name, stored)
        quotes.edit_watchlist(name, self.settings.watchlists[name])
        self.config_sync.save_watchlist_edit(WatchlistEdit(EditKind.ADD, name, stored),
                                             f"Added {stored} to {name}")

    def action_remove_symbol(self) -> None:
        """Remove the highlighted quote row's symbol from the watchlist on screen."""
        quotes = self.quotes_panel
        if quotes is None or not self._on_dashboard():
            return
        symbol = quotes.cursor_symbol() if self.focused_panel() is quotes else None
        if symbol is None:
            self.notify("Highlight a row in the quotes panel first (tab moves between panels).",
                        title="Nothing to remove", severity="warning")
            return
        self.remove_symbol(symbol)

    def remove_symbol(self, symbol: str) -> None:
        """Remove ``symbol`` from the watchlist on screen and save the watchlists."""
        quotes = self.quotes_panel
        if quotes is None:
            return
        name = quotes.active
        try:
            self.settings.remove_symbol(name, symbol)
        except ValueError as exc:
            self.notify(str(exc), title="Symbol not removed", severity="error")
            return
        log.info("watchlist %s: removed %s", name, symbol)
        quotes.edit_watchlist(name, self.settings.watchlists[name])
        self.config_sync.save_watchlist_edit(WatchlistEdit(EditKind.REMOVE, name,
                                                           symbol.strip().upper()),
                                             f"Removed {symbol} from {name} (a adds it back)")

    # -- trading ---------------------------------------------------------------------------------

    def action_buy(self) -> None:
        self._new_ticket(Side.BUY)

    def action_sell(self) -> None:
        self._new_ticket(Side.SELL)

    def _trading_ready(self) -> bool:
        """The order keys may act: on the dashboard, trading on, connected. Else say why."""
        if not self._on_dashboard():
            return False
        refusal = trading_refusal(self.settings.trading.enabled,
                                  self.environment or self.connector.environment,
                                  self.settings.path)
        if refusal:
            self.notify(refusal, title="Trading is off", severity="warning", timeout=12)
            return False
        if self.client is None:
            self.notify("Not connected yet: orders can be placed once the panels are live.",
                        title="No order sent", severity="warning")
            return False
        return True

    def _new_ticket(self, side: Side) -> None:
        if not self._trading_ready():
            return
        self._open_ticket(TicketMode.NEW, self.row_or_chart_symbol(), side)

    def row_or_chart_symbol(self) -> str:
        """The highlighted quote row's symbol while the quotes panel has focus, else the
        chart's: what the buy, sell and alert keys act on."""
        quotes = self.quotes_panel
        symbol = None
        if quotes is not None and self.focused_panel() is quotes:
            symbol = quotes.cursor_symbol()
        return symbol or self.bars_panel.symbol

    def action_close_position(self) -> None:
        if not self._trading_ready():
            return
        position = self.positions_panel.highlighted() \
            if self.focused_panel() is self.positions_panel else None
        if position is None:
            self.notify("Highlight a position in the positions panel first (tab moves between "
                        "panels).", title="No position to close", severity="warning")
            return
        account = str(position.get("AccountID") or "")
        initial = close_position_input(position, account)
        self._open_ticket(TicketMode.CLOSE, str(position.get("Symbol") or ""),
                          side_of(initial.action),
                          initial=initial, account=account)

    def _working_order(self, verb: Literal["cancel", "replace"]) -> dict[str, Any] | None:
        """The highlighted order if it can still be changed, else None (and the reason said)."""
        order = self.orders_panel.highlighted() \
            if self.focused_panel() is self.orders_panel else None
        if order is None:
            self.notify(f"Highlight a working order in the orders panel first to {verb} it "
                        "(tab moves between panels).", title="No order", severity="warning")
            return None
        category = order_status_category(order.get("Status"))
        if category not in (OrderCategory.WORKING, OrderCategory.PARTIAL):
            self.notify(f"Order {order.get('OrderID')} is {order_status_text(order).lower()}: "
                        f"only a working order can be {PAST[verb]}.",
                        title="Nothing to " + verb, severity="warning")
            return None
        if len(order.get("Legs") or []) > 1:
            self.notify(f"Order {order.get('OrderID')} has several legs; change it on "
                        "TradeStation's platform.", title="Not supported", severity="warning")
            return None
        return dict(order)

    def action_replace_order(self) -> None:
        if not self._trading_ready():
            return
        order = self._working_order("replace")
        if order is None:
            return
        symbol = order_symbol(order)
        leg = first_leg(order)
        side = Side.BUY if str(leg.get("BuyOrSell", "")).startswith("Buy") else Side.SELL
        self._open_ticket(TicketMode.REPLACE, symbol, side, order=order,
                          account=str(order.get("AccountID") or ""))

    def action_cancel_order(self) -> None:
        if not self._trading_ready():
            return
        order = self._working_order("cancel")
        client = self.client
        if order is None or client is None:
            return
        symbol = order_symbol(order)
        price = order.get("LimitPrice") or order.get("StopPrice")
        formatter = self.symbol_details.formatter(symbol)
        shown = formatter(price) if formatter is not None and price else None
        self.push_screen(CancelOrderScreen(order, client.order_execution,
                                           live=self._is_live(), shown_price=shown,
                                           orders=self.orders_panel))

    def _is_live(self) -> bool:
        return (self.environment or self.connector.environment) == EnvironmentLabel.LIVE

    def _open_ticket(self, mode: TicketMode, symbol: str, side: Side, *,
                     initial: TicketInput | None = None, account: str | None = None,
                     order: dict[str, Any] | None = None) -> None:
        """Gather what the ticket needs (the symbol's details and quote are fetched if the
        dashboard has none yet), then open it."""
        if not symbol:
            self.notify("No symbol to trade: highlight a quote row.", severity="warning")
            return
        if any(w.name == "open-ticket" and w.is_running for w in self.workers):
            return  # one ticket at a time: a repeated key opens it once
        self.run_worker(self._prepare_ticket(mode, symbol, side, initial, account, order),
                        name="open-ticket", group="app", exit_on_error=False)

    async def _prepare_ticket(self, mode: TicketMode, symbol: str, side: Side,
                              initial: TicketInput | None, account: str | None,
                              order: dict[str, Any] | None) -> None:
        client = self.client
        if client is None:
            return
        detail = self.symbol_details.details.get(symbol)
        if detail is None:
            try:
                found = await client.market_data.get_symbol_details([symbol])
            except Exception as exc:  # the ticket opens and says the prices cannot be checked
                log.warning("symbol details for %s: %s", symbol, exc)
                found = {}
            self.symbol_details.add(found)
            detail = found.get(symbol)
        quotes = self.quotes_panel
        fetched: dict[str, Any] = {}
        if quotes is None or symbol not in quotes.model.quotes:
            try:
                answer = await client.market_data.get_quotes([symbol])
                fetched = answer[0] if answer else {}
            except Exception as exc:  # a ticket without a quote starts with empty prices
                log.warning("quote for %s: %s", symbol, exc)

        def live_quote() -> dict[str, Any]:
            """The quotes panel's row while the symbol is in the watchlist on screen; else
            the quote fetched when the ticket opened."""
            if quotes is not None and symbol in quotes.model.quotes:
                return quotes.model.get(symbol)
            return fetched

        if not self._on_dashboard() or self._shutdown_started:
            return  # another screen (or quitting) came first
        context = TicketContext(
            mode=mode, symbol=symbol, side=side, accounts=self._account_choices(),
            limits=TicketLimits(max_order_value=self.settings.trading.max_order_value,
                                max_quantity=self.settings.trading.max_quantity),
            live=self._is_live(), account=account, live_quote=live_quote,
            positions=self._held(symbol), detail=detail, initial=initial, order=order)
        if not context.accounts:
            self.notify("No account is known yet: wait until the balances panel shows your "
                        "accounts.", title="No order sent", severity="warning")
            return
        self.push_screen(OrderTicketScreen(context, client.order_execution,
                                           orders=self.orders_panel))

    def _account_choices(self) -> list[AccountChoice]:
        """The accounts the balances panel shows (with their buying power), else the ones the
        config names."""
        rows = self.balances_panel.model.rows
        choices = [AccountChoice(str(row.get("AccountID") or key),
                                 str(row.get("AccountType") or ""),
                                 str(row["BuyingPower"]) if row.get("BuyingPower") else None)
                   for key, row in sorted(rows.items())]
        if not choices and self.settings.accounts:
            choices = [AccountChoice(a) for a in self.settings.accounts]
        return choices

    def _held(self, symbol: str) -> dict[str, Decimal]:
        """Account -> signed quantity of ``symbol`` held (short negative)."""
        held: dict[str, Decimal] = {}
        for pos in self.positions_panel.model.rows.values():
            if pos.get("Symbol") != symbol:
                continue
            quantity = signed_quantity(pos) or Decimal(0)
            account = str(pos.get("AccountID") or "")
            held[account] = held.get(account, Decimal(0)) + quantity
        return held

    def on_order_ticket_screen_answered(self, message: OrderTicketScreen.Answered) -> None:
        """Every answer is also a notice (kept after the ticket closes); an unknown outcome
        has the orders read again at once."""
        outcome = message.outcome
        rejected = outcome.kind is OutcomeKind.REJECTED and bool(outcome.symbol)
        if rejected and outcome.order_id:
            # told here, with TradeStation's answer: not again when the stream shows it
            self.orders_panel.events.told(outcome.order_id, "REJ")
        if outcome.order_id:
            self.orders_panel.follow_order(outcome.order_id)
        if outcome.kind is OutcomeKind.SENT:
            self.notify(outcome.text, title=f"Order {outcome.order_id or ''}".strip())
        elif outcome.kind is OutcomeKind.REJECTED:
            # a ticket's rejection is a notification (toast, bell, journal) unless [notifications]
            # leaves rejections out; then, like a cancel's refusal, a notice
            details = {"reason": outcome.text}
            if outcome.order_id:
                details["order_id"] = outcome.order_id
            if not (rejected and self.alerts.tell(Notification(
                    NotificationKind.REJECT, outcome.symbol, outcome.text, details=details))):
                self.notify(outcome.text, title="Order rejected", severity="error", timeout=12)
        else:
            self.notify(outcome.text, title="Order outcome unknown", severity="error",
                        timeout=20)
            # now, and again while TradeStation may not list the order yet
            self.reconcile_orders()
            for delay in UNKNOWN_RECHECKS:
                self.set_timer(delay, self.reconcile_orders, name="orders-recheck")

    # -- alerts and notifications ----------------------------------------------------------------

    def on_orders_panel_order_event(self, message: OrdersPanel.OrderEvent) -> None:
        self.alerts.tell(message.notification)

    def on_stream_panel_stream_lost(self, message: StreamPanel.StreamLost) -> None:
        panel = message.panel
        symbol = panel.symbol if isinstance(panel, (BarsPanel, TapePanel)) else ""
        self.alerts.stream_lost(LostStream(panel.KEY, panel.TITLE, symbol, message.reason,
                                           str(panel.state)))

    def action_add_alert(self) -> None:
        """The alert form for the highlighted quote row's symbol (else the chart's), with its
        last price as the level."""
        if not self._on_dashboard():
            return
        symbol = self.row_or_chart_symbol()
        self.open_alert_form(symbol, self.alerts.last_price(symbol))

    def open_alert_form(self, symbol: str, last: str | None) -> None:
        def added(rule: AlertRule | None) -> None:
            if rule is not None:
                self.add_alert(rule)

        self.push_screen(AddAlertScreen(symbol, last, self.alerts.rules), added)

    def add_alert(self, rule: AlertRule) -> None:
        """Watch ``rule`` from now on and save it to the config."""
        if rule in self.alerts.rules:
            self.notify(f"{rule.describe()} is already set", title="Alert not added")
            return
        self.alerts.set_rules([*self.alerts.rules, rule])
        self.config_sync.save_alert_edit(AlertEdit(EditKind.ADD, rule),
                                         f"Alert set: {rule.describe()}")

    def delete_alert(self, rule: AlertRule) -> None:
        self.alerts.set_rules([r for r in self.alerts.rules if r != rule])
        self.config_sync.save_alert_edit(AlertEdit(EditKind.REMOVE, rule),
                                         f"Alert deleted: {rule.describe()}")

    def action_alerts(self) -> None:
        if isinstance(self.screen, AlertsScreen):
            self.screen.dismiss(None)
            return
        if self._on_dashboard():
            self.push_screen(AlertsScreen(self.alerts))

    def on_alerts_screen_delete_requested(self, message: AlertsScreen.DeleteRequested) -> None:
        self.delete_alert(message.rule)
        self._refresh_alerts_screen()

    def on_alerts_screen_rearm_requested(self, message: AlertsScreen.RearmRequested) -> None:
        self.alerts.rearm(message.rule)
        self.notify(f"{message.rule.describe()} is armed: it fires at the next quote that "
                    "meets it", title="Alert re-armed")
        self._refresh_alerts_screen()

    def on_alerts_screen_add_requested(self, message: AlertsScreen.AddRequested) -> None:
        symbol = self.bars_panel.symbol
        self.open_alert_form(symbol, self.alerts.last_price(symbol))

    def _refresh_alerts_screen(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, AlertsScreen):
                screen.refresh_from_view()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the help screen: every remappable action, the ones
        KEY_HELP names first in its order, with the keys bound now."""
        keys = self.shown_keys()
        order = [*self.KEY_HELP, *(a.id for a in ACTIONS if a.id not in self.KEY_HELP)]
        described = {action.id: action.description for action in ACTIONS}
        out = [(keys[i], described[i]) for i in order if i in keys]
        out.append(("enter / click", "chart the quote row's symbol"))
        out.append(("in a ticket", "enter previews, then Send places the order once; ↑/↓ "
                                   "step a price by the symbol's increment; escape closes"))
        out.append(("ctrl+p", "command palette"))
        return out

    def shown_keys(self) -> dict[str, str]:
        """Binding id -> its keys as the footer shows them ("?", "^r"), after remapping."""
        keys: dict[str, str] = {}
        keymap = self.settings.keys
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.id is None:
                continue
            key = keymap.get(binding.id, binding.key)
            keys[binding.id] = ", ".join(self._display_key(k.strip()) for k in key.split(","))
        return keys

    def _display_key(self, key: str) -> str:
        try:
            return self.get_key_display(Binding(key, ""))
        except Exception:
            return key

    # -- quitting --------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        if self.order_in_flight():
            self.notify("An order request is on its way to TradeStation: quit once its answer "
                        "is shown, or it may be placed without you seeing it.",
                        title="Not quitting yet", severity="warning")
            return
        await self.shutdown()
        self.exit(self.exit_status)

    def order_in_flight(self) -> bool:
        """A ticket or a cancel prompt has sent its request and has no answer yet."""
        return any(
            (isinstance(screen, OrderTicketScreen) and screen.stage is TicketStage.SENDING)
            or (isinstance(screen, CancelOrderScreen) and screen.sending)
            for screen in self.screen_stack)

    async def end(self, status: int, message: str) -> None:
        """Close everything and exit with ``status``; the launcher prints ``message``."""
        self.exit_message = message
        self.exit_status = status
        await self.shutdown()
        self.exit(status, return_code=status)

    async def shutdown(self) -> None:
        """Unsubscribe every panel, close the client, stop the simulator. Idempotent."""
        if self._shutdown_started:
            if self._shutdown_done is not None:
                await self._shutdown_done.wait()
            return
        self._shutdown_started = True
        try:
            if self._repaint_timer is not None:
                self._repaint_timer.stop()
            if self.orders_reconcile_timer is not None:
                self.orders_reconcile_timer.stop()
            # a REST read under way would go on with a client about to close
            self.workers.cancel_group(self, "orders-reconcile")
            for worker in list(self.workers):
                if worker.name == "connect" and worker.node is self:
                    worker.cancel()
            await asyncio.gather(*(p.stop() for p in self.panels.values()),
                                 self.alerts.close(), return_exceptions=True)
            connection = self.connection
            if connection is not None:
                await connection.close()
            else:  # quit while still connecting: a started simulator must still stop
                await self.connector.abandon()
        except Exception as exc:  # shutting down must finish whatever happens
            log.warning("shutdown: %s", exc)
        finally:
            if self._shutdown_done is not None:
                self._shutdown_done.set()

    async def on_unmount(self) -> None:
        # any other way out (ctrl+c, an exception, run_test ending) closes cleanly too
        await self.shutdown()


def panel_states(app: TsdashApp) -> dict[str, PanelState]:
    return {key: panel.state for key, panel in app.panels.items()}


__all__ = ["Notice", "TsdashApp", "panel_states"]
