"""Helpers shared by the config tests (fixtures live in conftest.py)."""

from __future__ import annotations

import dataclasses
import logging
import logging.handlers

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
