"""Load, validate and write tsdash's TOML config file.

```python
from tsdash.config import Settings, load_settings, ConfigError

settings = load_settings()          # or load_settings("path/to/config.toml")
settings.watchlists["etfs"]
settings.add_symbol("etfs", "XLK"); settings.save_watchlists()
settings.save_theme("tsdash-light")
```

The file layout is documented, key by key, in ``config.example.toml`` (the same text as
``tsdash/config_template.toml``, which ``tsdash init`` writes). Reading uses the standard library's
``tomllib``; writing uses ``tomli_w`` and is atomic. Every problem with the file ends in one
:class:`ConfigError` whose message names the file, the key (as a dotted path) or the line, what
was expected and what was found.

This module imports only the standard library, platformdirs (through ``tsdash.locations``) and
tomli_w.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import difflib
import math
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import tomli_w

from tsdash import locations

__all__ = [
    "BAR_UNITS",
    "DEFAULT_KEYS",
    "DEFAULT_THEME",
    "DEFAULT_WATCHLISTS",
    "ENVIRONMENTS",
    "KNOWN_BINDING_IDS",
    "CHARACTER_KEY_NAMES",
    "FIXED_KEYS",
    "MAX_SYMBOL_LENGTH",
    "NAMED_KEYS",
    "BarsSettings",
    "ConfigError",
    "EditKind",
    "Settings",
    "WatchlistEdit",
    "apply_watchlist_edits",
    "canonical_key",
    "key_problem",
    "refuse_read_only",
    "load_settings",
    "starting_config_text",
    "validate_symbol",
    "write_starting_config",
]

# --------------------------------------------------------------------------------------------
# Defaults and allowed values
# --------------------------------------------------------------------------------------------

ENVIRONMENTS: tuple[str, ...] = ("demo", "sim", "live")
BAR_UNITS: tuple[str, ...] = ("Minute", "Daily", "Weekly", "Monthly")
DEFAULT_THEME = "tsdash-dark"
DEFAULT_WATCHLISTS: dict[str, list[str]] = {
    "mega-caps": ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO"],
    "etfs": ["SPY", "QQQ", "IWM", "DIA", "TLT", "GLD", "XLF", "XLE"],
}
#: binding id -> default key (Textual key names; several keys separated by commas).
DEFAULT_KEYS: dict[str, str] = {
    "quit": "q",
    "help": "question_mark",
    "reconnect": "r",
    "reconnect_all": "R",
    "next_watchlist": "w",
    "next_theme": "t",
    "add_symbol": "a",
    "remove_symbol": "d",
    "next_panel": "tab",
    "previous_panel": "shift+tab",
    "sort": "s",
    "zoom": "z",
}
KNOWN_BINDING_IDS: frozenset[str] = frozenset(DEFAULT_KEYS)

MAX_INTERVAL_MINUTES = 1440
MAX_BARSBACK = 57600
MAX_STREAMS_LIMIT = 100
MAX_REPAINT_HZ = 30

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
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")

# -- key names (Textual's, checked here without importing Textual; a test in tests/ui keeps
# -- this list in step with Textual's own names) ---------------------------------------------

#: keys with a name, as Textual calls them
NAMED_KEYS: frozenset[str] = frozenset(
    ["enter", "return", "escape", "tab", "space", "backspace", "insert", "delete", "home", "end",
     "pageup", "pagedown", "up", "down", "left", "right"]
    + [f"f{n}" for n in range(1, 25)]
)
#: terminals send one code for both keys of each pair, so Textual takes them as one key
KEY_ALIASES: dict[str, str] = {
    "ctrl+i": "tab",
    "ctrl+m": "enter",
    "ctrl+left_square_brace": "escape",
    "ctrl+space": "ctrl+at",
    "newline": "ctrl+j",
}
KEY_MODIFIERS: tuple[str, ...] = ("ctrl", "alt", "shift", "meta", "super", "hyper")
#: Textual's names for punctuation ("?" is "question_mark"), from the Unicode names it uses
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
KEY_EXAMPLES = '"q", "ctrl+q", "f10" or "question_mark"'


def character_key_name(character: str) -> str:
    """Textual's name for the key that types ``character`` ("?" -> "question_mark")."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _KEY_NAME_REPLACEMENTS.get(name, name)


#: punctuation key name -> the character it types
CHARACTER_KEY_NAMES: dict[str, str] = {
    character_key_name(chr(code)): chr(code)
    for code in range(0x21, 0x7F)
    if not chr(code).isalnum()
}


def key_problem(key: str) -> str | None:
    """None if ``key`` is one key Textual knows (``"q"``, ``"?"``, ``"ctrl+shift+f5"``,
    ``"question_mark"``), else a short reason it is not."""
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else f"{key!r} is not a key name"
    *modifiers, base = key.split("+")
    for modifier in modifiers:
        if modifier not in KEY_MODIFIERS:
            close = _did_you_mean(modifier, KEY_MODIFIERS)
            return (f'"{modifier}" is not a modifier (they are {", ".join(KEY_MODIFIERS)})'
                    + (f'; did you mean "{close}"?' if close else ""))
    if len(modifiers) != len(set(modifiers)):
        return "a modifier is named twice"
    if not base:
        return 'nothing follows the last "+" (the + key itself is "plus")'
    if len(base) == 1 and base.isupper():  # Textual reports ctrl+shift+q, never ctrl+Q
        return f'a capital after a modifier never matches (did you mean "{key.lower()}"?)'
    if (len(base) == 1 and base.isprintable() and not base.isspace()) or base in NAMED_KEYS \
            or base in CHARACTER_KEY_NAMES:
        return None
    close = _did_you_mean(base, [*NAMED_KEYS, *CHARACTER_KEY_NAMES])
    return "not a key name" + (f' (did you mean "{"+".join([*modifiers, close])}"?)'
                               if close else "")


def canonical_key(key: str) -> str:
    """The name Textual gives a key press ("?" is "question_mark"), so that two spellings of
    one key are seen as the same key when bindings are compared."""
    if len(key) == 1:
        return character_key_name(key)
    *modifiers, base = key.split("+")
    if len(base) == 1:
        base = character_key_name(base)
    name = "+".join([*modifiers, base])
    return KEY_ALIASES.get(name, name)


#: keys the dashboard or Textual itself uses, not remappable: key -> what it does (and the
#: binding id that may share it because it does the same)
FIXED_KEYS: dict[str, tuple[str, str | None]] = {
    "ctrl+q": ("quit (Textual's own key)", "quit"),
    "ctrl+c": ("copy / how to quit (Textual's own key)", None),
    "ctrl+p": ("the command palette", None),
    "escape": ("closing a prompt or the help", None),
    "enter": ("charting the highlighted quote row", None),
    **{key: ("moving in the tables", None)
       for key in ("up", "down", "left", "right", "pageup", "pagedown", "home", "end",
                   "ctrl+home", "ctrl+end")},
}


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


def describe_value(value: Any) -> str:
    """A TOML-ish rendering of ``value`` with its type, for "found ..." in messages."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{_toml_repr(value)} (a number)"
    if isinstance(value, str):
        return f"{_toml_repr(value)} (a string)" if value else '"" (an empty string)'
    if isinstance(value, list):
        return f"{_toml_repr(value)} (a list)" if value else "[] (an empty list)"
    if isinstance(value, dict):
        return "a table" if value else "an empty table"
    if isinstance(value, _dt.datetime):
        return f"{value.isoformat()} (a date-time)"
    if isinstance(value, _dt.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, _dt.time):
        return f"{value.isoformat()} (a time)"
    return repr(value)  # pragma: no cover - tomllib produces nothing else


def _toml_repr(value: Any, limit: int = 60) -> str:
    if isinstance(value, str):
        text = tomli_w.dumps({"v": value})[4:].rstrip("\n")
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = tomli_w.dumps({"v": value})[4:].rstrip("\n")
    elif isinstance(value, list):
        text = "[" + ", ".join(_toml_repr(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{...}"
    elif isinstance(value, (_dt.date, _dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _format_key(parts: Iterable[str | int]) -> str:
    """("watchlists", "my list", 2) -> watchlists.'my list'[2]"""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if not _BARE_KEY_RE.fullmatch(part):
            part = f"'{part}'" if "'" not in part else tomli_w.dumps({"v": part})[4:].rstrip()
        out += f".{part}" if out else part
    return out


def _did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not matches:
        matches = difflib.get_close_matches(word.lower(), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


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

    symbol: str = "SPY"
    interval: str = "1"  # a string, as TradeStation takes it
    unit: str = "Minute"  # one of BAR_UNITS
    barsback: int = 120


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


def _default_watchlists() -> dict[str, list[str]]:
    return copy.deepcopy(DEFAULT_WATCHLISTS)


@dataclass
class Settings:
    """Everything the config file sets, typed, with the defaults used when a key is absent.

    ``path`` is the file the settings came from, or would be saved to; it need not exist.
    """

    environment: str = "demo"
    theme: str = DEFAULT_THEME
    watchlists: dict[str, list[str]] = field(default_factory=_default_watchlists)
    default_watchlist: str = "mega-caps"
    bars: BarsSettings = field(default_factory=BarsSettings)
    accounts: list[str] | None = None
    max_concurrent_streams: int = 10
    read_timeout: float = 30.0
    auto_reconnect: bool = False
    repaint_hz: int = 8
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    client_id: str | None = None
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
    return _Validator(config_path).settings(data)


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


# The layout: top-level keys, and the keys of each fixed table.
_TOP_LEVEL_KEYS = (
    "environment",
    "theme",
    "default_watchlist",
    "accounts",
    "client_id",
    "watchlists",
    "bars",
    "streams",
    "ui",
    "keys",
)
_TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "bars": ("symbol", "interval", "unit", "barsback"),
    "streams": ("max_concurrent_streams", "read_timeout", "auto_reconnect"),
    "ui": ("repaint_hz",),
}
_SECRET_KEYS = ("client_secret",)
_SECRET_ADVICE = (
    "the client secret must not be stored in the config file; remove this key and set the "
    "TS_CLIENT_SECRET environment variable, or let `tsdash login` prompt for it"
)


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path

    # -- error helpers -------------------------------------------------------------------------

    def fail(self, key: tuple[str | int, ...], expected: str, found: Any,
             hint: str = "") -> NoReturn:
        dotted = _format_key(key)
        message = _message(self.path, dotted, expected, found)
        if hint:
            message += f"; {hint}"
        raise ConfigError(message, path=self.path, key=dotted)

    def unknown(self, key: tuple[str, ...], known: Iterable[str], what: str = "key") -> NoReturn:
        known = list(known)
        dotted = _format_key(key)
        name = key[-1]
        suggestion = ""
        # A setting put in the wrong table: say where it belongs.
        for table, table_keys in _TABLE_KEYS.items():
            if what == "key" and name in table_keys and key[:-1] != (table,):
                suggestion = f' (did you mean "{table}.{name}"? it belongs in the [{table}] table)'
                break
        if not suggestion and what == "key" and name in _TOP_LEVEL_KEYS and len(key) > 1:
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

    def check_keys(self, table: Mapping[str, Any], prefix: tuple[str, ...],
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
        return value

    # -- the whole file ------------------------------------------------------------------------

    def settings(self, data: dict[str, Any]) -> Settings:
        self.reject_secrets(data)
        self.check_keys(data, (), _TOP_LEVEL_KEYS)
        s = Settings(path=self.path)

        if "environment" in data:
            s.environment = self.environment(data["environment"])
        if "theme" in data:
            s.theme = self.string(("theme",), data["theme"], "a theme name (a non-empty string)")
        if "watchlists" in data:
            s.watchlists = self.watchlists(data["watchlists"])
        if "default_watchlist" in data:
            s.default_watchlist = self.default_watchlist(data["default_watchlist"], s.watchlists)
        elif s.default_watchlist not in s.watchlists:
            s.default_watchlist = next(iter(s.watchlists))
        if "accounts" in data:
            s.accounts = self.accounts(data["accounts"])
        if "client_id" in data:
            s.client_id = self.string(
                ("client_id",), data["client_id"], "your TradeStation API key (a non-empty string)"
            )
        s.bars = self.bars(self.table(data, "bars"))

        streams = self.table(data, "streams")
        self.check_keys(streams, ("streams",), _TABLE_KEYS["streams"])
        if "max_concurrent_streams" in streams:
            s.max_concurrent_streams = self.integer(
                ("streams", "max_concurrent_streams"),
                streams["max_concurrent_streams"],
                1,
                MAX_STREAMS_LIMIT,
                f"a whole number from 1 to {MAX_STREAMS_LIMIT}",
            )
        if "read_timeout" in streams:
            s.read_timeout = self.read_timeout(streams["read_timeout"])
        if "auto_reconnect" in streams:
            value = streams["auto_reconnect"]
            if not isinstance(value, bool):
                self.fail(("streams", "auto_reconnect"), "true or false", value)
            s.auto_reconnect = value

        ui = self.table(data, "ui")
        self.check_keys(ui, ("ui",), _TABLE_KEYS["ui"])
        if "repaint_hz" in ui:
            s.repaint_hz = self.integer(
                ("ui", "repaint_hz"),
                ui["repaint_hz"],
                1,
                MAX_REPAINT_HZ,
                f"a whole number of repaints per second from 1 to {MAX_REPAINT_HZ}",
            )

        s.keys = self.keys(self.table(data, "keys"))
        return s

    # -- one key each ----------------------------------------------------------------------------

    def environment(self, value: Any) -> str:
        expected = 'one of "demo", "sim" or "live"'
        if not isinstance(value, str):
            self.fail(("environment",), expected, value)
        if value.lower() in ENVIRONMENTS:
            return value.lower()
        close = _did_you_mean(value.lower(), ENVIRONMENTS)
        self.fail(("environment",), expected, value, f'did you mean "{close}"?' if close else "")
        raise AssertionError  # pragma: no cover

    def watchlists(self, value: Any) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            self.fail(
                ("watchlists",),
                'a table of named symbol lists, e.g. [watchlists] tech = ["AAPL", "MSFT"]',
                value,
            )
        if not value:
            self.fail(("watchlists",), "at least one watchlist", value)
        result: dict[str, list[str]] = {}
        for name, symbols in value.items():
            key = ("watchlists", name)
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

    def default_watchlist(self, value: Any, watchlists: Mapping[str, list[str]]) -> str:
        names = ", ".join(_toml_repr(n) for n in watchlists)
        expected = f"the name of a watchlist ({names})"
        if not isinstance(value, str):
            self.fail(("default_watchlist",), expected, value)
        if value not in watchlists:
            close = _did_you_mean(value, watchlists)
            self.fail(("default_watchlist",), expected, value,
                      f'did you mean "{close}"?' if close else "")
        return value

    def accounts(self, value: Any) -> list[str]:
        expected = ('a list of account ids as strings, e.g. ["11111111"] '
                    "(leave the key out for every account)")
        if not isinstance(value, list) or not value:
            self.fail(("accounts",), expected, value)
        for index, account in enumerate(value):
            if not isinstance(account, str) or not account or any(c.isspace() for c in account):
                self.fail(("accounts", index), 'an account id as a string, e.g. "11111111"',
                          account)
        return list(value)

    def read_timeout(self, value: Any) -> float:
        key = ("streams", "read_timeout")
        expected = "a number of seconds greater than 0"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, expected, value)
        if not math.isfinite(value) or value <= 0:
            self.fail(key, expected, value)
        return float(value)

    def bars(self, table: dict[str, Any]) -> BarsSettings:
        self.check_keys(table, ("bars",), _TABLE_KEYS["bars"])
        bars = BarsSettings()
        if "symbol" in table:
            bars.symbol = self.symbol(("bars", "symbol"), table["symbol"])
        if "unit" in table:
            value = table["unit"]
            expected = 'one of "Minute", "Daily", "Weekly" or "Monthly"'
            if not isinstance(value, str):
                self.fail(("bars", "unit"), expected, value)
            canonical = {u.lower(): u for u in BAR_UNITS}.get(value.lower())
            if canonical is None:
                close = _did_you_mean(value.capitalize(), BAR_UNITS)
                self.fail(("bars", "unit"), expected, value,
                          f'did you mean "{close}"?' if close else "")
            bars.unit = canonical
        if "interval" in table:
            bars.interval = self.interval(table["interval"], bars.unit)
        elif bars.unit != "Minute":
            bars.interval = "1"
        if "barsback" in table:
            bars.barsback = self.integer(
                ("bars", "barsback"), table["barsback"], 1, MAX_BARSBACK,
                f"a whole number of bars from 1 to {MAX_BARSBACK}",
            )
        return bars

    def interval(self, value: Any, unit: str) -> str:
        key = ("bars", "interval")
        if unit == "Minute":
            expected = f'a whole number of minutes from "1" to "{MAX_INTERVAL_MINUTES}"'
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
        high = MAX_INTERVAL_MINUTES if unit == "Minute" else 1
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
    text = tomli_w.dumps(document)  # before touching the disk: a failure here changes nothing
    refuse_read_only(path)
    try:
        locations.atomic_write(path, text)
    except OSError as exc:
        raise ConfigError(
            f"config error in {path}: cannot write the file: {exc.strerror or exc}", path=path
        ) from None
    return path


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


def starting_config_text() -> str:
    """The commented starting config (``tsdash/config_template.toml``; ``config.example.toml``
    at the top of the repository is a copy, checked by a test)."""
    return resources.files("tsdash").joinpath("config_template.toml").read_text(encoding="utf-8")


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


def settings_fields() -> list[str]:
    """Names of the settings a config file can hold (``Settings`` fields minus ``path``)."""
    return [f.name for f in dataclasses.fields(Settings) if f.name != "path"]
