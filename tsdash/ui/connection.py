"""How the dashboard gets its TradeStationClient: the demo simulator or a signed-in account.

A *connector* is built in a plain sync context (the App's constructor, a test, the launcher) and
does nothing until ``await connector.connect(settings)`` runs inside the app's event loop (a
worker started on mount). It returns a :class:`Connection`; ``await connection.close()`` closes
the client and, for the demo, stops the simulator.

Tests inject their own connector (``DemoConnector(clock="fixed", ...)``) and reach the simulator
through ``connector.sim``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tsdash.api import TradeStationClient
    from tsdash.config import Settings

DEMO = "DEMO"
SIM = "SIM"
LIVE = "LIVE"

CLIENT_SECRET_ENV = "TS_CLIENT_SECRET"


@dataclass
class Connection:
    client: TradeStationClient
    environment: str  # DEMO | SIM | LIVE
    notice: str | None = None
    sim: Any = None
    closed: bool = field(default=False, init=False)

    async def close(self) -> None:
        """Close the client (every stream, the session), then stop the simulator. Idempotent."""
        if self.closed:
            return
        self.closed = True
        try:
            await self.client.close()
        finally:
            if self.sim is not None:
                await self.sim.stop()


class Connector(Protocol):
    environment: str
    notice: str | None

    async def connect(self, settings: Settings) -> Connection: ...


def client_options(settings: Settings) -> dict[str, Any]:
    return {
        "max_concurrent_streams": settings.max_concurrent_streams,
        "read_timeout": settings.read_timeout,
        "auto_reconnect": settings.auto_reconnect,
    }


class DemoConnector:
    """Start the embedded simulator (port 0) and a client signed in with its demo credentials."""

    environment = DEMO

    def __init__(self, *, seed: int = 1, clock: str = "real", notice: str | None = None,
                 sim_options: Mapping[str, Any] | None = None,
                 client_overrides: Mapping[str, Any] | None = None) -> None:
        self.seed = seed
        self.clock = clock
        self.notice = notice
        self.sim_options = dict(sim_options or {})
        self.client_overrides = dict(client_overrides or {})
        self.sim: Any = None
        self.client: TradeStationClient | None = None

    async def connect(self, settings: Settings) -> Connection:
        from tsdash.api import TokenManager, TradeStationClient
        from tsdash.sim import (
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            DEMO_REFRESH_TOKEN,
            start_simulator,
        )

        sim = await start_simulator(host="127.0.0.1", port=0, seed=self.seed, clock=self.clock,
                                    **self.sim_options)
        self.sim = sim
        try:
            tokens = TokenManager(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                                  refresh_token=DEMO_REFRESH_TOKEN, token_url=sim.token_url)
            options = {**client_options(settings), **self.client_overrides}
            client = TradeStationClient(base_url=sim.base_url, token_manager=tokens, **options)
        except BaseException:
            await sim.stop()
            raise
        self.client = client
        return Connection(client, DEMO, self.notice, sim)


class SimulatorConnector:
    """A client against a simulator that is already running (a test's fixture, a benchmark).

    The simulator belongs to the caller: closing the connection closes the client only, unless
    ``stop_simulator=True``.
    """

    environment = DEMO

    def __init__(self, sim: Any, *, stop_simulator: bool = False, notice: str | None = None,
                 client_overrides: Mapping[str, Any] | None = None) -> None:
        self.sim = sim
        self.notice = notice
        self.stop_simulator = stop_simulator
        self.client_overrides = dict(client_overrides or {})
        self.client: TradeStationClient | None = None

    async def connect(self, settings: Settings) -> Connection:
        from tsdash.api import TokenManager, TradeStationClient
        from tsdash.sim import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

        tokens = TokenManager(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                              refresh_token=DEMO_REFRESH_TOKEN, token_url=self.sim.token_url)
        options = {**client_options(settings), **self.client_overrides}
        self.client = TradeStationClient(base_url=self.sim.base_url, token_manager=tokens,
                                         **options)
        return Connection(self.client, DEMO, self.notice,
                          self.sim if self.stop_simulator else None)


class AccountConnector:
    """A real TradeStation environment (sim or live) with a stored refresh token."""

    def __init__(self, environment: str, *, client_id: str, client_secret: str,
                 refresh_token: str, token_url: str | None = None) -> None:
        self.environment = environment.upper()
        self.notice = None
        self._env = environment.lower()
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._token_url = token_url

    def __repr__(self) -> str:  # never show the secret or token
        return f"AccountConnector({self._env!r}, client_id={self._client_id!r})"

    async def connect(self, settings: Settings) -> Connection:
        from tsdash.api import TokenManager, TradeStationClient

        kwargs: dict[str, Any] = {}
        if self._token_url:
            kwargs["token_url"] = self._token_url
        tokens = TokenManager(client_id=self._client_id, client_secret=self._client_secret,
                              refresh_token=self._refresh_token, **kwargs)
        client = TradeStationClient(environment=self._env, token_manager=tokens,
                                    **client_options(settings))
        return Connection(client, self.environment, None)


def choose_connector(settings: Settings, *, demo: bool = False,
                     environ: Mapping[str, str] | None = None) -> Connector:
    """``--demo`` or environment "demo": the simulator. Otherwise the stored login for the
    configured environment, its client id and ``TS_CLIENT_SECRET``; if anything is missing, the
    demo again, with a notice saying what is missing and what to do."""
    if demo or settings.environment == "demo":
        return DemoConnector()
    environ = os.environ if environ is None else environ
    env = settings.environment
    missing: list[str] = []
    login = None
    try:
        from tsdash.credentials import CredentialsError, load_login

        try:
            login = load_login(env)
        except CredentialsError as exc:
            missing.append(str(exc))
    except ImportError:  # pragma: no cover - credentials ship with tsdash
        pass
    if login is None and not missing:
        missing.append(f"no stored sign-in for {env}")
    client_id = (login.client_id if login else None) or settings.client_id
    if not client_id:
        missing.append("no client_id")
    secret = environ.get(CLIENT_SECRET_ENV, "")
    if not secret:
        missing.append(f"{CLIENT_SECRET_ENV} is not set")
    if missing or login is None or not client_id:
        notice = (f"{env.upper()} credentials missing ({'; '.join(missing)}): showing the DEMO. "
                  "Run `tsdash login` and set TS_CLIENT_SECRET.")
        return DemoConnector(notice=notice)
    return AccountConnector(env, client_id=client_id, client_secret=secret,
                            refresh_token=login.refresh_token)
