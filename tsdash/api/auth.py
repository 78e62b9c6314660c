"""Tokens: the TokenManager (refresh-token grant) and small helpers for the login flow.

The TokenManager refreshes ahead of expiry (at ``expires_at - max(60 s, 10 %)`` of the token's
lifetime), runs one refresh at a time however many streams ask (an asyncio.Lock and a double
check), keeps a rotated refresh token (``refresh_token``, ``on_refresh_token``), and never puts a
token into an exception message, a log line or its repr.

Processes that share one stored refresh token (a dashboard and ``tsdash snapshot``) share its
rotations through a :class:`RefreshTokenStore`: each refresh runs under the store's lock, starts
from the stored token when another process replaced it, and stores a rotated one before the lock
is released. Without that, one process's rotation revokes the token the other still holds.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

from .errors import (
    LOGIN_HINT,
    AuthError,
    RateLimitError,
    StreamConnectionError,
    TSError,
    _body_message,
    parse_retry_after,
)

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger("tsdash.api.auth")

TOKEN_URL = "https://signin.tradestation.com/oauth/token"
AUTHORIZE_URL = "https://signin.tradestation.com/authorize"
AUDIENCE = "https://api.tradestation.com"
DEFAULT_SCOPES = ("openid", "offline_access", "MarketData", "ReadAccount", "Trade")

#: a token endpoint that does not answer within this many seconds is unreachable
TOKEN_REQUEST_TIMEOUT = 30.0
#: how long a refresh waits for another process's refresh (at most two token requests) before
#: going ahead without the store's lock
STORE_LOCK_TIMEOUT = 2 * TOKEN_REQUEST_TIMEOUT + 10.0
STORE_LOCK_POLL = 0.05

_T = TypeVar("_T")


class RefreshTokenStore(Protocol):
    """Where the refresh token is kept and shared with other processes (the token file).

    ``try_lock()`` takes the store's cross-process lock without waiting (False: another process
    holds it; an OSError: the store cannot be locked) and ``unlock()`` releases it. ``load()``
    is the stored token (None: nothing stored, e.g. signed out) and ``save()`` replaces it;
    both may block on disk, so the TokenManager runs them in a thread.
    """

    def try_lock(self) -> bool: ...

    def unlock(self) -> None: ...

    def load(self) -> str | None: ...

    def save(self, refresh_token: str) -> None: ...


async def _off_loop(fn: Callable[..., _T], *args: Any) -> _T:
    """Run blocking file work in a thread; if cancelled, wait for it to end first, so the
    store's lock is never released while a save is still writing."""
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation is what the caller sees
        raise


def refresh_margin(lifetime: float) -> float:
    """Seconds before expiry at which to refresh: max(60 s, 10 % of the lifetime).

    Capped at half the lifetime so very short-lived tokens (tests) do not refresh on every call.
    """
    return min(max(60.0, 0.1 * lifetime), lifetime / 2.0)


class TokenManager:
    """Keeps a valid access token, refreshing it with the refresh-token grant.

    ``get_token()`` returns a token valid for a while yet (refreshing first if needed);
    ``refresh(stale_token=...)`` forces a refresh after a 401 unless another caller already
    replaced that token. ``refresh_token`` is the current refresh token (rotated ones are kept);
    ``on_refresh_token(new_token)`` (sync or async) is called when it changes so the app can
    persist it. With a ``store`` (shared with other processes) each refresh runs under its lock,
    starts from the stored token if another process replaced the one this manager last saw
    there, saves a rotated token, and after a refusal tries a stored token it has not tried
    before giving up. ``close()`` closes the manager's own HTTP session.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        token_url: str = TOKEN_URL,
        *,
        access_token: str | None = None,
        expires_in: float | None = None,
        on_refresh_token: Callable[[str], Any] | None = None,
        store: RefreshTokenStore | None = None,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id:
            raise AuthError(f"No client_id is configured for TradeStation sign-in. {LOGIN_HINT}")
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.token_url = token_url
        self.on_refresh_token = on_refresh_token
        self._store = store
        #: the stored token as this manager last read or wrote it: a different one in the store
        #: means another process (or a new sign-in) replaced it
        self._store_seen = refresh_token
        self._clock = clock
        self._access_token = access_token
        self._expires_at: float | None = None
        self._refresh_at: float | None = None
        if access_token is not None:
            lifetime = float(expires_in) if expires_in is not None else 1200.0
            self._set_expiry(lifetime)
        self._lock = asyncio.Lock()
        self._generation = 0
        self._inflight: asyncio.Future[str] | None = None  # the refresh under way, if any
        self._last_error: TSError | None = None
        self._session = session
        self._own_session = session is None
        #: how many refreshes actually went to the token URL (useful to tests and the UI)
        self.refresh_count = 0

    # -- public state (no token ever printed) -------------------------------------------------
    @property
    def refresh_token(self) -> str | None:
        return self._refresh_token

    @property
    def access_token(self) -> str | None:
        return self._access_token

    @property
    def sign_in_refused(self) -> bool:
        """True when the last refresh was refused (revoked or expired refresh token)."""
        return isinstance(self._last_error, AuthError)

    @property
    def expires_at(self) -> float | None:
        """When the access token expires, on the manager's clock (time.monotonic())."""
        return self._expires_at

    def __repr__(self) -> str:
        state = "valid" if self._valid() else "needs refresh"
        return f"<TokenManager client_id={self.client_id!r} token={state}>"

    def _set_expiry(self, lifetime: float) -> None:
        now = self._clock()
        self._expires_at = now + lifetime
        self._refresh_at = now + lifetime - refresh_margin(lifetime)

    def _valid(self) -> bool:
        return (
            self._access_token is not None
            and self._refresh_at is not None
            and self._clock() < self._refresh_at
        )

    def _valid_token(self) -> str | None:
        """The access token while it is valid (not close to expiry), else None."""
        return self._access_token if self._valid() else None

    # -- getting tokens -----------------------------------------------------------------------
    async def get_token(self) -> str:
        """A valid access token, refreshed first if it is missing or close to expiry."""
        if (token := self._valid_token()) is not None:
            return token
        generation = self._generation
        async with self._lock:
            # double check: someone refreshed while we waited
            if (token := self._valid_token()) is not None:
                return token
            if self._generation != generation and self._last_error is not None:
                # a refresh failed while we waited for it: share its outcome, don't hammer
                raise self._copy_error(self._last_error)
            return await self._refresh_locked()

    async def refresh(self, stale_token: str | None = None) -> str:
        """Force a refresh (after a 401). If ``stale_token`` is given and another caller has
        already replaced it, return the newer token without asking the server again."""
        generation = self._generation
        async with self._lock:
            token = self._valid_token()
            if stale_token is not None and token is not None and token != stale_token:
                return token
            if self._generation != generation:
                if self._last_error is not None:
                    raise self._copy_error(self._last_error)
                if (token := self._valid_token()) is not None:
                    return token
            return await self._refresh_locked()

    def use_refresh_token(self, refresh_token: str) -> None:
        """Take a refresh token from a new sign-in (``tsdash login`` in another terminal): the
        access token and a refused refresh are forgotten, so the next ``get_token()`` refreshes
        with it. The callback is not called: the token came from where it is stored."""
        if not refresh_token:
            raise ValueError("use_refresh_token() needs a non-empty refresh token")
        if refresh_token == self._refresh_token:
            return
        self._refresh_token = refresh_token
        self._store_seen = refresh_token
        self._access_token = None
        self._expires_at = self._refresh_at = None
        self._last_error = None
        log.info("using a new refresh token from a new sign-in")

    @staticmethod
    def _copy_error(error: TSError) -> TSError:
        clone = type(error).__new__(type(error))
        clone.__dict__.update(error.__dict__)
        clone.args = error.args
        return clone

    async def _refresh_locked(self) -> str:
        """Refresh once, in a task of its own that callers await shielded: a caller cancelled
        meanwhile (a poll's timeout, R, quit) cannot abort a refresh halfway, after TradeStation
        rotated the refresh token but before the new one was received and stored, which would
        sign the user out. A caller that comes while it runs joins it."""
        task = self._inflight
        if task is None or task.done():
            task = asyncio.ensure_future(self._refresh_and_record())
            task.add_done_callback(_retrieve)
            self._inflight = task
        return await asyncio.shield(task)

    async def _refresh_and_record(self) -> str:
        try:
            token = await self._do_refresh()
        except TSError as exc:
            self._last_error = exc
            raise
        else:
            self._last_error = None
            return token
        finally:
            self._generation += 1

    def _get_session(self) -> aiohttp.ClientSession:
        import aiohttp  # lazy: start-up cost

        if self._session is None or (self._own_session and self._session.closed):
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def _do_refresh(self) -> str:
        if self._store is None:
            return await self._refresh_with_token()
        store = self._store
        async with self._store_locked(store):
            stored = await self._load_stored(store)
            if stored is not None and stored != self._store_seen:
                # another process rotated it (or a new sign-in): ours may be revoked already
                log.info("using the refresh token another tsdash process stored")
                self._refresh_token = self._store_seen = stored
            try:
                access = await self._refresh_with_token()
            except AuthError as exc:
                if exc.status is None:
                    raise
                tried = self._refresh_token
                stored = await self._load_stored(store)
                if stored is None or stored == tried:
                    raise
                log.info("the refresh token was refused; trying the one stored since")
                self._refresh_token = self._store_seen = stored
                access = await self._refresh_with_token()
            # nothing stored means signed out (`tsdash logout`): don't write a sign-in back
            rotated = self._refresh_token
            if stored is not None and rotated is not None and rotated != stored:
                await self._save_stored(store, rotated)
            return access

    @asynccontextmanager
    async def _store_locked(self, store: RefreshTokenStore) -> AsyncIterator[None]:
        """Hold the store's cross-process lock, polling without blocking the event loop."""
        deadline = time.monotonic() + STORE_LOCK_TIMEOUT
        locked = False
        while True:
            try:
                locked = store.try_lock()
            except OSError as exc:
                log.warning("cannot lock the stored sign-in (%s); refreshing without the lock",
                            exc.strerror or type(exc).__name__)
                break
            if locked:
                break
            if time.monotonic() >= deadline:
                log.warning("another tsdash process held the stored sign-in for %.0f s; "
                            "refreshing without waiting longer", STORE_LOCK_TIMEOUT)
                break
            await asyncio.sleep(STORE_LOCK_POLL)
        try:
            yield
        finally:
            if locked:
                store.unlock()

    @staticmethod
    async def _load_stored(store: RefreshTokenStore) -> str | None:
        try:
            return await _off_loop(store.load)
        except Exception as exc:  # an unreadable store must not end a working session
            log.warning("cannot read the stored sign-in: %s", exc)
            return None

    async def _save_stored(self, store: RefreshTokenStore, refresh_token: str) -> None:
        try:
            await _off_loop(store.save, refresh_token)
        except Exception as exc:  # the token works in memory; the next refresh saves again
            log.warning("cannot store the rotated refresh token: %s", exc)
        else:
            self._store_seen = refresh_token
            log.info("stored the rotated refresh token")

    async def _refresh_with_token(self) -> str:
        if not self._refresh_token:
            raise AuthError(f"No refresh token is stored for TradeStation. {LOGIN_HINT}")
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": self._refresh_token,
        }
        if self._client_secret:
            form["client_secret"] = self._client_secret
        data = await _post_token_form(self._get_session(), self.token_url, form, "refresh")
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            raise AuthError(
                "The TradeStation token endpoint answered without an access token. "
                f"{LOGIN_HINT}"
            )
        try:
            lifetime = float(data.get("expires_in", 1200))
        except (TypeError, ValueError):
            lifetime = 1200.0
        self._access_token = access
        self._set_expiry(max(1.0, lifetime))
        self.refresh_count += 1
        rotated = data.get("refresh_token")
        log.info("access token refreshed; valid for %.0f s", lifetime)
        if isinstance(rotated, str) and rotated and rotated != self._refresh_token:
            self._refresh_token = rotated
            log.info("TradeStation rotated the refresh token; keeping the new one")
            if self.on_refresh_token is not None:
                try:
                    result = self.on_refresh_token(rotated)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("on_refresh_token callback failed")
        return access

    async def close(self) -> None:
        """Close the manager's own HTTP session (idempotent); a refresh under way is let finish
        first (its own timeouts bound it), so a rotated token is not lost at exit."""
        task = self._inflight
        if task is not None and not task.done():
            await asyncio.wait([task])
        session = self._session
        if session is not None and self._own_session and not session.closed:
            await session.close()
        if self._own_session:
            self._session = None


def _retrieve(task: asyncio.Future[Any]) -> None:
    """A refresh's error is seen by the callers that awaited it; one whose callers were all
    cancelled must not be reported as never retrieved."""
    if not task.cancelled():
        task.exception()


async def _post_token_form(
    session: aiohttp.ClientSession, token_url: str, form: dict[str, str], purpose: str
) -> dict[str, Any]:
    """POST a form to the token URL; map failures to errors a person can act on."""
    import aiohttp  # lazy: start-up cost

    try:
        async with asyncio.timeout(TOKEN_REQUEST_TIMEOUT):
            async with session.post(
                token_url, data=form, headers={"Accept": "application/json"}
            ) as resp:
                status = resp.status
                headers = resp.headers
                try:
                    body: object = await resp.json(content_type=None)
                except ValueError:
                    body = None
    except TimeoutError:
        raise StreamConnectionError(
            f"The TradeStation sign-in server ({_host(token_url)}) did not answer in time. "
            "Check your network and try again."
        ) from None
    except aiohttp.ClientError as exc:
        raise StreamConnectionError(
            f"Could not reach the TradeStation sign-in server ({_host(token_url)}): "
            f"{type(exc).__name__}. Check your network and try again."
        ) from None
    if status == 200 and isinstance(body, dict):
        return body
    detail = _body_message(body)
    detail = f" ({detail})" if detail else ""
    if status in (400, 401, 403):
        what = "refresh token" if purpose == "refresh" else "authorization code"
        raise AuthError(
            f"TradeStation refused the {what} (HTTP {status}){detail}. {LOGIN_HINT}",
            status=status,
        )
    if status == 429:
        retry_after = parse_retry_after(headers)
        raise RateLimitError(
            "The TradeStation sign-in server is rate limiting requests (HTTP 429). "
            "Wait a moment and try again.",
            retry_after=retry_after,
        )
    raise StreamConnectionError(
        f"The TradeStation sign-in server answered HTTP {status}{detail}. "
        "This is usually temporary: try again in a moment."
    )


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


# -- login flow helpers (authorization-code grant) ---------------------------------------------
def build_authorize_url(
    client_id: str,
    redirect_uri: str,
    state: str,
    scopes: Iterable[str] = DEFAULT_SCOPES,
    audience: str = AUDIENCE,
    authorize_url: str = AUTHORIZE_URL,
) -> str:
    """The URL to open in a browser for TradeStation's authorization-code flow."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "audience": audience,
        "state": state,
        "scope": " ".join(scopes),
    }
    sep = "&" if "?" in authorize_url else "?"
    return f"{authorize_url}{sep}{urlencode(query)}"


async def exchange_code(
    session: aiohttp.ClientSession,
    token_url: str,
    client_id: str,
    client_secret: str | None,
    code: str,
    redirect_uri: str,
) -> dict[str, Any]:
    """Exchange an authorization code for tokens; returns the token response dict
    (``access_token``, ``refresh_token``, ``expires_in``, ...). Raises AuthError if refused."""
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": redirect_uri,
    }
    if client_secret:
        form["client_secret"] = client_secret
    return await _post_token_form(session, token_url, form, "code")


__all__ = [
    "TokenManager",
    "RefreshTokenStore",
    "build_authorize_url",
    "exchange_code",
    "refresh_margin",
    "TOKEN_URL",
    "AUTHORIZE_URL",
    "AUDIENCE",
    "DEFAULT_SCOPES",
]
