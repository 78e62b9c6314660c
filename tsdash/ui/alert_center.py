"""The dashboard's alerts: the rule book fed from the quote streams, the alerts' own stream,
and every notification delivered (toast, bell, desktop, journal). The app owns one
:class:`AlertCenter`; panels send it what happened as messages, through the app.

Quotes reach the rules from the alerts' stream (every rule symbol) or, for a symbol that stream
does not bring (not open yet, refused at the stream limit, down), from the watchlist's (the
quotes panel passes each message on), so a rule on the watchlist shown is watched even when the
stream limit leaves no room for the alerts' stream. One source per symbol: two streams replay
the same ticks a moment apart, and taking both would see every crossing twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tsdash import locations
from tsdash.alerts.delivery import SESSION_HISTORY, Delivery
from tsdash.alerts.desktop import DesktopRoute
from tsdash.alerts.feed import AlertFeed, FeedState
from tsdash.alerts.notifications import SEVERITY, Journal, Notification, NotificationKind
from tsdash.alerts.rules import AlertRule
from tsdash.alerts.state import RuleStates
from tsdash.alerts.watch import AlertWatcher
from tsdash.ui.alerting import RuleRow

if TYPE_CHECKING:
    from textual.driver import Driver

    from tsdash.ui.app import TsdashApp

log = logging.getLogger(__name__)

#: notifications from earlier sessions read for the alerts screen
JOURNAL_SHOWN = 100

#: seconds the alerts' stream waits for the panels' streams to open before it opens anyway
PANELS_FIRST_WAIT = 15.0
#: seconds lost streams are gathered into one notification (an outage loses them all at once)
LOSS_GATHER_S = 1.0
#: a notify-send that has not finished by then is left to itself
NOTIFY_SEND_TIMEOUT = 10.0


@dataclass(frozen=True)
class LostStream:
    """A stream that was live and is lost: a panel's (``key``, ``title``) or the alerts'."""

    key: str
    title: str
    symbol: str
    reason: str
    state: str


def lost_streams_notification(lost: Sequence[LostStream]) -> Notification:
    """One notification for the streams lost together."""
    if len(lost) == 1:
        (one,) = lost
        return Notification(NotificationKind.STREAM, one.symbol,
                            f"{one.title} stream lost: {one.reason}",
                            details={"panel": one.key, "state": one.state})
    names = ", ".join(one.title for one in lost)
    return Notification(NotificationKind.STREAM, "",
                        f"{len(lost)} streams lost ({names}): {lost[0].reason}",
                        details={"panels": [one.key for one in lost],
                                 "reasons": {one.key: one.reason for one in lost}})


class AlertCenter:
    """Rules, their stream, and delivery, for one dashboard (see module doc)."""

    def __init__(self, app: TsdashApp) -> None:
        self.app = app
        settings = app.settings
        self.watcher = AlertWatcher(settings.alerts, RuleStates(locations.alert_state_file()))
        self.feed = AlertFeed(self.quote, self._feed_lost)
        self.journal = Journal(locations.alerts_journal_file())
        self.delivery = Delivery(lambda: app.settings.notifications, self.journal, self,
                                 os.environ)
        #: the terminal's driver, once running in one (None headless: no escape sequences)
        self.terminal: Driver | None = None
        #: notifications of earlier sessions, read from the journal at start
        self.earlier: list[Notification] = []
        self._told_unwatched: frozenset[str] = frozenset()
        #: how many rules no quotes reach, counted once a second (the status bar shows it)
        self.unwatched_count = 0
        self._told_errors: set[str] = set()
        self._lost: list[LostStream] = []  # gathered for LOSS_GATHER_S, then told as one

    # -- starting and stopping ------------------------------------------------------------------

    def start(self) -> None:
        """On mount: the journal's latest lines for the alerts screen (read off the loop)."""
        async def read() -> None:
            self.earlier = await asyncio.to_thread(self.journal.latest, JOURNAL_SHOWN)

        self.app.run_worker(read(), name="alerts-journal", group="alerts", exit_on_error=False)
        route = self.delivery.route
        log.info("desktop notifications: %s (%s)", route.route, route.why)
        if self.app.settings.notifications.desktop and route.route is DesktopRoute.NONE:
            self.app.notify(f"No desktop notifications here: {route.why}. Toasts, the bell "
                            "and the journal go on.", title="Notifications", severity="warning",
                            timeout=12, markup=False)

    def connected(self) -> None:
        """The client is up (again): stream the rules' symbols once the panels have their
        streams, so that at the stream limit the alerts' stream is the one refused."""
        async def after_the_panels() -> None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + PANELS_FIRST_WAIT
            while loop.time() < deadline and not all(
                    panel.sub is not None or panel.error for panel in self.app.panels.values()):
                await asyncio.sleep(0.05)
            self.rewatch()

        self.app.run_worker(after_the_panels(), name="alerts-after-panels", group="alerts",
                            exit_on_error=False)

    def rewatch(self) -> None:
        client = self.app.client
        if client is None or self.app.shutting_down:
            return
        self.app.run_worker(self.feed.watch(client, self.watcher.symbols), name="alerts-feed",
                            group="alerts-feed", exit_on_error=False)

    def reconnect(self) -> None:
        if self.feed.state is FeedState.REFUSED:
            self.rewatch()  # a slot may be free now
        else:
            self.app.run_worker(self.feed.reconnect(), name="alerts-feed-reconnect",
                                group="alerts-feed", exit_on_error=False)

    async def close(self) -> None:
        await self.feed.close()

    # -- quotes in, notifications out ----------------------------------------------------------

    def quote(self, message: Mapping[str, Any]) -> None:
        """Every quote message of the alerts' stream."""
        for notification in self.watcher.on_quote(message):
            self.tell(notification)

    def watchlist_quote(self, message: Mapping[str, Any]) -> None:
        """Every quote message of the watchlist's stream (the hot path: most symbols have no
        rule): taken for a symbol a rule watches that the alerts' stream does not bring."""
        symbol = message.get("Symbol")
        if (isinstance(symbol, str) and self.watcher.watches(symbol)
                and not self.feed.carries(symbol)):
            self.quote(message)

    def tell(self, notification: Notification) -> bool:
        """Deliver one notification (an alert, an order event, a lost stream); whether it was
        (``[notifications] events`` may leave its kind out)."""
        if self.app.shutting_down:
            return False
        delivered = self.delivery.deliver(notification)
        self._say_once(self.delivery.journal_error)
        return delivered

    def stream_lost(self, lost: LostStream) -> None:
        """A stream was lost: told with the others lost within LOSS_GATHER_S, as one."""
        if not self._lost:
            self.app.set_timer(LOSS_GATHER_S, self._tell_lost, name="streams-lost")
        self._lost.append(lost)

    def _tell_lost(self) -> None:
        lost, self._lost = self._lost, []
        if lost:
            self.tell(lost_streams_notification(lost))

    def _feed_lost(self, reason: str) -> None:
        self.stream_lost(LostStream("alerts", "Alerts", "", reason, self.feed.state.value))

    def _say_once(self, error: str | None) -> None:
        """A file that cannot be written (the journal, the rule states): said once."""
        if error is not None and error not in self._told_errors:
            self._told_errors.add(error)
            self.app.notify(error, title="Alerts", severity="warning", timeout=15,
                            markup=False)

    # -- rules ------------------------------------------------------------------------------------

    @property
    def rules(self) -> list[AlertRule]:
        return self.watcher.rules

    def set_rules(self, rules: Iterable[AlertRule]) -> None:
        """The rules from now on; the alerts' stream follows their symbols."""
        wanted = list(rules)
        if wanted == self.watcher.rules:
            return
        before = self.watcher.symbols
        self.watcher.set_rules(wanted)
        if self.watcher.symbols != before:
            self.rewatch()

    def rearm(self, rule: AlertRule) -> None:
        self.watcher.rearm(rule)

    def last_price(self, symbol: str) -> str | None:
        """``symbol``'s last price as a quote stream sent it (the watchlist's, else the
        alerts'), for the alert form; None before any quote."""
        quotes = self.app.quotes_panel
        last = quotes.model.get(symbol).get("Last") if quotes is not None else None
        if last is None:
            last = self.watcher.quotes.get(symbol, {}).get("Last")
        return None if last is None else str(last)

    # -- what the alerts screen and the status bar read ----------------------------------------

    def why_unwatched(self, rule: AlertRule) -> str | None:
        """Why no quotes reach ``rule``, None while they do (or the stream is coming up)."""
        if self.app.connection is None:
            return None
        why = self.feed.why_unwatched(rule.symbol)
        if why is None:
            return None
        quotes = self.app.quotes_panel
        if (quotes is not None and quotes.is_live and rule.symbol in quotes.model.quotes
                and rule.symbol not in quotes.model.errors):
            return None  # the watchlist on screen brings its quotes
        return why

    def rule_rows(self) -> list[RuleRow]:
        return [RuleRow(rule, self.watcher.state(rule), self.why_unwatched(rule))
                for rule in self.watcher.rules]

    def unwatched(self) -> list[RuleRow]:
        return [row for row in self.rule_rows() if row.unwatched is not None]

    def history(self) -> list[Notification]:
        """The journal's lines read at start, then this session's (a line written while the
        journal was being read is not shown twice)."""
        earlier = {(n.time, n.text) for n in self.earlier}
        session = [n for n in self.delivery.history if (n.time, n.text) not in earlier]
        return [*self.earlier, *session][-SESSION_HISTORY:]

    def check_unwatched(self) -> None:
        """Once a second: count the rules not watched (the status bar shows it), and say once
        which ones stopped being watched, and a rule state file that cannot be written."""
        self._say_once(self.watcher.save_error)
        rows = self.unwatched()
        self.unwatched_count = len(rows)
        ids = frozenset(row.rule.id for row in rows)
        new = ids - self._told_unwatched
        self._told_unwatched = ids
        if new and rows:
            first = next(row for row in rows if row.rule.id in new)
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            self.app.notify(f"{first.rule.describe()}{more}: {first.unwatched}. The alerts "
                            "screen shows the rules.", title="Alerts not watched",
                            severity="warning", timeout=12, markup=False)

    # -- the outlets (tsdash.alerts.delivery.Outlets) ------------------------------------------

    def toast(self, notification: Notification) -> None:
        self.app.notify(notification.text, title=notification.title,
                        severity=SEVERITY[notification.kind],
                        timeout=12 if notification.kind is NotificationKind.ALERT else 8,
                        markup=False)

    def bell(self) -> None:
        self.app.bell()

    def write_terminal(self, data: str) -> bool:
        terminal = self.terminal
        if terminal is None:
            return False
        terminal.write(data)
        terminal.flush()
        return True

    def run_command(self, argv: list[str]) -> None:
        async def run() -> None:
            try:
                process = await asyncio.create_subprocess_exec(
                    *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL)
            except OSError as exc:
                log.warning("%s not run: %s", argv[0], exc)
                return
            try:
                await asyncio.wait_for(process.wait(), NOTIFY_SEND_TIMEOUT)
            except asyncio.TimeoutError:
                log.warning("%s did not finish in %g s", argv[0], NOTIFY_SEND_TIMEOUT)

        self.app.run_worker(run(), name="notify-send", group="alerts", exit_on_error=False)
