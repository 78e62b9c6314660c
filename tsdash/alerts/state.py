"""Where each alert rule stands, kept between runs (``alerts-state.json`` in the state folder),
so a rule that fired is not fired again by a restart while its condition still holds.

The file is small and written atomically each time a rule fires or arms again. A damaged or
missing file is read as "every rule armed": a rule may then fire once more, but nothing is lost
and nothing fails. A rule that fired on an earlier trading day is read as armed: today's move is
news (the dashboard and ``tsdash alerts list`` both read it so).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from tsdash import locations
from tsdash.alerts.notifications import parse_time
from tsdash.alerts.rules import AlertRule
from tsdash.exchange_calendar import exchange_date

log = logging.getLogger(__name__)


class RuleStatus(StrEnum):
    """A rule's state as the alerts screen and ``tsdash alerts list`` show it."""

    ARMED = "armed"  # fires when its condition is (or becomes) true
    FIRED = "fired"  # fired; arms again once its condition is false


@dataclass(frozen=True)
class RuleState:
    """One rule's state: armed or not, and when it last fired (ISO time) at what value."""

    armed: bool = True
    fired_at: str | None = None
    fired_value: float | None = None

    @property
    def status(self) -> RuleStatus:
        return RuleStatus.ARMED if self.armed else RuleStatus.FIRED

    def on(self, today: date) -> RuleState:
        """This state on trading day ``today``: fired on an earlier day, armed again (the last
        firing kept, to show); else as it is."""
        fired = parse_time(self.fired_at) if not self.armed else None
        if fired is not None and exchange_date(fired) < today:
            return RuleState(True, self.fired_at, self.fired_value)
        return self

    def to_json(self) -> dict[str, object]:
        return {"armed": self.armed, "fired_at": self.fired_at, "fired_value": self.fired_value}

    @classmethod
    def from_json(cls, data: object) -> RuleState:
        if not isinstance(data, Mapping):
            raise ValueError("not an object")
        armed, fired_at, value = data.get("armed"), data.get("fired_at"), data.get("fired_value")
        if not isinstance(armed, bool) or not (fired_at is None or isinstance(fired_at, str)):
            raise ValueError("armed must be true or false, fired_at a time")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("fired_value must be a number")
        return cls(armed, fired_at, None if value is None else float(value))


class RuleStates:
    """The saved states, by rule id (``AlertRule.id``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else locations.alert_state_file()

    def load(self) -> dict[str, RuleState]:
        """The saved states; {} (every rule armed) if there is no file or it is damaged."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("alert states not read from %s (%s): every rule starts armed",
                        self.path, exc)
            return {}
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, dict):
            log.warning("alert states in %s have no rules table: every rule starts armed",
                        self.path)
            return {}
        out: dict[str, RuleState] = {}
        today = exchange_date()
        for rule_id, entry in rules.items():
            try:
                out[str(rule_id)] = RuleState.from_json(entry).on(today)
            except ValueError as exc:
                log.warning("alert state of %r in %s skipped: %s", rule_id, self.path, exc)
        return out

    def save(self, states: Mapping[str, RuleState], rules: Iterable[AlertRule]) -> None:
        """Write the states of ``rules`` (the others are forgotten); OSError if it cannot."""
        wanted = {rule.id for rule in rules}
        payload = {"rules": {rule_id: state.to_json() for rule_id, state in states.items()
                             if rule_id in wanted}}
        locations.atomic_write(self.path, json.dumps(payload, indent=1, sort_keys=True) + "\n",
                               mode=0o600)
