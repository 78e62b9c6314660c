"""The stored refresh token: written by `tsdash login`, read by the dashboard, removed by logout.

One file (``locations.token_file()``, mode 0600) holds one entry per environment, so a user can be
signed in to both sim and live. The file never holds the client secret.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from tsdash.locations import token_file, write_private_file

ENVIRONMENTS = ("sim", "live")


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
    try:
        data = _read_all(target)
    except CredentialsError:
        data = {}  # a broken file is replaced by a good one
    data[environment] = {"client_id": client_id, "refresh_token": refresh_token, "saved_at": time.time()}
    return write_private_file(target, json.dumps(data, indent=2) + "\n")


def delete_login(environment: str | None = None, path: Path | None = None) -> list[StoredLogin]:
    """Forget one environment's login (or all); returns what was removed, for revocation."""
    target = path or token_file()
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
