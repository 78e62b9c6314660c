"""Each notification delivered as ``[notifications]`` says: the journal line, the toast, the
bell, the desktop notification. The dashboard provides the outlets (:class:`Outlets`); this
module decides which ones each notification takes, so the rules are tested without a screen.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from tsdash.alerts.desktop import (
    DesktopRoute,
    Route,
    desktop_route,
    notify_send_command,
    osc_sequence,
)
from tsdash.alerts.notifications import Journal, Notification

log = logging.getLogger(__name__)

#: notifications kept in memory for the alerts screen (the journal keeps them all)
SESSION_HISTORY = 200


class NotifyOptions(Protocol):
    """``[notifications]`` as delivery reads it."""

    @property
    def bell(self) -> bool: ...

    @property
    def desktop(self) -> bool: ...

    @property
    def events(self) -> Sequence[str]: ...


class Outlets(Protocol):
    """Where a notification can go, provided by the dashboard."""

    def toast(self, notification: Notification) -> None:
        """Show it on screen (it fades; the alerts screen keeps it)."""

    def bell(self) -> None:
        """Ring the terminal's bell."""

    def write_terminal(self, data: str) -> bool:
        """Write an escape sequence to the terminal; False when there is no terminal to take it
        (a headless run)."""

    def run_command(self, argv: list[str]) -> None:
        """Start a command and leave it (notify-send); its failure is the outlet's to log."""


class Delivery:
    """Delivers notifications; :attr:`history` is what was delivered this session."""

    def __init__(self, options: Callable[[], NotifyOptions], journal: Journal, outlets: Outlets,
                 env: Mapping[str, str]) -> None:
        self.options = options  # read at each notification: an edited config applies at once
        self.journal = journal
        self.outlets = outlets
        self.route: Route = desktop_route(env)
        self.history: deque[Notification] = deque(maxlen=SESSION_HISTORY)
        #: why the last journal write failed (shown once), None while it works
        self.journal_error: str | None = None

    def deliver(self, notification: Notification) -> bool:
        """Deliver ``notification`` if its kind is one of ``events``; whether it was."""
        options = self.options()
        if notification.kind.value not in options.events:
            return False
        self.history.append(notification)
        self._journal(notification)
        self.outlets.toast(notification)
        if options.bell:
            self.outlets.bell()
        if options.desktop:
            self._desktop(notification)
        return True

    def _journal(self, notification: Notification) -> None:
        try:
            self.journal.append(notification)
        except OSError as exc:
            first = self.journal_error is None
            self.journal_error = f"notifications not written to {self.journal.path}: {exc}"
            if first:
                log.warning("%s", self.journal_error)
        else:
            self.journal_error = None

    def _desktop(self, notification: Notification) -> None:
        route = self.route.route
        title, body = f"tsdash: {notification.title}", notification.text
        if route in (DesktopRoute.OSC777, DesktopRoute.OSC9):
            if self.outlets.write_terminal(osc_sequence(route, title, body)):
                return
            log.info("no terminal to write the desktop notification to")
        elif route is DesktopRoute.NOTIFY_SEND:
            self.outlets.run_command(notify_send_command(title, body))
