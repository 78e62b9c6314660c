"""The stored refresh token: written by `tsdash login`, read by the dashboard, removed by logout.

One file (``locations.token_file()``, mode 0600) holds one entry per environment, so a user can be
signed in to both sim and live. The file never holds the client secret.

Every process that changes the file (``tsdash login``/``logout``, a dashboard or ``tsdash
snapshot`` storing a rotated token) does so under an exclusive ``flock`` on ``token.json.lock``
beside it. A running TokenManager holds that lock across read, refresh and write
(:class:`TokenFileStore`), so two processes never both rotate the same refresh token.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock
    fcntl = None  # type: ignore[assignment]

from tsdash.locations import token_file, write_private_file

ENVIRONMENTS = ("sim", "live")
#: how long `tsdash login`/`logout` wait for a dashboard's refresh to release the token file
LOCK_WAIT = 75.0

log = logging.getLogger("tsdash.credentials")


@dataclass(frozen=True)
class StoredLogin:
    environment: str
    client_id: str
    refresh_token: str
    saved_at: float

    def __repr__(self) -> str:  # never print the token, even in a traceback
        return f"StoredLogin(environment={self.environment!r}, client_id={self.client_id!r})"


class CredentialsError(Exception):
    """The token file exists but cannot be used; the message says what to do."""


def _read_all(path: Path) -> dict[str, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialsError(f"cannot read {path}: {exc.strerror}; run `tsdash login` again") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise CredentialsError(
            f"{path} is not a valid token file; delete it with `tsdash logout` and run `tsdash login`"
        ) from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{path} is not a valid token file; run `tsdash logout`, then `tsdash login`")
    return data


def load_login(environment: str, path: Path | None = None) -> StoredLogin | None:
    """The stored login for `environment`, or None when the user never signed in there."""
    entry = _read_all(path or token_file()).get(environment)
    if not isinstance(entry, dict):
        return None
    refresh_token, client_id = entry.get("refresh_token"), entry.get("client_id")
    if not (isinstance(refresh_token, str) and refresh_token and isinstance(client_id, str)):
        return None
    return StoredLogin(environment, client_id, refresh_token, float(entry.get("saved_at", 0.0)))


def save_login(environment: str, client_id: str, refresh_token: str, path: Path | None = None) -> Path:
    """Store (or replace) the refresh token for `environment`, keeping the other environment's."""
    target = path or token_file()
    with token_file_lock(target):
        return _write_entry(target, environment, client_id, refresh_token)


def _write_entry(target: Path, environment: str, client_id: str, refresh_token: str) -> Path:
    try:
        data = _read_all(target)
    except CredentialsError:
        data = {}  # a broken file is replaced by a good one
    data[environment] = {"client_id": client_id, "refresh_token": refresh_token, "saved_at": time.time()}
    return write_private_file(target, json.dumps(data, indent=2) + "\n")


def lock_path(path: Path) -> Path:
    """The lock file beside the token file (the token file itself is replaced on every write,
    so it cannot carry the lock)."""
    return path.with_name(path.name + ".lock")


class _FileLock:
    """An exclusive ``flock`` on the lock file, taken without waiting."""

    def __init__(self, path: Path) -> None:
        self.path = lock_path(path)
        self._fd: int | None = None

    def try_lock(self) -> bool:
        if self._fd is not None:
            raise RuntimeError("the token file lock is already held by this object")
        if fcntl is None:  # pragma: no cover - no flock on this platform
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def unlock(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock


@contextlib.contextmanager
def token_file_lock(path: Path | None = None, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the token file's lock (blocking, for the CLI): waits up to ``wait`` seconds for a
    dashboard's refresh, then goes ahead rather than hang."""
    lock = _FileLock(path or token_file())
    deadline = time.monotonic() + wait
    try:
        while not lock.try_lock():
            if time.monotonic() >= deadline:
                log.warning("another tsdash process holds %s; going ahead", lock.path)
                break
            time.sleep(0.05)
    except OSError as exc:  # a lock file that cannot be made must not stop a sign-in
        log.warning("cannot lock %s: %s", lock.path, exc.strerror)
    try:
        yield
    finally:
        lock.unlock()


class TokenFileStore:
    """One environment's entry in the token file, as the TokenManager's ``RefreshTokenStore``:
    rotations made by any tsdash process reach every other one that shares the file."""

    def __init__(self, environment: str, client_id: str, path: Path | None = None) -> None:
        self.environment = environment
        self.client_id = client_id
        self.path = path or token_file()
        self._lock = _FileLock(self.path)

    def __repr__(self) -> str:
        return f"TokenFileStore({self.environment!r}, client_id={self.client_id!r})"

    def try_lock(self) -> bool:
        return self._lock.try_lock()

    def unlock(self) -> None:
        self._lock.unlock()

    def load(self) -> str | None:
        """The stored refresh token, or None when none is stored for this API key."""
        login = load_login(self.environment, self.path)
        if login is None or login.client_id != self.client_id:
            return None
        return login.refresh_token

    def save(self, refresh_token: str) -> None:
        """Replace the stored token; the caller holds the lock."""
        _write_entry(self.path, self.environment, self.client_id, refresh_token)


def delete_login(environment: str | None = None, path: Path | None = None) -> list[StoredLogin]:
    """Forget one environment's login (or all); returns what was removed, for revocation."""
    target = path or token_file()
    if not target.exists():
        return []
    with token_file_lock(target):
        return _delete_entries(target, environment)


def _delete_entries(target: Path, environment: str | None) -> list[StoredLogin]:
    try:
        data = _read_all(target)
    except CredentialsError:
        target.unlink(missing_ok=True)
        return []
    removed = [
        login for env in (ENVIRONMENTS if environment is None else (environment,))
        if (login := load_login(env, target)) is not None
    ]
    for env in ENVIRONMENTS if environment is None else (environment,):
        data.pop(env, None)
    if data:
        write_private_file(target, json.dumps(data, indent=2) + "\n")
    else:
        target.unlink(missing_ok=True)
    return removed
