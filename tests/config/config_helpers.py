"""Helpers shared by the config tests (fixtures live in conftest.py)."""

from __future__ import annotations

import logging
import logging.handlers

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
