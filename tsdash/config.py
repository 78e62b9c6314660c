"""Load, validate and write tsdash's TOML config file.

```python
from tsdash.config import Settings, load_settings, ConfigError

settings = load_settings()          # or load_settings("path/to/config.toml")
settings.watchlists["etfs"]
settings.add_symbol("etfs", "XLK"); settings.save_watchlists()
settings.save_theme("tsdash-light")
```

Every key is declared once, as a field of :class:`Settings` (or :class:`BarsSettings`, the
``[bars]`` table) made with ``setting(default, Key(...))``: its type, default, bounds or choices,
the file table it lives in and its help text. Loading checks a file against those declarations,
and ``tsdash init`` writes the commented starting config generated from them
(``config.example.toml`` is a copy, checked by a test; ``python -m tsdash.config`` prints it).
Adding a key is adding a field; the remappable keys of ``[keys]`` are declared in
``tsdash.keymap``. Reading uses the standard library's ``tomllib``; writing uses ``tomli_w`` and
is atomic. Every problem with the file ends in one :class:`ConfigError` whose message names the
file, the key (as a dotted path) or the line, what was expected and what was found.

This module imports only the standard library, platformdirs (through ``tsdash.locations``),
tomli_w and ``tsdash.alerts`` (no Textual): the ``[[alerts]]`` rules are checked by the same code
as the form in the app.
"""

from __future__ import annotations

import copy
import math
import os
import re
import stat
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import tomli_w

from tsdash import locations
from tsdash.alerts.notifications import NotificationKind
from tsdash.alerts.rules import AlertRule, Condition, RuleError, rule_from_table
from tsdash.keymap import (
    ACTIONS,
    CHARACTER_KEY_NAMES,
    DEFAULT_KEYS,
    FIXED_KEYS,
    KEY_ALIASES,
    KEY_EXAMPLES,
    KNOWN_BINDING_IDS,
    NAMED_KEYS,
    canonical_key,
    fixed_keys_text,
    key_problem,
)
from tsdash.settings_schema import (
    ARRAY_OF_TABLES_KINDS,
    Key,
    Kind,
    TABLE_KINDS,
    Place,
    array_of_tables_lines,
    describe_value,
    one_of,
    places,
    render_template,
    setting,
    setting_made,
    table_keys,
    top_level_names,
    validation_order,
)
from tsdash.settings_schema import did_you_mean as _did_you_mean
from tsdash.settings_schema import format_key as _format_key
from tsdash.settings_schema import short_toml as _toml_repr

__all__ = [
    "ALERT_KEYS",
    "BAR_UNITS",
    "DEFAULT_KEYS",
    "DEFAULT_THEME",
    "DEFAULT_WATCHLISTS",
    "ENVIRONMENTS",
    "Environment",
    "NOTIFICATION_EVENTS",
    "KEY_ALIASES",
    "KNOWN_BINDING_IDS",
    "CHARACTER_KEY_NAMES",
    "FIXED_KEYS",
    "MAX_SYMBOL_LENGTH",
    "NAMED_KEYS",
    "AlertEdit",
    "BarsSettings",
    "ConfigError",
    "EditKind",
    "Key",
    "Kind",
    "NotificationSettings",
    "Settings",
    "TradingSettings",
    "WatchlistEdit",
    "apply_alert_edits",
    "apply_watchlist_edits",
    "canonical_key",
    "describe_value",
    "file_key",
    "key_problem",
    "live_reload_settings",
    "refuse_read_only",
    "load_settings",
    "settings_from_document",
    "setting",
    "setting_made",
    "starting_config_text",
    "validate_symbol",
    "write_starting_config",
]

# --------------------------------------------------------------------------------------------
# Defaults and allowed values
# --------------------------------------------------------------------------------------------

class Environment(StrEnum):
    """Where the dashboard connects, as the config's ``environment`` names it."""

    DEMO = "demo"  # the embedded simulator
    SIM = "sim"  # TradeStation's paper-money environment
    LIVE = "live"


ENVIRONMENTS: tuple[str, ...] = tuple(environment.value for environment in Environment)
BAR_UNITS: tuple[str, ...] = ("Minute", "Daily", "Weekly", "Monthly")
DEFAULT_THEME = "tsdash-dark"
DEFAULT_WATCHLISTS: dict[str, list[str]] = {
    "mega-caps": ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO"],
    "etfs": ["SPY", "QQQ", "IWM", "DIA", "TLT", "GLD", "XLF", "XLE"],
}

MAX_INTERVAL_MINUTES = 1440
MAX_BARSBACK = 57600
MAX_STREAMS_LIMIT = 100
MAX_REPAINT_HZ = 30
#: orders_reconcile_s must be greater: TradeStation allows a user a few hundred order reads
#: per 5-minute window, shared with the dashboard's other order reads.
ORDERS_RECONCILE_MIN_S = 5

#: the names ``[notifications] events`` takes, in declaration order (all of them by default)
NOTIFICATION_EVENTS: tuple[str, ...] = tuple(kind.value for kind in NotificationKind)
#: the keys an ``[[alerts]]`` table takes: a symbol and the condition keys
ALERT_KEYS: tuple[str, ...] = ("symbol", *(condition.value for condition in Condition))

#: Our limit on a symbol's length (TradeStation publishes none): its longest symbols, options
#: ("AAPL 261218C230" is 15) and options on futures, stay well under it, and a longer "symbol"
#: is a paste gone wrong that would widen the quotes table.
MAX_SYMBOL_LENGTH = 32
SYMBOL_CHARS_DESCRIPTION = "capital letters A-Z, digits and . / $ ^ - @ #, a space only in options"
#: at least one letter or digit: "." or "$" alone is no symbol
_SYMBOL_RE = re.compile(r"[A-Z0-9./$^\-@#]*[A-Z0-9][A-Z0-9./$^\-@#]*")
#: what follows the one space of an option symbol: expiry YYMMDD, C or P, the strike (a stock
#: or index option, "AAPL 261218C230"), or C or P and the strike after a futures contract
#: ("ESZ26 C6000", TradeStation's futures options)
_OPTION_TAIL_RE = re.compile(r"(?:[0-9]{6})?[CP][0-9]+(?:\.[0-9]+)?")
_DATED_TAIL_RE = re.compile(r"[0-9]{6}[CP][0-9]+(?:\.[0-9]+)?")
#: a futures contract: root, month code, two-digit year ("ESZ26", "@ESZ26")
_CONTRACT_RE = re.compile(r"@?[A-Z0-9]+[FGHJKMNQUVXZ][0-9]{2}")


def _option_symbol(underlying: str, tail: str) -> bool:
    """Whether ``underlying tail`` is an option symbol: a dated one on a stock or index, or a
    strike after a futures contract."""
    if not _SYMBOL_RE.fullmatch(underlying):
        return False
    if _DATED_TAIL_RE.fullmatch(tail):
        return True
    return bool(_OPTION_TAIL_RE.fullmatch(tail) and _CONTRACT_RE.fullmatch(underlying))
_OPTION_EXAMPLE = ('an option symbol (underlying, space, expiry YYMMDD, C or P, strike: '
                   '"AAPL 261218C230"; a futures option: "ESZ26 C6000")')


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class ConfigError(Exception):
    """A problem with the config file (or another setting), in one message a person can act on.

    ``str(error)`` is the whole message; the CLI prints it and exits with status 2.
    ``path`` is the file concerned (if any), ``key`` the dotted key (if any).
    """

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.key = key

    def __str__(self) -> str:
        return self.message


def validate_symbol(symbol: object) -> str | None:
    """None if ``symbol`` is an acceptable symbol, else a short reason it is not."""
    if not isinstance(symbol, str):
        return "a symbol must be a string"
    if not symbol:
        return "a symbol cannot be empty"
    if len(symbol) > MAX_SYMBOL_LENGTH:
        shown = symbol if len(symbol) <= 16 else symbol[:12] + "..."
        return (f'symbol "{shown}" is {len(symbol)} characters long; TradeStation symbols are '
                f"at most {MAX_SYMBOL_LENGTH}")
    if any(ch.isspace() and ch != " " for ch in symbol):
        return "a symbol cannot contain tabs, line breaks or other white space"
    if symbol != symbol.strip(" "):
        return "a symbol cannot start or end with a space"
    if "  " in symbol:
        return ('a symbol cannot contain two spaces in a row (an option symbol has one: '
                '"AAPL 261218C230")')
    if symbol.count(" ") > 1:
        return f"a symbol cannot contain spaces, except the one in {_OPTION_EXAMPLE}"
    if " " in symbol:
        underlying, tail = symbol.split(" ")
        if not _option_symbol(underlying, tail):
            upper = symbol.upper()
            if _option_symbol(*upper.split(" ")):
                return f'symbols are written in capitals: "{upper}"'
            return f"a symbol cannot contain spaces, except the one in {_OPTION_EXAMPLE}"
        return None
    if not _SYMBOL_RE.fullmatch(symbol):
        if _SYMBOL_RE.fullmatch(symbol.upper()):
            return f'symbols are written in capitals: "{symbol.upper()}"'
        if not any(ch.isalnum() for ch in symbol) and all(ch in "./$^-@#" for ch in symbol):
            return "a symbol needs at least one letter or digit"
        return f"a symbol uses only {SYMBOL_CHARS_DESCRIPTION}"
    return None


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass
class BarsSettings:
    """The bar chart panel: ``[bars]`` in the config file."""

    symbol: str = setting("SPY", Key(Kind.SYMBOL, "The symbol charted."))
    #: a string, as TradeStation takes it
    interval: str = setting("1", Key(
        Kind.BAR_INTERVAL, after="unit", high=MAX_INTERVAL_MINUTES,
        help=f'Bar size, as a string: "1" to "{MAX_INTERVAL_MINUTES}" when unit is "Minute"; '
             'must be "1" for the other units.'))
    unit: str = setting("Minute", Key(
        Kind.CHOICE, choices=BAR_UNITS,
        help=", ".join(f'"{unit}"' for unit in BAR_UNITS[:-1]) + f' or "{BAR_UNITS[-1]}".'))
    barsback: int = setting(120, Key(
        Kind.WHOLE, low=1, high=MAX_BARSBACK, unit="bars",
        help=f"How many past bars to load when the chart starts: 1 to {MAX_BARSBACK}."))


@dataclass
class TradingSettings:
    """Order entry: ``[trading]`` in the config file (design.md "Trading")."""

    enabled: bool = setting(False, Key(
        Kind.FLAG,
        help="true: the order keys (buy, sell, close, replace, cancel) work against the "
             'environment set above ("sim" or "live"). false: they only say how to turn them '
             "on. The demo always trades, against its own simulator."))
    max_order_value: float = setting(25000, Key(
        Kind.NUMBER, low=0, unit="dollars",
        help="A ticket whose estimated value (quantity x price x point value, or "
             "TradeStation's estimated cost in the preview) is above this is refused, with the "
             "reason."))
    max_quantity: float = setting(1000, Key(
        Kind.NUMBER, low=0, unit="shares or contracts",
        help="A ticket for more than this many shares, contracts or coins is refused."))


@dataclass
class NotificationSettings:
    """How the dashboard tells the trader: ``[notifications]`` in the config file (design.md
    "Alerts and notifications")."""

    bell: bool = setting(True, Key(
        Kind.FLAG, live_reload=True,
        help="true: the terminal bell rings with each notification."))
    desktop: bool = setting(False, Key(
        Kind.FLAG, live_reload=True,
        help="true: each notification is also a desktop notification, sent to the terminal as "
             "an OSC 777 / OSC 9 escape sequence where the terminal takes them, else with "
             "notify-send."))
    events: list[str] = setting_made(lambda: list(NOTIFICATION_EVENTS), Key(
        Kind.CHOICE_LIST, choices=NOTIFICATION_EVENTS, live_reload=True,
        help="Which events notify (a toast, plus the bell and the desktop notification when "
             "they are on):\n"
             '  "alert"   an alert rule below fired\n'
             '  "fill"    an order filled, in full or in part\n'
             '  "reject"  an order was rejected (with TradeStation\'s reason)\n'
             '  "cancel"  an order was cancelled or expired\n'
             '  "stream"  a panel\'s stream was lost (failed, stalled, disconnected)\n'
             "[] turns them all off."))


class EditKind(StrEnum):
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True)
class WatchlistEdit:
    """One change made to a watchlist in the app; saving applies it to what the file holds at
    that moment, not to the lists read at start-up (the file may have been edited since)."""

    kind: EditKind
    watchlist: str
    symbol: str


def apply_watchlist_edits(watchlists: Mapping[str, list[str]],
                          edits: Iterable[WatchlistEdit]) -> dict[str, list[str]]:
    """``watchlists`` with ``edits`` applied in order, as a new dict (``watchlists`` is kept).

    An edit that no longer fits is skipped: adding a symbol already there, removing one that is
    gone or the last of its list. Adding to a list deleted from the file meanwhile recreates it.
    """
    result = {name: list(symbols) for name, symbols in watchlists.items()}
    for edit in edits:
        symbols = result.get(edit.watchlist)
        if edit.kind is EditKind.ADD:
            if symbols is None:
                result[edit.watchlist] = [edit.symbol]
            elif edit.symbol not in symbols:
                symbols.append(edit.symbol)
        elif symbols is not None and edit.symbol in symbols and len(symbols) > 1:
            symbols.remove(edit.symbol)
    return result


@dataclass(frozen=True)
class AlertEdit:
    """One alert rule added or deleted in the app; saving applies it to the rules the file holds
    at that moment, as :class:`WatchlistEdit` does for watchlists."""

    kind: EditKind
    rule: AlertRule


def apply_alert_edits(rules: Iterable[AlertRule], edits: Iterable[AlertEdit]) -> list[AlertRule]:
    """``rules`` with ``edits`` applied in order, as a new list. A rule is known by its id
    (``AlertRule.id``): adding one already there, or removing one that is gone, is skipped."""
    result = list(rules)
    for edit in edits:
        ids = [rule.id for rule in result]
        if edit.kind is EditKind.ADD:
            if edit.rule.id not in ids:
                result.append(edit.rule)
        elif edit.rule.id in ids:
            del result[ids.index(edit.rule.id)]
    return result


def _default_watchlists() -> dict[str, list[str]]:
    return copy.deepcopy(DEFAULT_WATCHLISTS)


#: the top of the starting config, before the keys
TEMPLATE_HEADER = """\
# tsdash configuration
#
# Where this file lives: `tsdash config path` prints it. By default it is
# ~/.config/tsdash/config.toml on Linux ($XDG_CONFIG_HOME/tsdash/config.toml),
# ~/Library/Application Support/tsdash/config.toml on macOS and
# %LOCALAPPDATA%\\tsdash\\config.toml on Windows. `tsdash --config PATH` or the
# TSDASH_CONFIG environment variable point tsdash at another file.
#
# Every key is optional: a missing key (or a missing file) takes the default
# shown here. A misspelt key, a value of the wrong type or out of range stops
# tsdash with a message naming the key; nothing is silently ignored.
#
# tsdash itself writes to this file when you edit a watchlist, add or delete
# an alert or change the theme in the dashboard. It keeps every setting, but
# NOT these comments: keep a copy if you want them.
"""
#: the comment above a [table] that no one field stands for
TABLE_HELP: dict[str, str] = {
    "streams": "Streaming connections.",
    "ui": "The dashboard.",
}


@dataclass
class Settings:
    """Everything the config file sets, typed, with the defaults used when a key is absent.

    Each field but ``path`` is a key of the file, declared once here: its type, its default,
    and in its :class:`Key` the table it is written in, its bounds or choices and its help (the
    starting config's comment). Validation and ``tsdash init``'s template follow from these.
    ``path`` is the file the settings came from, or would be saved to; it need not exist.
    """

    environment: str = setting(Environment.DEMO.value, Key(
        Kind.CHOICE, choices=ENVIRONMENTS,
        help="Which TradeStation environment to connect to:\n"
             '  "demo"  the embedded simulator, no account needed (same as `tsdash --demo`)\n'
             '  "sim"   TradeStation\'s simulated trading environment (paper money)\n'
             '  "live"  your real accounts'))
    theme: str = setting(DEFAULT_THEME, Key(
        Kind.TEXT, what="a theme name",
        help='Colour theme, by name: "tsdash-dark", "tsdash-light" and "tsdash-high-contrast" '
             "come with tsdash. Pressing the next-theme key in the dashboard cycles through the "
             "themes and remembers your choice here."))
    watchlists: dict[str, list[str]] = setting_made(_default_watchlists, Key(
        Kind.WATCHLISTS, live_reload=True,
        help="Named watchlists: a name, then a list of symbols. Add as many as you like; the "
             "next-watchlist key cycles through them. Symbols are written in capitals: letters "
             'A-Z, digits and . / $ ^ - @ # (no spaces), e.g. "BRK.B", "$SPX.X", "@ES", at most '
             f"{MAX_SYMBOL_LENGTH} characters. Every watchlist needs at least one symbol. Names "
             "with characters other than letters, digits, - and _ must be quoted:\n"
             '"my list" = ["AAPL"]. Edits made here while the dashboard runs are picked up within '
             "a few seconds, and adding or removing a symbol there keeps them."))
    default_watchlist: str = setting("mega-caps", Key(
        Kind.WATCHLIST_NAME, after="watchlists", live_reload=True,
        help="The watchlist shown when the dashboard starts: one of the names under "
             "[watchlists] below. Left out: the first watchlist."))
    accounts: list[str] | None = setting(None, Key(
        Kind.ACCOUNTS, example=["11111111", "22222222"],
        help="Only show these accounts (TradeStation account ids, as strings).\n"
             "Left out: every account you have."))
    client_id: str | None = setting(None, Key(
        Kind.TEXT, what="your TradeStation API key", example="your-api-key",
        help="Your TradeStation API key (client id), used by `tsdash login`.\n"
             "The client SECRET never goes in this file: set the TS_CLIENT_SECRET environment "
             "variable, or let `tsdash login` prompt for it."))
    bars: BarsSettings = setting_made(BarsSettings, Key(Kind.TABLE, "The bar chart panel."))
    trading: TradingSettings = setting_made(TradingSettings, Key(
        Kind.TABLE, "Placing, replacing and cancelling orders from the dashboard."))
    max_concurrent_streams: int = setting(10, Key(
        Kind.WHOLE, table="streams", low=1, high=MAX_STREAMS_LIMIT,
        help=f"At most this many streams open at once (1 to {MAX_STREAMS_LIMIT}). Opening one "
             "more is refused with a message. Quotes for more than 100 symbols use several "
             "streams."))
    read_timeout: float = setting(30.0, Key(
        Kind.NUMBER, table="streams", low=0, unit="seconds",
        help="Seconds without any bytes from the server (heartbeats count) before a stream is "
             "marked stalled. Any number greater than 0."))
    auto_reconnect: bool = setting(False, Key(
        Kind.FLAG, table="streams",
        help="true: a stream that drops comes back by itself, with backoff.\n"
             "false: it shows as disconnected until you press the reconnect key."))
    orders_reconcile_s: float = setting(30.0, Key(
        Kind.NUMBER, table="streams", low=ORDERS_RECONCILE_MIN_S, unit="seconds",
        help="Every this many seconds (and after an order whose outcome is unknown) the "
             "dashboard reads the orders over REST and adds what the order stream missed "
             "(TradeStation's order stream can drop fills while its heartbeats go on). "
             f"Any number greater than {ORDERS_RECONCILE_MIN_S:g}: each read counts against "
             "TradeStation's rate limit on order reads, and reading them too often gets "
             "requests refused (HTTP 429)."))
    repaint_hz: int = setting(8, Key(
        Kind.WHOLE, table="ui", low=1, high=MAX_REPAINT_HZ, unit="repaints per second",
        help=f"How many times a second the panels repaint (1 to {MAX_REPAINT_HZ}). Ticks "
             "arriving in between are merged, never painted one by one."))
    keys: dict[str, str] = setting_made(lambda: dict(DEFAULT_KEYS), Key(
        Kind.KEY_BINDINGS,
        help='Key bindings: action = key. Keys use Textual\'s names: a letter ("r"; "R" is '
             'shift+r), a character ("?" or "question_mark"), "f1" to "f24", "ctrl+r", '
             '"alt+shift+up", "home", ... Several keys for one action are separated by commas: '
             '"r,f5". Leave an action out to keep its default. Two actions cannot share a key, '
             f"nor take one the dashboard keeps for itself: {fixed_keys_text()}."))
    notifications: NotificationSettings = setting_made(NotificationSettings, Key(
        Kind.TABLE, live_reload=True,
        help="Notifications: an alert that fires, an order that fills, is rejected or "
             "cancelled, a stream that is lost. Each is a toast in the dashboard and a line in "
             "alerts.jsonl in the state folder (`tsdash alerts path` prints where)."))
    alerts: list[AlertRule] = setting_made(list, Key(
        Kind.ALERTS, live_reload=True, example=[{"symbol": "AAPL", "above": 230.0}],
        help="Alerts: one [[alerts]] table per rule: a symbol and exactly one of these five "
             "conditions, its level a number written without quotes:\n"
             "  above = 230.0            last price at or above 230\n"
             "  below = 200.0            last price at or below 200\n"
             "  change_pct_above = 2.5   change from the previous close, in percent,\n"
             "                           at or above 2.5 (up 2.5% or more)\n"
             "  change_pct_below = -2.5  change from the previous close, in percent,\n"
             "                           at or below -2.5 (down 2.5% or more)\n"
             "  volume_above = 1000000   the day's volume at or above 1000000\n"
             "A rule fires when its condition becomes true (also on the first quote, when it "
             "already holds) and arms again once it has been false. `!` on a quote row and the "
             "alerts screen (`A`) add and delete rules here; `tsdash alerts list` shows them "
             "and their state. For example:"))
    path: Path = field(default_factory=locations.config_file, compare=False)

    # -- watchlist editing (in memory; call save_watchlists() to keep the change) --------------

    def add_symbol(self, watchlist: str, symbol: str) -> str:
        """Append ``symbol`` to ``watchlist`` and return it as stored.

        The symbol typed by a person is stripped and upper-cased, then validated; a symbol
        already in the watchlist is not added twice. Raises ``ValueError`` (with a message to
        show) for an unknown watchlist or an invalid symbol. Only changes memory: call
        :meth:`save_watchlists` to write the file.
        """
        symbols = self._watchlist(watchlist)
        if not isinstance(symbol, str):
            raise ValueError(f"not a symbol: {symbol!r}")
        cleaned = symbol.strip().upper()
        problem = validate_symbol(cleaned)
        if problem:
            raise ValueError(f"cannot add {symbol.strip()!r} to {watchlist!r}: {problem}")
        if cleaned not in symbols:
            symbols.append(cleaned)
        return cleaned

    def remove_symbol(self, watchlist: str, symbol: str) -> None:
        """Remove ``symbol`` from ``watchlist``.

        Raises ``ValueError`` if the watchlist or the symbol is unknown, or if it is the
        watchlist's last symbol (a watchlist needs at least one). Only changes memory: call
        :meth:`save_watchlists` to write the file.
        """
        symbols = self._watchlist(watchlist)
        cleaned = symbol.strip().upper() if isinstance(symbol, str) else symbol
        if cleaned not in symbols:
            raise ValueError(f"{symbol!r} is not in the watchlist {watchlist!r}")
        if len(symbols) == 1:
            raise ValueError(
                f"cannot remove {cleaned!r}: it is the last symbol in {watchlist!r} "
                "(a watchlist needs at least one symbol)"
            )
        symbols.remove(cleaned)

    def _watchlist(self, name: str) -> list[str]:
        try:
            return self.watchlists[name]
        except KeyError:
            known = ", ".join(repr(n) for n in self.watchlists)
            raise ValueError(f"no watchlist named {name!r} (there are: {known})") from None

    # -- saving ----------------------------------------------------------------------------------

    def save_watchlists(self) -> Path:
        """Write ``watchlists`` and ``default_watchlist`` back to :attr:`path`, atomically,
        keeping every other setting in the file (comments are not kept). Creates the file and
        its directory if needed. Raises :class:`ConfigError` if the watchlists are invalid (the
        file is then not touched) or the file cannot be read or written."""
        _check_watchlists(self.watchlists, self.default_watchlist, self.path)
        update_config_file(
            self.path,
            {
                ("watchlists",): {name: list(syms) for name, syms in self.watchlists.items()},
                ("default_watchlist",): self.default_watchlist,
            },
        )
        return self.path

    def save_watchlist_edits(self, edits: Iterable[WatchlistEdit]) -> Settings:
        """Apply ``edits`` to the watchlists the file at :attr:`path` holds now and write them
        back (atomically, every other setting kept), so symbols and lists added to the file by
        hand since it was read are kept. Returns the file's settings as written (this object is
        not changed). Raises :class:`ConfigError`, and leaves the file alone, if the file is now
        invalid, read-only or cannot be written."""
        if not self.path.exists():  # never written, or deleted meanwhile: write this session's
            on_disk = copy.deepcopy(self)
            on_disk.watchlists = apply_watchlist_edits(self.watchlists, edits)
            on_disk.save_watchlists()
            return on_disk
        on_disk = load_settings(self.path)
        on_disk.watchlists = apply_watchlist_edits(on_disk.watchlists, edits)
        _check_watchlists(on_disk.watchlists, on_disk.default_watchlist, self.path)
        update_config_file(self.path, {("watchlists",): on_disk.watchlists})
        return on_disk

    def save_alert_edits(self, edits: Iterable[AlertEdit]) -> Settings:
        """Apply ``edits`` to the alert rules the file at :attr:`path` holds now and write them
        back (atomically, every other setting kept), so rules added to the file by hand since it
        was read are kept. With no file yet, writes this session's watchlists and its rules with
        the edits. Returns the file's settings as written (this object is not changed). Raises
        :class:`ConfigError`, and leaves the file alone, if the file is now invalid, read-only
        or cannot be written."""
        if not self.path.exists():  # never written, or deleted meanwhile: write this session's
            on_disk = copy.deepcopy(self)
            on_disk.alerts = apply_alert_edits(self.alerts, edits)
            _check_watchlists(on_disk.watchlists, on_disk.default_watchlist, self.path)
            update_config_file(self.path, {
                ("watchlists",): {name: list(syms) for name, syms in on_disk.watchlists.items()},
                ("default_watchlist",): on_disk.default_watchlist,
                ("alerts",): _alert_tables(on_disk.alerts),
            })
            return on_disk
        on_disk = load_settings(self.path)
        on_disk.alerts = apply_alert_edits(on_disk.alerts, edits)
        update_config_file(self.path, {("alerts",): _alert_tables(on_disk.alerts)})
        return on_disk

    def save_theme(self, name: str) -> Path:
        """Set :attr:`theme` to ``name`` and write it to :attr:`path` (atomically, keeping every
        other setting). Raises :class:`ConfigError` for an empty name or an unwritable file."""
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                _message(self.path, "theme", "a theme name", name), path=self.path, key="theme"
            )
        update_config_file(self.path, {("theme",): name})
        self.theme = name
        return self.path

    # -- convenience -----------------------------------------------------------------------------

    @property
    def watchlist_names(self) -> list[str]:
        """Watchlist names in file order."""
        return list(self.watchlists)

    def next_watchlist(self, current: str) -> str:
        """The watchlist after ``current``, wrapping round (for the next-watchlist key)."""
        names = self.watchlist_names
        if current not in names:
            return self.default_watchlist
        return names[(names.index(current) + 1) % len(names)]


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate the config file.

    ``path`` None: ``$TSDASH_CONFIG`` if set, else the platform default (see
    ``tsdash.locations.config_file``); the CLI passes its ``--config`` value here. A missing file
    gives the defaults (with ``Settings.path`` set to where it would be saved). Anything wrong
    raises :class:`ConfigError`.
    """
    config_path = locations.config_file(path)
    data = _read_toml(config_path)
    if data is None:
        return Settings(path=config_path)
    return settings_from_document(data, config_path)


def settings_from_document(data: Mapping[str, Any], path: Path,
                           cls: type[S] = Settings) -> S:  # type: ignore[assignment]
    """A parsed config file checked against the keys ``cls`` declares (``path`` is named in
    messages and kept as ``Settings.path``). Raises :class:`ConfigError` for anything wrong."""
    return _Validator(path, cls).settings(data, cls)


def _read_toml(path: Path) -> dict[str, Any] | None:
    """The parsed file, None if it does not exist, ConfigError if unreadable or not TOML."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(
            f"config error in {path}: expected a TOML file, found a directory", path=path
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"config error in {path}: cannot read the file: {exc.strerror or exc}", path=path
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"config error in {path}: line {line}: expected UTF-8 text, found the byte "
            f"0x{raw[exc.start]:02x}",
            path=path,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_syntax_message(path, text, exc), path=path) from None


_AT_LINE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_AT_EOF_RE = re.compile(r"\(at end of document\)")


def _syntax_message(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    detail = str(exc)
    message = f"config error in {path}: invalid TOML: {detail}"
    match = _AT_LINE_RE.search(detail)
    if match:
        lineno = int(match.group(1))
        lines = text.splitlines()
        if 1 <= lineno <= len(lines):
            shown = lines[lineno - 1].strip()
            if len(shown) > 80:
                shown = shown[:77] + "..."
            message += f"; line {lineno} reads: {shown}"
    return message


def _message(path: Path, key: str, expected: str, found: Any) -> str:
    return (
        f'config error in {path}: key "{key}": expected {expected}, '
        f"found {describe_value(found)}"
    )


S = TypeVar("S", bound="Settings")

_SECRET_KEYS = ("client_secret",)
_SECRET_ADVICE = (
    "the client secret must not be stored in the config file; remove this key and set the "
    "TS_CLIENT_SECRET environment variable, or let `tsdash login` prompt for it"
)


class _Validator:
    """Checks a parsed file against the keys settings class ``cls`` declares."""

    def __init__(self, path: Path, cls: type[Settings] = Settings) -> None:
        self.path = path
        self.cls = cls

    # -- error helpers -------------------------------------------------------------------------

    def fail(self, key: tuple[str | int, ...], expected: str, found: Any,
             hint: str = "") -> NoReturn:
        dotted = _format_key(key)
        message = _message(self.path, dotted, expected, found)
        if hint:
            message += f"; {hint}"
        raise ConfigError(message, path=self.path, key=dotted)

    def unknown(self, key: tuple[str | int, ...], known: Iterable[str],
                what: str = "key") -> NoReturn:
        known = list(known)
        dotted = _format_key(key)
        name = str(key[-1])  # a key name: an index is never unknown
        suggestion = ""
        # A setting put in the wrong table: say where it belongs.
        for table, keys in table_keys(self.cls).items():
            if what == "key" and name in keys and key[:-1] != (table,):
                suggestion = f' (did you mean "{table}.{name}"? it belongs in the [{table}] table)'
                break
        if not suggestion and what == "key" and name in top_level_names(self.cls) and len(key) > 1:
            suggestion = (
                f' (did you mean "{name}"? it goes at the top of the file, before any [table])'
            )
        if not suggestion:
            close = _did_you_mean(name, known)
            if close is not None:
                suggestion = f' (did you mean "{_format_key(key[:-1] + (close,))}"?)'
        raise ConfigError(
            f'config error in {self.path}: unknown {what} "{dotted}"{suggestion}; '
            f"expected one of: {', '.join(known)}",
            path=self.path,
            key=dotted,
        )

    def reject_secrets(self, table: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> None:
        for name, value in table.items():
            if name.lower() in _SECRET_KEYS:
                dotted = _format_key(prefix + (name,))
                raise ConfigError(
                    f'config error in {self.path}: key "{dotted}": {_SECRET_ADVICE}',
                    path=self.path,
                    key=dotted,
                )
            if isinstance(value, dict):
                self.reject_secrets(value, prefix + (name,))

    # -- typed getters -------------------------------------------------------------------------

    def table(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.fail((name,), f"a table (a [{name}] section)", value)
        return value

    def check_keys(self, table: Mapping[str, Any], prefix: tuple[str | int, ...],
                   known: Iterable[str], what: str = "key") -> None:
        known = list(known)
        for name in table:
            if name not in known:
                self.unknown(prefix + (name,), known, what)

    def string(self, key: tuple[str | int, ...], value: Any, expected: str = "a string") -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, expected, value)
        return value

    def integer(self, key: tuple[str, ...], value: Any, low: int, high: int, expected: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(key, expected, value)
        return value

    def symbol(self, key: tuple[str | int, ...], value: Any) -> str:
        problem = validate_symbol(value)
        if problem is not None:
            hint = "" if problem.startswith(("a symbol uses only", "a symbol must be")) else problem
            self.fail(key, f"a symbol ({SYMBOL_CHARS_DESCRIPTION})", value, hint)
        return str(value)  # validate_symbol refuses anything but a string

    # -- the whole file ------------------------------------------------------------------------

    def settings(self, data: Mapping[str, Any], cls: type[S]) -> S:
        self.reject_secrets(data)
        self.check_keys(data, (), top_level_names(cls))
        return cls(**self.fill(data, (), cls), path=self.path)

    def fill(self, data: Mapping[str, Any], prefix: tuple[str, ...],
             cls: type) -> dict[str, Any]:
        """The value of each key ``cls`` declares: checked from ``data`` if there, else the
        default; a table of fixed keys is checked (type and key names) when first reached."""
        values: dict[str, Any] = {}
        seen_tables: set[str] = set()
        fixed = table_keys(cls)
        for place in validation_order(cls):
            source: Mapping[str, Any] = data
            if len(place.path) > 1:
                table = place.path[0]
                source = self.table(data, table)
                if table not in seen_tables:
                    self.check_keys(source, prefix + (table,), fixed[table])
                    seen_tables.add(table)
            values[place.name] = self.value(prefix + place.path, place, source, values)
        return values

    def value(self, key: tuple[str, ...], place: Place, source: Mapping[str, Any],
              values: Mapping[str, Any]) -> Any:
        """One key's checked value (``source`` is the table it is written in; ``values`` the
        keys checked before it)."""
        spec, name = place.key, place.name
        if spec.kind is Kind.TABLE:
            assert place.table_class is not None
            table = self.table(source, name)
            self.check_keys(table, key, [p.name for p in places(place.table_class)])
            return place.table_class(**self.fill(table, key, place.table_class))
        if spec.kind is Kind.KEY_BINDINGS:
            return self.keys(self.table(source, name))
        if name not in source:
            if spec.kind is Kind.WATCHLIST_NAME and spec.after is not None:
                lists = values[spec.after]
                return place.default if place.default in lists else next(iter(lists))
            return place.default
        found = source[name]
        if spec.kind is Kind.TEXT:
            return self.string(key, found, spec.expected_phrase())
        if spec.kind is Kind.WHOLE:
            assert isinstance(spec.low, int) and isinstance(spec.high, int)
            return self.integer(key, found, spec.low, spec.high, spec.expected_phrase())
        if spec.kind is Kind.NUMBER:
            return self.number(key, found, spec.low or 0, spec.expected_phrase())
        if spec.kind is Kind.FLAG:
            if not isinstance(found, bool):
                self.fail(key, spec.expected_phrase(), found)
            return found
        if spec.kind is Kind.CHOICE:
            return self.choice(key, found, spec.choices, spec.expected_phrase())
        if spec.kind is Kind.SYMBOL:
            return self.symbol(key, found)
        if spec.kind is Kind.WATCHLISTS:
            return self.watchlists(found, key)
        if spec.kind is Kind.WATCHLIST_NAME:
            assert spec.after is not None
            return self.default_watchlist(found, values[spec.after], key)
        if spec.kind is Kind.ACCOUNTS:
            return self.accounts(found, key)
        if spec.kind is Kind.BAR_INTERVAL:
            assert spec.after is not None and isinstance(spec.high, int)
            return self.interval(found, values[spec.after], key, spec.high)
        if spec.kind is Kind.CHOICE_LIST:
            return self.choice_list(key, found, spec.choices, spec.expected_phrase())
        if spec.kind is Kind.ALERTS:
            return self.alerts(found, key)
        raise AssertionError(f"no check for a {spec.kind} key")  # pragma: no cover

    # -- one kind of key each ------------------------------------------------------------------

    def number(self, key: tuple[str, ...], value: Any, above: float, expected: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, expected, value)
        if not math.isfinite(value) or value <= above:
            self.fail(key, expected, value)
        return float(value)

    def choice(self, key: tuple[str | int, ...], value: Any, choices: tuple[str, ...],
               expected: str) -> str:
        """One of ``choices``, written in any case; returned as the choice is spelt."""
        if not isinstance(value, str):
            self.fail(key, expected, value)
        spelt = {choice.lower(): choice for choice in choices}
        if value.lower() in spelt:
            return spelt[value.lower()]
        close = _did_you_mean(value.lower(), spelt)
        self.fail(key, expected, value, f'did you mean "{spelt[close]}"?' if close else "")

    def choice_list(self, key: tuple[str, ...], value: Any, choices: tuple[str, ...],
                    expected: str) -> list[str]:
        """A list of names from ``choices``, each once, written in any case; returned as the
        choices are spelt. An empty list is allowed."""
        if not isinstance(value, list):
            self.fail(key, expected, value)
        result: list[str] = []
        for index, item in enumerate(value):
            at = key + (index,)
            name = self.choice(at, item, choices, one_of(choices))
            if name in result:
                self.fail(at, "each name once", item, f'"{name}" is already in the list')
            result.append(name)
        return result

    def alerts(self, value: Any, key: tuple[str, ...]) -> list[AlertRule]:
        """The ``[[alerts]]`` tables as rules: each a table of known keys that
        :func:`rule_from_table` accepts, and no rule twice."""
        if not isinstance(value, list):
            self.fail(key, "an array of tables: [[alerts]] (two brackets) above each rule, "
                           'e.g. [[alerts]] symbol = "AAPL" above = 230.0', value)
        rules: list[AlertRule] = []
        first: dict[str, int] = {}
        for index, entry in enumerate(value):
            at = key + (index,)
            if not isinstance(entry, dict):
                self.fail(at, 'a table with a symbol and one condition, written [[alerts]] '
                              'symbol = "AAPL" above = 230.0', entry)
            self.check_keys(entry, at, ALERT_KEYS)
            try:
                rule = rule_from_table(entry)
            except RuleError as exc:
                # "condition" names no key of the table: then the table itself is at fault
                dotted = _format_key(at if exc.field == "condition" else at + (exc.field,))
                raise ConfigError(
                    f'config error in {self.path}: key "{dotted}" (the {_ordinal(index + 1)} '
                    f"[[{key[-1]}]] table): {exc.message}", path=self.path, key=dotted) from None
            if rule.id in first:
                dotted, earlier = _format_key(at), first[rule.id]
                raise ConfigError(
                    f'config error in {self.path}: key "{dotted}" (the {_ordinal(index + 1)} '
                    f'[[{key[-1]}]] table): the same alert as "{_format_key(key + (earlier,))}" '
                    f"(the {_ordinal(earlier + 1)}), {rule.describe()}; delete one of the two",
                    path=self.path, key=dotted)
            first[rule.id] = index
            rules.append(rule)
        return rules

    def watchlists(self, value: Any,
                   place: tuple[str, ...] = ("watchlists",)) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            self.fail(
                place,
                'a table of named symbol lists, e.g. [watchlists] tech = ["AAPL", "MSFT"]',
                value,
            )
        if not value:
            self.fail(place, "at least one watchlist", value)
        result: dict[str, list[str]] = {}
        for name, symbols in value.items():
            key = place + (name,)
            if not name.strip():
                self.fail(key, "a watchlist name that is not empty", name)
            if not isinstance(symbols, list):
                self.fail(key, 'a list of symbols, e.g. ["AAPL", "MSFT"]', symbols)
            if not symbols:
                self.fail(key, "a list of at least one symbol", symbols)
            seen: set[str] = set()
            for index, symbol in enumerate(symbols):
                self.symbol(key + (index,), symbol)
                if symbol in seen:
                    self.fail(key + (index,), "each symbol once per watchlist", symbol,
                              f'"{symbol}" is already in this watchlist')
                seen.add(symbol)
            result[name] = list(symbols)
        return result

    def default_watchlist(self, value: Any, watchlists: Mapping[str, list[str]],
                          key: tuple[str, ...] = ("default_watchlist",)) -> str:
        names = ", ".join(_toml_repr(n) for n in watchlists)
        expected = f"the name of a watchlist ({names})"
        if not isinstance(value, str):
            self.fail(key, expected, value)
        if value not in watchlists:
            close = _did_you_mean(value, watchlists)
            self.fail(key, expected, value,
                      f'did you mean "{close}"?' if close else "")
        return value

    def accounts(self, value: Any, key: tuple[str, ...]) -> list[str]:
        expected = ('a list of account ids as strings, e.g. ["11111111"] '
                    "(leave the key out for every account)")
        if not isinstance(value, list) or not value:
            self.fail(key, expected, value)
        for index, account in enumerate(value):
            if not isinstance(account, str) or not account or any(c.isspace() for c in account):
                self.fail(key + (index,), 'an account id as a string, e.g. "11111111"',
                          account)
        return list(value)

    def interval(self, value: Any, unit: str, key: tuple[str, ...], minutes: int) -> str:
        """A bar size: up to ``minutes`` for unit "Minute", "1" for the others."""
        if unit == "Minute":
            expected = f'a whole number of minutes from "1" to "{minutes}"'
        else:
            expected = f'"1" (the only interval for unit "{unit}")'
        if isinstance(value, bool):
            self.fail(key, expected, value)
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            number = int(value.strip())
        else:
            self.fail(key, expected, value)
        high = minutes if unit == "Minute" else 1
        if not 1 <= number <= high:
            self.fail(key, expected, value)
        return str(number)

    def keys(self, table: dict[str, Any]) -> dict[str, str]:
        self.check_keys(table, ("keys",), sorted(KNOWN_BINDING_IDS), what="binding id")
        keys = dict(DEFAULT_KEYS)
        expected = f"a key name, e.g. {KEY_EXAMPLES} (several keys: separated by commas)"
        for binding, key in table.items():
            if not isinstance(key, str) or not key.strip() or not all(
                part.strip() for part in key.split(",")
            ):
                self.fail(("keys", binding), expected, key)
            parts = [part.strip() for part in key.split(",")]
            for part in parts:
                problem = key_problem(part)
                if problem is not None:
                    self.fail(("keys", binding), expected, key,
                              problem if part == key.strip() else f'"{part}": {problem}')
            # stored as Textual names it ("?" -> "question_mark"), without spaces, as compared
            keys[binding] = ",".join(canonical_key(part) for part in parts)
        # A key with two actions: only one would ever run.
        def spelled(binding: str, part: str) -> str:
            """``part`` as the file writes it (the user's "?", not "question_mark")."""
            written = table.get(binding)
            if isinstance(written, str):
                for p in written.split(","):
                    if canonical_key(p.strip()) == part:
                        return p.strip()
            return part

        owner: dict[str, str] = {}
        for binding, key in keys.items():
            for part in key.split(","):
                fixed = FIXED_KEYS.get(part)
                if fixed is not None and fixed[1] != binding:
                    self.fail(("keys", binding), "a key no other action uses", table[binding],
                              f'"{spelled(binding, part)}" is already the key for {fixed[0]}; '
                              "choose another key")
                if part in owner:
                    other = owner[part]
                    culprit, partner = (binding, other) if binding in table else (other, binding)
                    by_default = "" if partner in table else " (by default)"
                    self.fail(("keys", culprit), "a key no other action uses", table[culprit],
                              f'"{spelled(culprit, part)}" is already the key for '
                              f'"{partner}"{by_default}; choose another key')
                owner[part] = binding
        return keys


def _alert_tables(rules: Iterable[AlertRule]) -> list[dict[str, Any]] | None:
    """The rules as the file writes them (``[[alerts]]`` tables); None (the key left out) for
    no rules."""
    tables = [rule.to_table() for rule in rules]
    return tables or None


def _ordinal(number: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10,
                                                                                  "th")
    return f"{number}{suffix}"


def _check_watchlists(watchlists: Mapping[str, list[str]], default: str, path: Path) -> None:
    """Validate watchlists about to be saved, with the same rules as loading."""
    validator = _Validator(path)
    validator.watchlists(dict(watchlists))
    validator.default_watchlist(default, watchlists)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def update_config_file(path: str | os.PathLike[str],
                       updates: Mapping[tuple[str, ...], Any]) -> Path:
    """Change only the given keys of the TOML file at ``path`` and write it back atomically.

    ``updates`` maps a key path (``("theme",)``, ``("bars", "symbol")``) to its new value, or to
    None to remove the key. Every other setting in the file is kept; comments are not. A missing
    file (and its directory) is created. An existing file that is not valid TOML is left alone
    and :class:`ConfigError` raised, so a save never destroys what a person wrote.
    """
    path = Path(path)
    document = _read_toml(path) or {}
    for key, value in updates.items():
        table = document
        for part in key[:-1]:
            child = table.get(part)
            if not isinstance(child, dict):
                child = table[part] = {}
            table = child
        if value is None:
            table.pop(key[-1], None)
        else:
            table[key[-1]] = value
    text = _dumps(document)  # before touching the disk: a failure here changes nothing
    refuse_read_only(path)
    try:
        locations.atomic_write(path, text)
    except OSError as exc:
        raise ConfigError(
            f"config error in {path}: cannot write the file: {exc.strerror or exc}", path=path
        ) from None
    return path


def _dumps(document: Mapping[str, Any]) -> str:
    """``document`` as TOML, a top-level list of flat tables (``alerts``) written as an array of
    tables (``[[alerts]]`` above each), as a person writes it, after the rest: tomli_w would
    write short ones as inline tables on one line."""
    def flat_tables(value: Any) -> bool:
        return (isinstance(value, list) and bool(value)
                and all(isinstance(item, dict) and not any(isinstance(v, (dict, list))
                                                           for v in item.values())
                        for item in value))

    arrays = {name: value for name, value in document.items() if flat_tables(value)}
    rest = {name: value for name, value in document.items() if name not in arrays}
    blocks = [tomli_w.dumps(rest).rstrip("\n")] if rest else []
    blocks += ["\n".join(array_of_tables_lines(name, tables)) for name, tables in arrays.items()]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def refuse_read_only(path: Path) -> None:
    """Raise :class:`ConfigError` if ``path`` exists and is read-only. The atomic write renames a
    new file over it, which needs only the folder to be writable, so the file's own permission
    is checked here: no write bit at all (also for root, whom ``os.access`` always lets write),
    or no write access for this user."""
    try:
        mode = path.stat().st_mode
    except OSError:  # missing (it will be created) or unreachable (the write will say why)
        return
    if mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) and os.access(path, os.W_OK):
        return
    raise ConfigError(
        f"config file {path} is read-only (mode {stat.S_IMODE(mode):04o}); the change is kept "
        f"for this session; make it writable with chmod u+w {path} to save",
        path=path,
    )


def starting_config_text(cls: type[Settings] = Settings) -> str:
    """The commented starting config ``tsdash init`` writes, generated from the keys ``cls``
    declares (``config.example.toml`` at the top of the repository is a copy, checked by a
    test)."""
    return render_template(
        cls, TEMPLATE_HEADER, TABLE_HELP,
        lambda: [(action.id, action.key, action.about or action.description)
                 for action in ACTIONS],
    )


def write_starting_config(path: str | os.PathLike[str] | None = None, force: bool = False) -> Path:
    """Write the commented starting config to ``path`` (None: ``$TSDASH_CONFIG`` or the
    platform default) and return where it went. Refuses to overwrite an existing file unless
    ``force``; creates the directory if needed."""
    target = locations.config_file(path)
    if target.exists() and not force:
        raise ConfigError(
            f"config error in {target}: the file already exists; pass --force to overwrite it "
            "(your current settings would be replaced by the defaults)",
            path=target,
        )
    if target.is_dir():
        raise ConfigError(f"config error in {target}: expected a file, found a directory",
                          path=target)
    try:
        locations.atomic_write(target, starting_config_text())
    except OSError as exc:
        raise ConfigError(
            f"config error in {target}: cannot write the file: {exc.strerror or exc}", path=target
        ) from None
    return target


def file_key(name: str) -> str:
    """How the file names the setting ``name``: "theme", "streams.read_timeout", "[bars]"
    for one written as a table of its own, or "[[alerts]]" for an array of tables."""
    for place in places(Settings):
        if place.name == name:
            if place.key.kind in ARRAY_OF_TABLES_KINDS:
                return f"[[{name}]]"
            table = place.key.kind in TABLE_KINDS and len(place.path) == 1
            return f"[{name}]" if table else ".".join(place.path)
    raise KeyError(name)


def settings_fields() -> list[str]:
    """Names of the settings a config file can hold (``Settings`` fields minus ``path``)."""
    return [place.name for place in places(Settings)]


def live_reload_settings() -> frozenset[str]:
    """Names of the settings the running dashboard takes from a reloaded file (their Key says
    ``live_reload``); a change to any other waits for a restart."""
    return frozenset(place.name for place in places(Settings) if place.key.live_reload)


if __name__ == "__main__":  # python -m tsdash.config > config.example.toml
    sys.stdout.write(starting_config_text())
