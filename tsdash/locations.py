"""Every file location tsdash uses, in one place.

All locations are functions, not module-level constants, so they follow the environment at the
moment they are called (tests point ``XDG_*`` at temporary directories). On Linux they honour the
XDG base directories:

=============  ==========================================  ======================================
what           function                                    Linux default
=============  ==========================================  ======================================
config file    :func:`config_file`                         ``~/.config/tsdash/config.toml``
refresh token  :func:`token_file`                          ``~/.local/share/tsdash/token.json``
log file       :func:`log_file`                            ``~/.local/state/tsdash/log/tsdash.log``
UI state       :func:`state_file`                          ``~/.local/state/tsdash/state.json``
alert journal  :func:`alerts_journal_file`                 ``~/.local/state/tsdash/alerts.jsonl``
alert states   :func:`alert_state_file`                    ``~/.local/state/tsdash/alerts-state.json``
=============  ==========================================  ======================================

The config file can be chosen explicitly (``tsdash --config PATH``) or with the
``TSDASH_CONFIG`` environment variable: explicit path > ``TSDASH_CONFIG`` > platform default.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "tsdash"
CONFIG_ENV_VAR = "TSDASH_CONFIG"
CONFIG_FILE_NAME = "config.toml"
TOKEN_FILE_NAME = "token.json"
LOG_FILE_NAME = "tsdash.log"
STATE_FILE_NAME = "state.json"
ALERTS_JOURNAL_NAME = "alerts.jsonl"
ALERT_STATE_NAME = "alerts-state.json"


def _dirs() -> platformdirs.PlatformDirs:
    # appauthor=False: no "tsdash/tsdash" nesting on Windows.
    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The directory of the default config file (``$XDG_CONFIG_HOME/tsdash`` on Linux)."""
    return Path(_dirs().user_config_dir)


def default_config_file() -> Path:
    """The platform default config file, ignoring ``--config`` and ``TSDASH_CONFIG``."""
    return config_dir() / CONFIG_FILE_NAME


def config_file(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: ``explicit`` (``--config``) > ``$TSDASH_CONFIG`` > the default.

    ``~`` is expanded. An empty ``TSDASH_CONFIG`` counts as unset. The file need not exist.
    """
    return config_file_and_source(explicit)[0]


def config_file_and_source(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, str]:
    """Like :func:`config_file`, plus where the choice came from: ``"--config"``,
    ``"TSDASH_CONFIG"`` or ``"default"`` (what ``tsdash config path`` shows)."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser(), "--config"
    from_env = os.environ.get(CONFIG_ENV_VAR, "")
    if from_env.strip():
        return Path(from_env).expanduser(), CONFIG_ENV_VAR
    return default_config_file(), "default"


def data_dir() -> Path:
    """Where tsdash keeps its data (``$XDG_DATA_HOME/tsdash`` on Linux)."""
    return Path(_dirs().user_data_dir)


def token_file() -> Path:
    """The stored refresh token, written by ``tsdash login`` with mode 0600."""
    return data_dir() / TOKEN_FILE_NAME


def state_dir() -> Path:
    """Where tsdash keeps state between runs (``$XDG_STATE_HOME/tsdash`` on Linux)."""
    return Path(_dirs().user_state_dir)


def state_file() -> Path:
    """Small UI state remembered between runs (e.g. the last watchlist shown)."""
    return state_dir() / STATE_FILE_NAME


def alerts_journal_file() -> Path:
    """Every notification the dashboard gave, one JSON line each (``tsdash alerts path``)."""
    return state_dir() / ALERTS_JOURNAL_NAME


def alert_state_file() -> Path:
    """Which alert rules have fired and are waiting to arm again (kept across restarts)."""
    return state_dir() / ALERT_STATE_NAME


def log_dir() -> Path:
    """The log directory (``$XDG_STATE_HOME/tsdash/log`` on Linux)."""
    return Path(_dirs().user_log_dir)


def log_file() -> Path:
    """The rotating log file written by :func:`tsdash.logs.setup_logging`."""
    return log_dir() / LOG_FILE_NAME


def atomic_write(path: str | os.PathLike[str], data: str | bytes, *, mode: int | None = None,
                 dir_mode: int = 0o700) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, flushed and
    fsynced, then ``os.replace``-d over the target. Readers see the old file or the new one,
    never half of either; if anything fails the old file is untouched and no temporary file is
    left behind.

    Missing parent directories are created with ``dir_mode``. The new file gets ``mode`` if
    given, else the existing file's permission bits, else 0o644.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=dir_mode)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            if hasattr(os, "fchmod"):
                os.fchmod(tmp.fileno(), mode)
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        if not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)
    return path


def write_private_file(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Atomically write a file only the user can read (mode 0600, directory 0700): for the
    stored refresh token (:func:`token_file`)."""
    return atomic_write(path, data, mode=0o600, dir_mode=0o700)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); best effort elsewhere."""
    if os.name != "posix":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
