"""What the alert screens read from the app, without Textual: each rule with its state and
whether it is watched, and the notifications given (the app implements :class:`AlertsView`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tsdash.alerts.notifications import Notification
from tsdash.alerts.rules import AlertRule
from tsdash.alerts.state import RuleState


@dataclass(frozen=True)
class RuleRow:
    """One rule as the alerts screen lists it. ``unwatched``: why no quotes reach the rule
    (the stream limit, a refused symbol, a lost stream), None while they do."""

    rule: AlertRule
    state: RuleState
    unwatched: str | None = None


class AlertsView(Protocol):
    """The app as the alerts screen sees it (method calls down; the screen's requests to
    delete, re-arm or add a rule go up as messages)."""

    def rule_rows(self) -> list[RuleRow]:
        """Every rule, in the config's order."""
        ...

    def history(self) -> list[Notification]:
        """The latest notifications, oldest first (this session's, and the journal's before)."""
        ...
