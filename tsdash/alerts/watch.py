"""When alert rules fire: the rule book fed with quotes, edge by edge.

A rule fires when its condition becomes true, and on the first quote if it already holds; it
arms again only once a quote shows the condition false. Firing is decided on the quote merged
from every message seen for the symbol (TradeStation sends deltas), by whichever stream brought
it: the alerts' own stream, the watchlist's, both. A quote seen twice (a reconnect's snapshot, a
second stream) changes nothing, so nothing fires twice; the states are saved as they change,
so a restart does not fire again either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tsdash.alerts.notifications import Notification, NotificationKind, now_text
from tsdash.alerts.rules import AlertRule, Condition
from tsdash.alerts.state import RuleState, RuleStates

log = logging.getLogger(__name__)


def value_text(rule: AlertRule, quote: Mapping[str, Any], value: float) -> str:
    """What fired ``rule``: "last 231.20" (the price as sent), "change -1.28%", "volume
    1,250,000"."""
    if rule.condition in (Condition.ABOVE, Condition.BELOW):
        return f"last {quote.get('Last', value)}"
    if rule.condition is Condition.VOLUME_ABOVE:
        return f"volume {value:,.0f}"
    return f"change {value:+.2f}%"


def threshold_like(rule: AlertRule, quote: Mapping[str, Any]) -> str:
    """The rule's threshold, a price written with as many decimals as the last price the
    quote shows ("at or above 219.70" beside "last 219.78")."""
    last = quote.get("Last")
    if rule.condition in (Condition.ABOVE, Condition.BELOW) and isinstance(last, str) \
            and "." in last and last.replace(".", "", 1).lstrip("-").isdigit():
        decimals = len(last) - last.index(".") - 1
        way = rule.threshold_text().rsplit(" ", 1)[0]
        return f"{way} {rule.level:.{max(decimals, 0)}f}"
    return rule.threshold_text()


class AlertWatcher:
    """The rules, each one's state, and the latest quote of each symbol they watch.

    ``on_quote`` is called with every quote message of a watched symbol and returns the
    notifications of the rules it fired. States are written to ``store`` when they change; a
    failed write is logged and kept in :attr:`save_error` (the states in memory still hold).
    """

    def __init__(self, rules: Iterable[AlertRule], store: RuleStates | None = None, *,
                 clock: Callable[[], str] = now_text) -> None:
        self.store = store
        self.clock = clock
        self.states: dict[str, RuleState] = store.load() if store is not None else {}
        self.quotes: dict[str, dict[str, Any]] = {}
        self.save_error: str | None = None
        self._by_symbol: dict[str, list[AlertRule]] = {}
        self._rules: list[AlertRule] = []
        self.set_rules(rules)

    # -- the rule book -------------------------------------------------------------------------

    @property
    def rules(self) -> list[AlertRule]:
        return list(self._rules)

    @property
    def symbols(self) -> list[str]:
        """The symbols the rules watch, in the rules' order."""
        return list(self._by_symbol)

    def set_rules(self, rules: Iterable[AlertRule]) -> None:
        """The rules from now on (added or deleted in the app, or edited in the file). A rule
        kept keeps its state; the state of a rule gone is forgotten (and the file rewritten),
        so a rule deleted and set again starts armed."""
        self._rules = list(dict.fromkeys(rules))
        by_symbol: dict[str, list[AlertRule]] = {}
        for rule in self._rules:
            by_symbol.setdefault(rule.symbol, []).append(rule)
        self._by_symbol = by_symbol
        self.quotes = {s: q for s, q in self.quotes.items() if s in by_symbol}
        kept = {rule.id for rule in self._rules}
        if any(rule_id not in kept for rule_id in self.states):
            self.states = {k: v for k, v in self.states.items() if k in kept}
            self._save()

    def watches(self, symbol: str) -> bool:
        """Whether a rule watches ``symbol``."""
        return symbol in self._by_symbol

    def state(self, rule: AlertRule) -> RuleState:
        return self.states.get(rule.id, RuleState())

    def rearm(self, rule: AlertRule) -> None:
        """Arm ``rule`` again now (the alerts screen): it fires at the next quote that meets
        its condition, even one that already did."""
        state = self.state(rule)
        if not state.armed:
            self._set(rule, RuleState(True, state.fired_at, state.fired_value))

    # -- quotes in, notifications out ---------------------------------------------------------

    def on_quote(self, message: Mapping[str, Any]) -> list[Notification]:
        """Merge one quote message; the notifications of the rules it fired (often none)."""
        symbol = message.get("Symbol")
        rules = self._by_symbol.get(symbol) if isinstance(symbol, str) else None
        if not rules:
            return []
        quote = self.quotes.setdefault(symbol, {})  # type: ignore[arg-type]
        quote.update(message)
        fired: list[Notification] = []
        for rule in rules:
            value = rule.value(quote)
            if value is None:
                continue
            state = self.state(rule)
            holds = rule.holds_for(value)
            if holds and state.armed:
                at = self.clock()
                self._set(rule, RuleState(False, at, value))
                fired.append(self._notification(rule, quote, value, at))
            elif not holds and not state.armed:
                self._set(rule, RuleState(True, state.fired_at, state.fired_value))
        return fired

    def _notification(self, rule: AlertRule, quote: Mapping[str, Any], value: float,
                      at: str) -> Notification:
        shown = value_text(rule, quote, value)
        return Notification(
            NotificationKind.ALERT, rule.symbol,
            f"{rule.symbol} {shown}, {threshold_like(rule, quote)}", at,
            {"rule": rule.id, "condition": rule.condition.value, "level": rule.level,
             "value": value})

    def _set(self, rule: AlertRule, state: RuleState) -> None:
        self.states[rule.id] = state
        self._save()

    def _save(self) -> None:
        if self.store is None:
            return
        try:
            self.store.save(self.states, self._rules)
            self.save_error = None
        except OSError as exc:
            self.save_error = f"alert states not saved to {self.store.path}: {exc}"
            log.warning("%s", self.save_error)
