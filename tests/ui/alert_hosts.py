"""A small app that opens one alert screen, with the dashboard's themes (the alerts screen paints
with the palette's theme variables), and a fake AlertsView whose rows and history a test sets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from textual.app import App
from textual.notifications import SeverityLevel
from textual.message import Message
from textual.screen import Screen

from tsdash.alerts.notifications import Notification
from tsdash.ui.alerting import RuleRow
from tsdash.ui.screens.alerts import AlertsScreen
from tsdash.ui.themes import derived_variables, load_themes


def iso_utc(stamp: datetime) -> str:
    """A time as the journal and the rule states write it: UTC ISO with a Z."""
    return stamp.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


class FakeAlertsView:
    """An AlertsView whose answers are plain lists the test changes."""

    def __init__(self, rows: list[RuleRow], history: list[Notification]) -> None:
        self.rows = rows
        self.notes = history
        self.reads = 0

    def rule_rows(self) -> list[RuleRow]:
        self.reads += 1
        return list(self.rows)

    def history(self) -> list[Notification]:
        return list(self.notes)


class ScreenHost(App[None]):
    """Pushes the screen ``make_screen`` builds (inside the running app, as the dashboard does)
    on start; keeps what it was dismissed with and the messages that reached the app."""

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        for theme in load_themes().themes.values():
            self.register_theme(theme)
        self.theme = "tsdash-dark"
        self.make_screen = make_screen
        self.opened: Screen | None = None
        self.results: list[object] = []
        self.messages: list[Message] = []
        self.toasts: list[str] = []  # what notify() was asked to show

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        return {**derived_variables(variables), **variables}

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        self.toasts.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        self.opened = self.make_screen()
        self.push_screen(self.opened, self.results.append)

    # the alerts screen's requests, by the handler names the dashboard gives them
    def on_alerts_screen_delete_requested(self, message: AlertsScreen.DeleteRequested) -> None:
        self.messages.append(message)

    def on_alerts_screen_rearm_requested(self, message: AlertsScreen.RearmRequested) -> None:
        self.messages.append(message)

    def on_alerts_screen_add_requested(self, message: AlertsScreen.AddRequested) -> None:
        self.messages.append(message)
