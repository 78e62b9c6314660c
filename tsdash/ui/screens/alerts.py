"""The `A` screen: the alert rules with their state, and the notifications given, newest first.

The screen reads the app through :class:`tsdash.ui.alerting.AlertsView` (each second, and when
the app calls :meth:`AlertsScreen.refresh_from_view`) and repaints only when what it read
differs from what it shows. What the trader asks of a rule goes up as a message for the app to
carry out: :class:`AlertsScreen.DeleteRequested`, :class:`AlertsScreen.RearmRequested`,
:class:`AlertsScreen.AddRequested`.

The rules are a :class:`LiveTable` (keyed by rule id, so the highlighted rule stays highlighted
while rows come and go); the history is a rich table in a scrolling box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from tsdash.alerts.notifications import Notification, NotificationKind
from tsdash.alerts.rules import AlertRule
from tsdash.alerts.state import RuleStatus
from tsdash.ui.alerting import AlertsView, RuleRow
from tsdash.ui.formatting import parse_time
from tsdash.ui.models import Changes
from tsdash.ui.palette import Painted, Palette, palette_css
from tsdash.ui.screens.dialog import dialog_css
from tsdash.ui.widgets.table import Cells, ColumnSpec, LiveTable

RULE_COLUMNS = (
    ColumnSpec("symbol", "Symbol", 8, "left", max_width=24),
    ColumnSpec("condition", "Condition", 24, "left", max_width=40),
    ColumnSpec("state", "State", 30, "left"),
)

EMPTY_TEXT = ("No alert rules yet. Press ! on a quote row to add one (n here), or add "
              "[[alerts]] entries to the config file.")


def local_today() -> date:
    """Today's date on the local clock (the day a time of today is shown without its date)."""
    return datetime.now().astimezone().date()


def local_time_text(value: str, today: date | None = None) -> str:
    """An ISO UTC time as the local clock reads it: "14:03:12" today, "2026-11-30 14:03:12" on
    another day; the text itself when it is not a time."""
    stamp = parse_time(value)
    if stamp is None:
        return value
    local = stamp.astimezone()
    if local.date() == (today if today is not None else local_today()):
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M:%S")


def state_text(row: RuleRow, today: date | None = None) -> str:
    """"armed", "fired 14:03:12 · re-arms when last is below 230", or "not watched: <why>"
    (with the firing after it, if the rule had fired)."""
    state = row.state
    if state.status is RuleStatus.FIRED:
        when = f" {local_time_text(state.fired_at, today)}" if state.fired_at else ""
        fired = f"fired{when}"
    else:
        fired = ""
    if row.unwatched:
        return f"not watched: {row.unwatched}" + (f" ({fired})" if fired else "")
    if fired:
        return f"{fired} · re-arms {row.rule.rearm_text()}"
    return RuleStatus.ARMED.value


class AlertsScreen(Painted, ModalScreen[None]):
    """The alert rules and the notification history; asks the app to delete, re-arm or add."""

    DEFAULT_CSS = dialog_css("AlertsScreen", width="120", max_width="98%", height="95%") + """
    AlertsScreen .alerts-heading { height: 1; color: $foreground-muted; text-style: bold; }
    AlertsScreen #alerts-rules { height: auto; max-height: 40%; }
    AlertsScreen #alerts-rules.-empty { display: none; }
    AlertsScreen #alerts-empty { height: auto; color: $foreground-muted; display: none; }
    AlertsScreen #alerts-empty.-shown { display: block; }
    AlertsScreen #alerts-history-heading { margin-top: 1; }
    AlertsScreen #alerts-history { height: 1fr; background: $surface; }
    AlertsScreen #alerts-history:focus { background-tint: $foreground 5%; }
    AlertsScreen #alerts-history-list { width: 1fr; }
    """ + palette_css("AlertsScreen")

    BINDINGS: ClassVar = [
        Binding("d,delete", "delete_rule", "Delete", id="alerts_delete"),
        Binding("r", "rearm_rule", "Re-arm", id="alerts_rearm"),
        Binding("exclamation_mark,n", "add_rule", "Add", id="alerts_add"),
        Binding("escape,A", "close_alerts", "Close", id="alerts_close"),
    ]

    #: seconds between reads of the view
    REFRESH_EVERY: ClassVar[float] = 1.0

    class DeleteRequested(Message):
        """The trader asked to delete ``rule`` (the app removes it and saves the config)."""

        def __init__(self, rule: AlertRule) -> None:
            super().__init__()
            self.rule = rule

    class RearmRequested(Message):
        """The trader asked to arm the fired ``rule`` again."""

        def __init__(self, rule: AlertRule) -> None:
            super().__init__()
            self.rule = rule

    class AddRequested(Message):
        """The trader asked to add a rule (the app opens the add form)."""

    def __init__(self, view: AlertsView, *, today: Callable[[], date] = local_today) -> None:
        super().__init__()
        self.view = view
        self.today = today  # a snapshot test fixes the day
        self.rules_table = LiveTable(RULE_COLUMNS, id="alerts-rules")
        self.empty_line = Static(EMPTY_TEXT, id="alerts-empty")
        self.history_list = Static("", id="alerts-history-list")
        self.history_box = VerticalScroll(self.history_list, id="alerts-history")
        #: what is on screen: the rows by rule id, and the history (oldest first, as read)
        self.rows: dict[str, RuleRow] = {}
        self.shown_history: list[Notification] | None = None
        self.repaints = 0  # times something on screen changed (the tests count them)
        self.started = False  # mounted: there is something to paint
        self._shown_for: tuple[int, date] | None = None  # (palette version, day) painted for

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Alerts"
            box.border_subtitle = ("d deletes · r re-arms · n adds · "
                                   "tab to the history · escape closes")
            yield Static("Rules", classes="alerts-heading")
            yield self.rules_table
            yield self.empty_line
            yield Static("Notifications, newest first", id="alerts-history-heading",
                         classes="alerts-heading")
            yield self.history_box

    def on_mount(self) -> None:
        self.started = True
        self.refresh_from_view()
        self.rules_table.focus()
        self.set_interval(self.REFRESH_EVERY, self.refresh_from_view, name="alerts-refresh")

    # -- reading the view ------------------------------------------------------------------------

    def refresh_from_view(self) -> None:
        """Read the rules and the history again and repaint what changed (nothing, mostly).
        Before the screen is mounted there is nothing to paint: mounting reads the view."""
        if not self.started:
            return
        today = self.today()
        stamp = (self.palette_reader.version, today)
        everything = stamp != self._shown_for  # new colours, or "today" moved on
        self._shown_for = stamp
        self._show_rules(self.view.rule_rows(), everything, today)
        self._show_history(self.view.history(), everything, today)

    def _show_rules(self, rows: Sequence[RuleRow], everything: bool, today: date) -> None:
        wanted = {row.rule.id: row for row in rows}
        if wanted == self.rows and not everything and list(wanted) == list(self.rows):
            return
        old = self.rows
        changes = Changes(
            dirty={key for key, row in wanted.items() if everything or old.get(key) != row},
            removed=set(old) - set(wanted))
        self.rows = wanted
        palette = self.palette

        def render(key: str) -> Cells:
            return self._rule_cells(wanted[key], palette, today)

        table = self.rules_table
        table.sync(changes, wanted.__contains__, render)
        order = {key: index for index, key in enumerate(wanted)}
        table.sort_rows(order.__getitem__)  # the config's order
        table.set_class(not wanted, "-empty")
        self.empty_line.set_class(not wanted, "-shown")
        self.repaints += 1

    @staticmethod
    def _rule_cells(row: RuleRow, palette: Palette, today: date) -> Cells:
        rule = row.rule
        if row.unwatched:
            style = palette.warning
        elif row.state.status is RuleStatus.FIRED:
            style = palette.text + Style(bold=True)
        else:
            style = palette.success
        return (Text(rule.symbol, style=palette.text + Style(bold=True)),
                Text(rule.condition_text(), style=palette.text),
                Text(state_text(row, today), style=style))

    def _show_history(self, history: list[Notification], everything: bool,
                      today: date) -> None:
        if history == self.shown_history and not everything:
            return
        self.shown_history = list(history)
        palette = self.palette
        if not history:
            self.history_list.update(Text("Nothing yet: alerts that fire, fills, rejections, "
                                          "cancels and lost streams are listed here.",
                                          style=palette.muted))
            self.repaints += 1
            return
        tones = {NotificationKind.ALERT: palette.warning + Style(bold=True),
                 NotificationKind.FILL: palette.success,
                 NotificationKind.REJECT: palette.error,
                 NotificationKind.CANCEL: palette.muted,
                 NotificationKind.STREAM: palette.error}
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        for note in reversed(history):
            table.add_row(Text(local_time_text(note.time, today), style=palette.muted),
                          Text(note.kind.value, style=tones.get(note.kind, palette.text)),
                          Text(note.text, style=palette.text))
        self.history_list.update(table)
        self.repaints += 1

    # -- what the trader asks ----------------------------------------------------------------------

    def highlighted_rule(self) -> AlertRule | None:
        """The rule under the cursor of the rules list (None when there are none)."""
        key = self.rules_table.cursor_row_key()
        row = self.rows.get(key) if key is not None else None
        return row.rule if row is not None else None

    def action_delete_rule(self) -> None:
        rule = self.highlighted_rule()
        if rule is None:
            self.notify("There is no rule to delete.", severity="warning")
            return
        self.post_message(self.DeleteRequested(rule))

    def action_rearm_rule(self) -> None:
        rule = self.highlighted_rule()
        if rule is None:
            self.notify("There is no rule to re-arm.", severity="warning")
            return
        if self.rows[rule.id].state.status is RuleStatus.ARMED:
            self.notify(f"{rule.describe()} is already armed.")
            return
        self.post_message(self.RearmRequested(rule))

    def action_add_rule(self) -> None:
        self.post_message(self.AddRequested())

    def action_close_alerts(self) -> None:
        self.dismiss(None)


__all__ = ["AlertsScreen", "local_time_text", "local_today", "state_text"]
