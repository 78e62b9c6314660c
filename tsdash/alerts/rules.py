"""Alert rules: one symbol, one condition on its quote, one level (design.md, "Alerts and
notifications").

A rule *holds* when its quote meets the condition (at or above, at or below: a level touched
counts); whether it fires is :mod:`tsdash.alerts.watch`'s business. Rules are checked here
once, for the config file and for the form in the app alike, so both refuse the same input with
the same words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Condition(StrEnum):
    """What a rule watches; each value is the config key that names it."""

    ABOVE = "above"
    BELOW = "below"
    CHANGE_PCT_ABOVE = "change_pct_above"
    CHANGE_PCT_BELOW = "change_pct_below"
    VOLUME_ABOVE = "volume_above"


#: the quote value each condition reads, as a person calls it
MEASURE = {
    Condition.ABOVE: "last",
    Condition.BELOW: "last",
    Condition.CHANGE_PCT_ABOVE: "change %",
    Condition.CHANGE_PCT_BELOW: "change %",
    Condition.VOLUME_ABOVE: "volume",
}
RISING = frozenset({Condition.ABOVE, Condition.CHANGE_PCT_ABOVE, Condition.VOLUME_ABOVE})

#: what each condition asks of its level, for messages
LEVEL_EXPECTED = {
    Condition.ABOVE: "a price (a number)",
    Condition.BELOW: "a price (a number)",
    Condition.CHANGE_PCT_ABOVE: "a change in percent (a number, e.g. 2.5 or -1)",
    Condition.CHANGE_PCT_BELOW: "a change in percent (a number, e.g. -2.5)",
    Condition.VOLUME_ABOVE: "a volume (a number greater than 0)",
}


class RuleError(ValueError):
    """A rule that cannot be made; ``field`` is the key at fault ("symbol", "above", ...), or
    "condition" when there is not exactly one."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def level_text(level: float) -> str:
    """A level as a person wrote it: 230.0 -> "230", 0.25 -> "0.25", 1e6 -> "1000000"."""
    if level == int(level) and abs(level) < 1e15:
        return str(int(level))
    return format(Decimal(repr(level)).normalize(), "f")


@dataclass(frozen=True)
class AlertRule:
    """One alert: ``symbol``'s ``condition`` against ``level``. Its :attr:`id` names it in the
    saved state, so a rule keeps its state across restarts while it is unchanged."""

    symbol: str
    condition: Condition
    level: float

    @property
    def id(self) -> str:
        return f"{self.symbol} {self.condition.value} {level_text(self.level)}"

    @property
    def measure(self) -> str:
        return MEASURE[self.condition]

    def value(self, quote: Mapping[str, Any]) -> float | None:
        """The number this rule compares, read from a (merged) quote; None if it has none."""
        if self.condition in (Condition.ABOVE, Condition.BELOW):
            return quote_number(quote.get("Last"))
        if self.condition is Condition.VOLUME_ABOVE:
            return quote_number(quote.get("Volume"))
        return change_percent(quote)

    def holds_for(self, value: float) -> bool:
        if self.condition in RISING:
            return value >= self.level
        return value <= self.level

    def holds(self, quote: Mapping[str, Any]) -> bool | None:
        """Whether the quote meets the condition; None when the quote lacks the value."""
        value = self.value(quote)
        return None if value is None else self.holds_for(value)

    def describe(self) -> str:
        """"AAPL last at or above 230" (the alerts screen, ``tsdash alerts list``)."""
        return f"{self.symbol} {self.condition_text()}"

    def condition_text(self) -> str:
        """"last at or above 230"."""
        return f"{self.measure} {self.threshold_text()}"

    def threshold_text(self) -> str:
        """"at or above 230", "at or below -2.5%"."""
        way = "at or above" if self.condition in RISING else "at or below"
        unit = "%" if self.measure == "change %" else ""
        return f"{way} {level_text(self.level)}{unit}"

    def rearm_text(self) -> str:
        """When a fired rule arms again: its condition false once more."""
        way = "below" if self.condition in RISING else "above"
        unit = "%" if self.measure == "change %" else ""
        return f"when {self.measure} is {way} {level_text(self.level)}{unit}"

    def to_table(self) -> dict[str, Any]:
        """The rule as one ``[[alerts]]`` table of the config file."""
        return {"symbol": self.symbol, self.condition.value: self.level}


def quote_number(value: object) -> float | None:
    """A quote field as a number (TradeStation sends strings); None if absent or not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def change_percent(quote: Mapping[str, Any]) -> float | None:
    """Net change in percent, from NetChange and Last, else PreviousClose (NetChangePct's unit
    is documented two ways, so it is not read)."""
    change = quote_number(quote.get("NetChange"))
    last = quote_number(quote.get("Last"))
    if change is not None and last is not None:
        base = last - change
        if base:
            return change / base * 100.0
    prev = quote_number(quote.get("PreviousClose"))
    if last is not None and prev:
        return (last - prev) / prev * 100.0
    return None


def parse_level(condition: Condition, value: object) -> float:
    """``value`` (a number from the file, or text typed in the app) as the level of
    ``condition``; :class:`RuleError` naming the condition if it is not one."""
    expected = LEVEL_EXPECTED[condition]
    if isinstance(value, bool) or value is None:
        raise RuleError(condition.value, f"{condition.value} must be {expected}")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(Decimal(text))
        except (InvalidOperation, ValueError):
            raise RuleError(condition.value,
                            f"{condition.value} must be {expected}, not {value.strip()!r}"
                            if value.strip() else
                            f"{condition.value} must be {expected}; nothing was typed") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise RuleError(condition.value, f"{condition.value} must be {expected}")
    if not math.isfinite(number):
        raise RuleError(condition.value, f"{condition.value} must be {expected}, not {value!r}")
    if condition is Condition.VOLUME_ABOVE and number <= 0:
        raise RuleError(condition.value,
                        f"{condition.value} must be {expected}, not {level_text(number)}")
    return number


def make_rule(symbol: object, condition: Condition | str, level: object) -> AlertRule:
    """A checked rule. ``symbol`` is upper-cased and stripped, then checked as every symbol in
    the config is; :class:`RuleError` says what is wrong."""
    from tsdash.config import validate_symbol  # config imports this module: not at the top

    if not isinstance(symbol, str) or not symbol.strip():
        raise RuleError("symbol", "symbol must be a ticker symbol, e.g. \"AAPL\"")
    cleaned = symbol.strip().upper()
    problem = validate_symbol(cleaned)
    if problem:
        raise RuleError("symbol", f"symbol {symbol.strip()!r}: {problem}")
    try:
        chosen = Condition(condition)
    except ValueError:
        raise RuleError("condition", f"unknown condition {condition!r}; one of "
                        + ", ".join(c.value for c in Condition)) from None
    return AlertRule(cleaned, chosen, parse_level(chosen, level))


def rule_from_table(table: Mapping[str, Any]) -> AlertRule:
    """One ``[[alerts]]`` table as a rule: a symbol and exactly one condition key.
    :class:`RuleError` names the key at fault (an unknown key is the config's to report)."""
    named = [c for c in Condition if c.value in table]
    if not named:
        raise RuleError("condition", "an alert needs one condition: "
                        + ", ".join(c.value for c in Condition))
    if len(named) > 1:
        both = " and ".join(c.value for c in named)
        raise RuleError(named[1].value, f"an alert has exactly one condition, this one has "
                        f"{both}: make it two [[alerts]] entries")
    if "symbol" not in table:
        raise RuleError("symbol", "an alert needs a symbol, e.g. symbol = \"AAPL\"")
    condition = named[0]
    value = table[condition.value]
    if isinstance(value, str):  # the file takes numbers, not text that looks like one
        raise RuleError(condition.value, f"{condition.value} must be {LEVEL_EXPECTED[condition]}"
                        f" written without quotes, not {value!r}")
    return make_rule(table["symbol"], condition, value)
