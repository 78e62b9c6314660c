"""The `?` help screen: every key (as currently mapped) and what the panels show."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

PANEL_HELP = (
    ("Quotes", "the active watchlist; Enter (or a click) on a row charts that symbol; click a "
               "header or press o to sort"),
    ("Bars", "candles and volume for the selected symbol; the forming bar updates in place"),
    ("Time & Sales", "prints of the selected symbol, newest first (green buy, red sell)"),
    ("Orders", "today's orders by status: working, partial, filled, cancelled, rejected"),
    ("Positions", "open positions with unrealized P&L and a total line"),
    ("Balances", "cash, equity, buying power, market value and today's P&L per account"),
)

STATUS_HELP = ("The top bar shows the environment (DEMO, SIM or LIVE); the streams: how many "
               "are up (connected now) of those open, and the slots they hold against "
               "max_concurrent_streams (a disconnected stream keeps its slot until its panel "
               "closes it); each panel's state (● live, ◌ connecting, ○ disconnected, "
               "✕ failed) and the age of the newest message. A panel that is not live says "
               "why in its own banner: press r there to reconnect it, R for all.")


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen > VerticalScroll {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        border-title-color: $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen Static { width: 1fr; }
    HelpScreen .help-section { margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss_help", "Close", id="close_help"),
    ]

    def __init__(self, keys: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "tsdash — keys"
            scroll.border_subtitle = "escape or ? closes"
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for key, description in self.keys:
                table.add_row(Text(key, style="bold"), Text(description))
            yield Static(table)
            panels = Table.grid(padding=(0, 2))
            panels.add_column(style="bold", no_wrap=True)
            panels.add_column()
            for name, text in PANEL_HELP:
                panels.add_row(Text(name), Text(text))
            yield Static(panels, classes="help-section")
            yield Static(Text(STATUS_HELP), classes="help-section")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
