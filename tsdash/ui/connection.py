"""How the dashboard gets its TradeStationClient: the demo simulator or a signed-in account.

A *connector* is built in a plain sync context (the App's constructor, a test, the launcher) and
does nothing until ``await connector.connect(settings)`` runs inside the app's event loop (a
worker started on mount). It returns a :class:`Connection`; ``await connection.close()`` closes
the client and, for the demo, stops the simulator.

Tests inject their own connector (``DemoConnector(clock="fixed", ...)``) and reach the simulator
through ``connector.sim``. Every connector is a :class:`Connector`: what the app needs from one is
declared there, so the app never probes a connector for what it may have.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tsdash.config import Environment

if TYPE_CHECKING:
    from tsdash.api import TokenManager, TradeStationClient
    from tsdash.config import Settings
    from tsdash.sim.server import Simulator


class EnvironmentLabel(StrEnum):
    """The environment as the status bar shows it: the config's ``Environment``, in capitals."""

    DEMO = "DEMO"
    SIM = "SIM"
    LIVE = "LIVE"

    @classmethod
    def of(cls, environment: Environment) -> EnvironmentLabel:
        return cls[environment.name]


CLIENT_SECRET_ENV = "TS_CLIENT_SECRET"
#: point an account at another server, e.g. a `tsdash sim` (used with `tsdash login --signin-url`)
API_URL_ENV = "TSDASH_API_URL"
SIGNIN_URL_ENV = "TSDASH_SIGNIN_URL"

log = logging.getLogger(__name__)


@dataclass
class Connection:
    client: TradeStationClient
    environment: EnvironmentLabel
    #: a simulator this connection started and stops when it closes (the demo's)
    sim: Simulator | None = None
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


class Connector(ABC):
    """What the dashboard asks of the place its client comes from (the demo, a running simulator,
    a signed-in account; a test's or a benchmark's own)."""

    #: shown in the status bar
    environment: EnvironmentLabel = EnvironmentLabel.DEMO
    #: the simulator behind the client, when there is one (tests and benchmarks drive it)
    sim: Simulator | None = None

    @abstractmethod
    async def connect(self, settings: Settings) -> Connection:
        """A client ready to stream, in a Connection that closes everything connect() started."""

    async def abandon(self) -> None:
        """The app quits before connect() handed over its Connection: stop what connect() had
        started by then (the demo's simulator)."""

    def reload_sign_in(self) -> bool:
        """Before a manual reconnect: pick up a sign-in renewed elsewhere; True when it did."""
        return False


#: what connect() imports: a client needs aiohttp; the demo also runs the simulator (aiohttp's
#: server)
CLIENT_MODULES = ("tsdash.api",)
DEMO_MODULES = (*CLIENT_MODULES, "tsdash.sim")


async def _import_in_thread(modules: Iterable[str]) -> None:
    """Import what connect() needs in a thread, not on the event loop: aiohttp asks for that
    (its import reads the system's CA certificates from disk, ~0.1 s here), and the screen
    keeps answering keys meanwhile."""
    await asyncio.to_thread(_import_all, tuple(modules))


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the import in connect() raises it again, where it is reported
            log.debug("could not import %s ahead of connecting", name, exc_info=True)
            return


def client_options(settings: Settings) -> dict[str, Any]:
    return {
        "max_concurrent_streams": settings.max_concurrent_streams,
        "read_timeout": settings.read_timeout,
        "auto_reconnect": settings.auto_reconnect,
    }


class DemoConnector(Connector):
    """Start the embedded simulator (port 0) and a client signed in with its demo credentials."""

    environment = EnvironmentLabel.DEMO

    def __init__(self, *, seed: int = 1, clock: str = "real",
                 sim_options: Mapping[str, Any] | None = None,
                 client_overrides: Mapping[str, Any] | None = None) -> None:
        self.seed = seed
        self.clock = clock
        self.sim_options = dict(sim_options or {})
        self.client_overrides = dict(client_overrides or {})
        self.client: TradeStationClient | None = None

    async def abandon(self) -> None:
        if self.sim is not None:
            await self.sim.stop()

    async def connect(self, settings: Settings) -> Connection:
        await _import_in_thread(DEMO_MODULES)
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
        return Connection(client, EnvironmentLabel.DEMO, sim)


class SimulatorConnector(Connector):
    """A client against a simulator that is already running (a test's fixture, a benchmark).

    The simulator belongs to the caller: closing the connection closes the client only, unless
    ``stop_simulator=True``.
    """

    environment = EnvironmentLabel.DEMO

    sim: Simulator

    def __init__(self, sim: Simulator, *, stop_simulator: bool = False,
                 client_overrides: Mapping[str, Any] | None = None) -> None:
        self.sim = sim
        self.stop_simulator = stop_simulator
        self.client_overrides = dict(client_overrides or {})
        self.client: TradeStationClient | None = None

    async def abandon(self) -> None:
        if self.stop_simulator:
            await self.sim.stop()

    async def connect(self, settings: Settings) -> Connection:
        await _import_in_thread(CLIENT_MODULES)
        from tsdash.api import TokenManager, TradeStationClient
        from tsdash.sim import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

        tokens = TokenManager(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                              refresh_token=DEMO_REFRESH_TOKEN, token_url=self.sim.token_url)
        options = {**client_options(settings), **self.client_overrides}
        self.client = TradeStationClient(base_url=self.sim.base_url, token_manager=tokens,
                                         **options)
        return Connection(self.client, EnvironmentLabel.DEMO,
                          self.sim if self.stop_simulator else None)


class SignInRequired(Exception):
    """The configured TradeStation environment cannot be used as things stand: no stored sign-in,
    no client secret, or TradeStation refused the stored refresh token. The message says what
    to do; the launcher prints it instead of starting (or after ending) the dashboard."""


class AccountConnector(Connector):
    """A real TradeStation environment (sim or live) with a stored refresh token.

    ``connect()`` asks for a first access token before any panel subscribes, so a revoked or
    expired sign-in ends the start-up with :class:`SignInRequired` instead of six failed panels.
    The TokenManager shares the token file with other tsdash processes (a
    :class:`~tsdash.credentials.TokenFileStore`): each refresh starts from the token stored
    there and writes a rotated one back under the file's lock, so ``tsdash snapshot`` or a
    second dashboard does not sign this one out.
    """

    def __init__(self, environment: str, *, client_id: str, client_secret: str,
                 refresh_token: str, token_url: str | None = None,
                 base_url: str | None = None) -> None:
        self.environment = EnvironmentLabel.of(Environment(environment.lower()))
        self._env = environment.lower()
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._token_url = token_url
        self._base_url = base_url
        self._tokens: TokenManager | None = None

    def __repr__(self) -> str:  # never show the secret or token
        return f"AccountConnector({self._env!r}, client_id={self._client_id!r})"

    def reload_sign_in(self) -> bool:
        """Pick up a new ``tsdash login`` made after the sign-in was refused (called before a
        manual reconnect): True when the stored refresh token changed and is now in use. A
        working sign-in needs nothing: its next refresh reads the token file anyway."""
        from tsdash.credentials import CredentialsError, load_login

        tokens = self._tokens
        if tokens is None or not tokens.sign_in_refused:
            return False
        try:
            stored = load_login(self._env)
        except CredentialsError as exc:
            log.warning("cannot read the stored sign-in: %s", exc)
            return False
        if stored is None or stored.client_id != self._client_id \
                or stored.refresh_token == tokens.refresh_token:
            return False
        tokens.use_refresh_token(stored.refresh_token)
        log.info("using the new sign-in stored for %s", self._env)
        return True

    async def connect(self, settings: Settings) -> Connection:
        await _import_in_thread(CLIENT_MODULES)
        from tsdash.api import AuthError, TokenManager, TradeStationClient
        from tsdash.credentials import TokenFileStore

        kwargs: dict[str, Any] = {}
        if self._token_url:
            kwargs["token_url"] = self._token_url
        tokens = TokenManager(client_id=self._client_id, client_secret=self._client_secret,
                              refresh_token=self._refresh_token,
                              store=TokenFileStore(self._env, self._client_id), **kwargs)
        self._tokens = tokens
        client = TradeStationClient(environment=self._env, base_url=self._base_url,
                                    token_manager=tokens, **client_options(settings))
        try:
            await tokens.get_token()
        except AuthError as exc:
            await client.close()
            raise SignInRequired(
                f"the stored sign-in for {self._env} no longer works: {_reason(exc)}. "
                f"Run `tsdash login --env {self._env}` to sign in again."
            ) from None
        except BaseException:
            await client.close()
            raise
        return Connection(client, self.environment)


def _reason(error: BaseException) -> str:
    """The server's words without the generic hint (the caller gives its own)."""
    from tsdash.api.errors import LOGIN_HINT

    text = " ".join(str(error).replace(LOGIN_HINT, "").split()).replace(".)", ")").rstrip(". ")
    return text or type(error).__name__


def choose_connector(settings: Settings, *, demo: bool = False,
                     environ: Mapping[str, str] | None = None,
                     ask_secret: Callable[[str], str] | None = None) -> Connector:
    """``--demo`` or environment "demo": the simulator. Otherwise the stored sign-in for the
    configured environment and the client secret (``TS_CLIENT_SECRET``, else ``ask_secret``,
    a prompt when there is a terminal).

    Raises :class:`SignInRequired` when the environment cannot be used: tsdash never shows
    the demo in place of the account the config asks for.
    ``TSDASH_API_URL`` and ``TSDASH_SIGNIN_URL`` point an account at another server (a
    ``tsdash sim``, to try the whole flow offline), as ``tsdash login --signin-url`` does.
    """
    if demo or settings.environment == Environment.DEMO:
        return DemoConnector()
    from tsdash.credentials import CredentialsError, load_login

    environ = os.environ if environ is None else environ
    env = settings.environment
    try:
        login = load_login(env)
    except CredentialsError as exc:
        raise SignInRequired(str(exc)) from None
    if login is None:
        raise SignInRequired(
            f"not signed in to TradeStation {env} (the config {settings.path} sets "
            f"environment = \"{env}\"). Run `tsdash login --env {env}`, or `tsdash --demo` "
            "for the simulated market."
        )
    secret = environ.get(CLIENT_SECRET_ENV, "").strip()
    if not secret and ask_secret is not None:
        secret = ask_secret(f"TradeStation client secret for {login.client_id} (input hidden): ")
        secret = (secret or "").strip()
    if not secret:
        raise SignInRequired(
            f"no client secret: set {CLIENT_SECRET_ENV} (it is never read from the config "
            "file), or run tsdash in a terminal to be asked for it"
        )
    signin = environ.get(SIGNIN_URL_ENV, "").strip().rstrip("/")
    return AccountConnector(env, client_id=login.client_id, client_secret=secret,
                            refresh_token=login.refresh_token,
                            token_url=f"{signin}/oauth/token" if signin else None,
                            base_url=environ.get(API_URL_ENV, "").strip() or None)
