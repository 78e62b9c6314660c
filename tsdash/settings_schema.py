"""How a config key is declared: a settings dataclass field carrying a :class:`Key`.

``tsdash.config`` declares every key once, as a field of ``Settings`` (or of a table class such
as ``BarsSettings``) made with :func:`setting`: the field's annotation is the key's type, its
default the key's default, and its :class:`Key` the file table it is written in, its bounds or
choices, the phrase error messages use for what is expected, and the help text. Validation and
the commented starting config (``tsdash init``, ``config.example.toml``) are both read from these
declarations, so a new key is one new field.

This module holds only that machinery and the small text helpers both sides share; it imports
the standard library and tomli_w.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import tomli_w

__all__ = [
    "ARRAY_OF_TABLES_KINDS",
    "TABLE_KINDS",
    "Key",
    "Kind",
    "Place",
    "did_you_mean",
    "describe_value",
    "format_key",
    "key_of",
    "one_of",
    "places",
    "array_of_tables_lines",
    "render_template",
    "setting",
    "setting_made",
    "table_keys",
    "toml_value",
    "top_level_names",
    "validation_order",
]

T = TypeVar("T")

#: where a field's Key is kept in ``dataclasses.Field.metadata``
_META = "tsdash.key"
#: help text is wrapped to this width, after the "# " that starts a comment line
_HELP_WIDTH = 77
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")


class Kind(StrEnum):
    """How a key's value is checked (its type and what makes it valid)."""

    TEXT = "text"                      # a non-empty string
    WHOLE = "whole"                    # an integer from low to high
    NUMBER = "number"                  # an integer or float greater than low
    FLAG = "flag"                      # true or false
    CHOICE = "choice"                  # one of choices, in any case
    SYMBOL = "symbol"                  # a ticker symbol
    WATCHLISTS = "watchlists"          # a table of named symbol lists
    WATCHLIST_NAME = "watchlist_name"  # the name of one of the watchlists (``after`` names them)
    ACCOUNTS = "accounts"              # a list of account ids
    BAR_INTERVAL = "bar_interval"      # a bar size, bounded by the unit (``after`` names it)
    KEY_BINDINGS = "key_bindings"      # the [keys] table: binding id = key names
    TABLE = "table"                    # a table of its own keys (the field's type is a dataclass)
    CHOICE_LIST = "choice_list"        # a list of names from choices, each once (may be empty)
    ALERTS = "alerts"                  # an array of [[alerts]] tables, one alert rule each


#: kinds written as a [table] of their own
TABLE_KINDS = frozenset({Kind.WATCHLISTS, Kind.KEY_BINDINGS, Kind.TABLE, Kind.ALERTS})
#: kinds written as an array of tables ([[name]]): one table per item
ARRAY_OF_TABLES_KINDS = frozenset({Kind.ALERTS})


@dataclass(frozen=True)
class Key:
    """What a settings field means in the file, beyond its type and default.

    ``table``: the [table] the key is written in (None: the top of the file). ``low``/``high``:
    bounds (a NUMBER must be greater than ``low``). ``unit``: what is counted ("bars"), for the
    expected phrase. ``what``: what a TEXT is ("a theme name"). ``expected``: the whole phrase,
    when the one built from the rest would not read well. ``after``: a field this one is checked
    after (its value bounds this one). ``example``: the commented-out line's value for a key
    whose default is None (left out). ``help``: the template's comment; a line starting with a
    space is kept as written, others are wrapped. An array of tables (``Kind.ALERTS``) is left
    empty by default and its ``example`` (a list of tables) is written commented out.
    ``live_reload``: the running dashboard takes a change made to the file at once (the others
    are used at the next start).
    """

    kind: Kind
    help: str
    table: str | None = None
    low: int | float | None = None
    high: int | float | None = None
    unit: str = ""
    what: str = ""
    choices: tuple[str, ...] = ()
    expected: str = ""
    after: str | None = None
    example: object = None
    live_reload: bool = False

    def expected_phrase(self) -> str:
        """What an error message says was expected ("a whole number of bars from 1 to 57600")."""
        if self.expected:
            return self.expected
        of = f" of {self.unit}" if self.unit else ""
        if self.kind is Kind.WHOLE:
            return f"a whole number{of} from {self.low} to {self.high}"
        if self.kind is Kind.NUMBER:
            return f"a number{of} greater than {self.low}"
        if self.kind is Kind.FLAG:
            return "true or false"
        if self.kind is Kind.CHOICE:
            return one_of(self.choices)
        if self.kind is Kind.TEXT:
            return f"{self.what} (a non-empty string)" if self.what else "a non-empty string"
        if self.kind is Kind.CHOICE_LIST:
            names = ", ".join(f'"{choice}"' for choice in self.choices)
            return f"a list of names from {names} (each at most once; [] for none)"
        raise ValueError(f"a {self.kind} key states what it expects itself")


def one_of(choices: Iterable[str]) -> str:
    """'one of "a", "b" or "c"', for messages."""
    quoted = [f'"{choice}"' for choice in choices]
    return "one of " + ", ".join(quoted[:-1]) + " or " + quoted[-1]


def setting(default: T, key: Key) -> T:
    """A settings field whose default is ``default`` (an immutable value)."""
    result: T = field(default=default, metadata={_META: key})
    return result


def setting_made(factory: Callable[[], T], key: Key) -> T:
    """A settings field whose default is made by ``factory`` (a list, dict or table)."""
    result: T = field(default_factory=factory, metadata={_META: key})
    return result


def key_of(item: dataclasses.Field[Any]) -> Key | None:
    """The :class:`Key` declared for a settings field, None for a field that is not in the
    file (``Settings.path``)."""
    key = item.metadata.get(_META)
    return key if isinstance(key, Key) else None


@dataclass(frozen=True)
class Place:
    """A declared key and where it is written: ``path`` ("streams", "read_timeout")."""

    name: str
    key: Key
    path: tuple[str, ...]
    default: Any
    #: the table class of a Kind.TABLE key (its fields are its keys)
    table_class: type | None = None


def _default(item: dataclasses.Field[Any]) -> Any:
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    if item.default is not dataclasses.MISSING:
        return item.default
    raise TypeError(f"settings field {item.name} has no default")  # every key is optional


def places(cls: type) -> list[Place]:
    """Every key a settings class declares, in declaration order, with where it is written."""
    hints = _table_classes(cls)
    out = []
    for item in dataclasses.fields(cls):
        key = key_of(item)
        if key is None:
            continue
        path = (item.name,) if key.table is None else (key.table, item.name)
        out.append(Place(item.name, key, path, _default(item), hints.get(item.name)))
    return out


def _table_classes(cls: type) -> dict[str, type]:
    """Field name -> the dataclass its Kind.TABLE key holds (from the default's type)."""
    out: dict[str, type] = {}
    for item in dataclasses.fields(cls):
        key = key_of(item)
        if key is not None and key.kind is Kind.TABLE:
            out[item.name] = type(_default(item))
    return out


def validation_order(cls: type) -> list[Place]:
    """The keys in declaration order, except that a key declared ``after`` another is checked
    straight after it (a bar interval after the unit that bounds it)."""
    declared = places(cls)
    later = [p for p in declared if p.key.after is not None]
    order: list[Place] = []
    for place in declared:
        if place.key.after is not None:
            continue
        order.append(place)
        order.extend(p for p in later if p.key.after == place.name)
    missing = [p.name for p in later if p not in order]
    if missing:
        raise TypeError(f"settings {missing} are declared after a key that does not exist")
    return order


def top_level_names(cls: type) -> list[str]:
    """The names allowed at the top of the file: plain keys first, then tables (TOML needs
    that order when writing), each in declaration order."""
    keys: list[str] = []
    tables: list[str] = []
    for place in places(cls):
        if len(place.path) > 1:
            tables.append(place.path[0])
        elif place.key.kind in TABLE_KINDS:
            tables.append(place.name)
        else:
            keys.append(place.name)
    return keys + list(dict.fromkeys(tables))


def table_keys(cls: type) -> dict[str, list[str]]:
    """Each table of fixed keys -> its keys: a Kind.TABLE class's fields, and the keys declared
    with ``table=``."""
    out: dict[str, list[str]] = {}
    for place in places(cls):
        if place.table_class is not None:
            out[place.name] = [p.name for p in places(place.table_class)]
        elif len(place.path) > 1:
            out.setdefault(place.path[0], []).append(place.name)
    return out


# --------------------------------------------------------------------------------------------
# The commented starting config
# --------------------------------------------------------------------------------------------


def render_template(cls: type, header: str, table_help: Mapping[str, str],
                    key_bindings: Callable[[], Iterable[tuple[str, str, str]]]) -> str:
    """The commented config file for settings class ``cls``: ``header``, then every key with
    its help above it and its default (or, for a key left out by default, its example commented
    out). ``table_help`` is the comment above a [table] no field stands for (``streams``);
    ``key_bindings`` gives the [keys] table's (id, default key, description) rows."""
    blocks = [header.rstrip("\n")]
    tables: dict[str, list[Place]] = {}
    for place in places(cls):
        if len(place.path) > 1:
            tables.setdefault(place.path[0], []).append(place)
        elif place.key.kind in TABLE_KINDS:
            tables.setdefault(place.name, []).append(place)
        else:
            blocks.append("\n".join(_key_lines(place)))
    for name, members in tables.items():
        lines: list[str]
        if len(members) == 1 and members[0].path == (name,):
            (place,) = members
            lines = [*_comment(place.key.help), f"[{name}]"]
            if place.key.kind in ARRAY_OF_TABLES_KINDS:  # empty by default: its example, off
                lines = [*_comment(place.key.help)]
                example = place.key.example if isinstance(place.key.example, list) else []
                lines += [f"# {line}" if line else "#"
                          for line in array_of_tables_lines(name, example)]
            elif place.table_class is not None:
                for inner in places(place.table_class):
                    lines += _key_lines(inner)
            elif place.key.kind is Kind.KEY_BINDINGS:
                for binding, key, description in key_bindings():
                    lines += [*_comment(description), f"{binding} = {toml_value(key)}"]
            else:
                lines += [f"{format_key([k])} = {toml_value(v)}" for k, v in place.default.items()]
        else:
            lines = [*_comment(table_help.get(name, "")), f"[{name}]"]
            for place in members:
                lines += _key_lines(place)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def array_of_tables_lines(name: str, tables: Iterable[Mapping[str, Any]]) -> list[str]:
    """``tables`` written as TOML's array of tables: a ``[[name]]`` header above each one's
    keys, a blank line between two."""
    lines: list[str] = []
    for table in tables:
        if lines:
            lines.append("")
        lines.append(f"[[{format_key([name])}]]")
        lines += tomli_w.dumps(dict(table)).splitlines()
    return lines


def _key_lines(place: Place) -> list[str]:
    if place.default is None:
        return [*_comment(place.key.help), f"# {place.name} = {toml_value(place.key.example)}"]
    return [*_comment(place.key.help), f"{place.name} = {toml_value(place.default)}"]


def _comment(text: str) -> Iterator[str]:
    for line in text.split("\n") if text else ():
        if not line.strip():
            yield "#"
        elif line.startswith(" "):
            yield f"# {line}"
        else:
            yield from (f"# {part}" for part in textwrap.wrap(
                line, _HELP_WIDTH, break_long_words=False, break_on_hyphens=False))


# --------------------------------------------------------------------------------------------
# Text helpers shared by validation and the template
# --------------------------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """``value`` as TOML writes it on one line (lists inline)."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[4:].rstrip("\n")


def describe_value(value: Any) -> str:
    """A TOML-ish rendering of ``value`` with its type, for "found ..." in messages."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{short_toml(value)} (a number)"
    if isinstance(value, str):
        return f"{short_toml(value)} (a string)" if value else '"" (an empty string)'
    if isinstance(value, list):
        return f"{short_toml(value)} (a list)" if value else "[] (an empty list)"
    if isinstance(value, dict):
        return "a table" if value else "an empty table"
    if isinstance(value, _dt.datetime):
        return f"{value.isoformat()} (a date-time)"
    if isinstance(value, _dt.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, _dt.time):
        return f"{value.isoformat()} (a time)"
    return repr(value)  # pragma: no cover - tomllib produces nothing else


def short_toml(value: Any, limit: int = 60) -> str:
    """``value`` as TOML, cut to ``limit`` characters, for messages."""
    if isinstance(value, (str, float)):
        text = tomli_w.dumps({"v": value})[4:].rstrip("\n")
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(short_toml(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{...}"
    elif isinstance(value, (_dt.date, _dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def format_key(parts: Iterable[str | int]) -> str:
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


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, if one is close enough to suggest."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not matches:
        matches = difflib.get_close_matches(word.lower(), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None
