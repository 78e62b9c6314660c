"""Logging to a rotating file, never to the terminal (the dashboard owns the screen).

```python
from tsdash.logs import setup_logging
log_path = setup_logging(args.log_level)   # before the app starts; ConfigError for a bad level
```

Every record passes through :class:`RedactTokensFilter`, which blanks anything that looks like a
bearer token, an access/refresh/id token or a client secret. The api layer must not log tokens in
the first place; this is a second line of defence.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from tsdash import locations
from tsdash.config import ConfigError

__all__ = [
    "DEFAULT_LEVEL",
    "LEVELS",
    "LOG_BACKUPS",
    "LOG_MAX_BYTES",
    "RedactTokensFilter",
    "RedactingFormatter",
    "parse_level",
    "redact",
    "setup_logging",
]

LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LEVEL = "INFO"
LOG_MAX_BYTES = 1024 * 1024  # 1 MiB per file
LOG_BACKUPS = 3  # tsdash.log.1 .. tsdash.log.3
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
REDACTED = "[REDACTED]"

_SECRET_NAMES = r"(?:access_token|refresh_token|id_token|client_secret|password|code_verifier)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer <token>
    (re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*"), rf"\1\2{REDACTED}"),
    # "access_token": "value" | 'refresh_token': 'value' | access_token=value (query/form/kwargs)
    (
        re.compile(
            rf"(?i)(\b{_SECRET_NAMES}\b[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED\])([^\"'\s&,;}})\]]+)"
        ),
        rf"\1{REDACTED}",
    ),
    # Anything shaped like a JWT, wherever it appears.
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"), REDACTED),
)


def redact(text: str) -> str:
    """``text`` with token-like values replaced by ``[REDACTED]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokensFilter(logging.Filter):
    """Rewrites a record's message (arguments merged in) with token values redacted.

    Attached to tsdash's handler, so it sees records from every logger (aiohttp's included).
    Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler's error path
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """A Formatter whose whole output (tracebacks and stack info included) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def parse_level(level: str | int | None) -> int:
    """``--log-level`` to a logging level. None: INFO. Names are case-insensitive."""
    if level is None:
        return logging.getLevelName(DEFAULT_LEVEL)
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    if isinstance(level, str) and level.strip().upper() in LEVELS:
        return logging.getLevelName(level.strip().upper())
    shown = f'"{level}"' if isinstance(level, str) else repr(level)
    raise ConfigError(
        f"--log-level: expected one of {', '.join(LEVELS[:4])} (or CRITICAL), found {shown}"
    )


_HANDLER_MARK = "_tsdash_handler"


def setup_logging(level: str | int | None = None,
                  path: str | os.PathLike[str] | None = None) -> Path:
    """Send log records to a rotating file and return its path.

    ``level``: the ``--log-level`` value (DEBUG, INFO, WARNING, ERROR, CRITICAL; any case;
    None: INFO). A bad value raises :class:`~tsdash.config.ConfigError`. ``path``: the log file
    (None: :func:`tsdash.locations.log_file`); its directory is created. Files rotate at 1 MiB,
    keeping 3 old ones.

    Configures the root logger, so libraries' records go to the same file, and removes the
    terminal handlers logging may have (nothing is ever written to the screen while the
    dashboard runs). Python warnings are routed to the log too. Calling it again replaces the
    previous tsdash handler.
    """
    numeric = parse_level(level)
    log_path = Path(path).expanduser() if path is not None else locations.log_file()
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=False
        )
    except OSError as exc:
        raise ConfigError(f"cannot write the log file {log_path}: {exc.strerror or exc}") from None
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    handler.addFilter(RedactTokensFilter())
    handler.setLevel(numeric)
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _HANDLER_MARK, False):
            root.removeHandler(old)
            old.close()
        elif isinstance(old, logging.StreamHandler) and not isinstance(old, logging.FileHandler):
            stream = getattr(old, "stream", None)
            if stream is not None and getattr(stream, "isatty", lambda: False)():
                root.removeHandler(old)  # a terminal handler would scribble over the TUI
    root.addHandler(handler)
    root.setLevel(numeric)
    logging.captureWarnings(True)
    return log_path


def teardown_logging() -> None:
    """Remove and close the handler :func:`setup_logging` installed (tests, clean exit)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _HANDLER_MARK, False):
            root.removeHandler(old)
            old.close()
    logging.captureWarnings(False)
