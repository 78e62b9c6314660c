"""Helpers shared by the config tests (fixtures live in conftest.py)."""

from __future__ import annotations

import dataclasses
import logging
import logging.handlers
import re

from tsdash.config import Settings
from tsdash.settings_schema import Place, places

EXISTING = """\
# my settings
environment = "sim"
theme = "old-theme"
client_id = "my-key"
accounts = ["11111111"]

[watchlists]
tech = ["AAPL", "MSFT"]
etfs = ["SPY"]

[bars]
symbol = "QQQ"
unit = "Daily"

[streams]
read_timeout = 7.5
auto_reconnect = true

[ui]
repaint_hz = 12

[keys]
quit = "ctrl+q"
"""


def files_in(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def our_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers
            if isinstance(h, logging.handlers.RotatingFileHandler)]


def flush() -> None:
    for handler in our_handlers():
        handler.flush()


def declared(cls: type = Settings) -> list[Place]:
    """Every key ``cls`` declares, the keys of its table classes (``[bars]``) included, each
    with the path the file writes it at: the declarations are the one list of keys."""
    out: list[Place] = []
    for place in places(cls):
        out.append(place)
        if place.table_class is not None:
            out += [dataclasses.replace(inner, path=place.path + inner.path)
                    for inner in places(place.table_class)]
    return out


#: a [table] or [[array of tables]] header, maybe commented out (an example left off)
_HEADER_RE = re.compile(r"^(?:# )?\[\[?([^\]\[]+)\]\]?$")


def setting_lines(lines: list[str], path: tuple[str, ...]) -> list[int]:
    """Indexes of the lines of a config file that set the key at ``path`` (maybe commented
    out), or open its [table] or [[array of tables]], counting only those in ``path``'s own
    table: ``# symbol = "AAPL"`` of an [[alerts]] example is not ``bars.symbol``."""
    name = path[-1]
    pattern = re.compile(rf"^(# )?({re.escape(name)} = |\[{re.escape(name)}\]$"
                         rf"|\[\[{re.escape(name)}\]\]$)")
    found = []
    table: tuple[str, ...] = ()
    for index, line in enumerate(lines):
        header = _HEADER_RE.match(line)
        in_table = () if header else table
        if header:
            table = (header.group(1),)
        if pattern.match(line) and in_table == path[:-1]:
            found.append(index)
    return found
