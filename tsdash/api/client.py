"""TradeStationClient: owns the aiohttp session, the token source, the StreamManager and the
service objects (market_data, brokerage, order_execution)."""

from __future__ import annotations

import asyncio
import logging
from json import loads as json_loads
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .auth import TokenManager
from .backoff import BackoffPolicy
from .brokerage import BrokerageService
from .errors import (
    LOGIN_HINT,
    AuthError,
    ClosedError,
    StreamConnectionError,
    TSError,
    error_for_status,
    order_outcome_unknown,
    order_rate_limited,
    order_rejected,
)
from .manager import DEFAULT_MAX_CONCURRENT_STREAMS, StreamManager
from .market_data import MarketDataService
from .order_execution import OrderExecutionService
from .seams import Feed, StreamSpec, SubscriptionRequest
from .streams import Stream
from .subscription import Subscription, SubscriptionState, as_async
from .urls import path_segment

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger("tsdash.api.client")

LIVE_BASE_URL = "https://api.tradestation.com/v3"
SIM_BASE_URL = "https://sim-api.tradestation.com/v3"
ENVIRONMENTS = {"live": LIVE_BASE_URL, "sim": SIM_BASE_URL}

#: seconds a REST call may take in total
REST_TIMEOUT = 30.0


class _ResendRefused(Exception):
    """aiohttp tried to send an order request a second time (see ``_send_once``)."""


class _Auth:
    """The token source the subscriptions and REST calls use (a :class:`TokenSource`)."""

    def __init__(self, access_token: str | None, token_manager: TokenManager | None) -> None:
        self.access_token = access_token
        self.token_manager = token_manager
        self.can_refresh = token_manager is not None

    async def token(self) -> str:
        if self.token_manager is not None:
            return await self.token_manager.get_token()
        if self.access_token:
            return self.access_token
        raise AuthError(f"No TradeStation credentials are configured. {LOGIN_HINT}")

    async def refresh(self, stale_token: str) -> str:
        if self.token_manager is None:
            raise AuthError(f"The access token was refused and cannot be refreshed. {LOGIN_HINT}")
        return await self.token_manager.refresh(stale_token=stale_token)


class TradeStationClient:
    """The entry point: ``client.market_data``, ``client.brokerage``, ``client.order_execution``.

    ``base_url`` wins over ``environment`` ("live" or "sim"). Give either a fixed
    ``access_token`` (a 401 is then final) or a ``token_manager`` (refreshes ahead of expiry
    and once after a 401). ``backoff`` (a BackoffPolicy) tunes automatic reconnects.
    """

    def __init__(
        self,
        base_url: str | None = None,
        environment: str = "live",
        access_token: str | None = None,
        token_manager: TokenManager | None = None,
        max_concurrent_streams: int = DEFAULT_MAX_CONCURRENT_STREAMS,
        read_timeout: float = 30.0,
        auto_reconnect: bool = False,
        *,
        backoff: BackoffPolicy | None = None,
        rest_timeout: float = REST_TIMEOUT,
    ) -> None:
        if base_url is None:
            try:
                base_url = ENVIRONMENTS[environment]
            except KeyError:
                raise ValueError(
                    f"environment must be 'live' or 'sim', not {environment!r}"
                ) from None
        if read_timeout is not None and read_timeout <= 0:
            raise ValueError("read_timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.environment = environment
        self.token_manager = token_manager
        self.read_timeout = float(read_timeout)
        self.auto_reconnect = bool(auto_reconnect)
        self.backoff = backoff
        self.rest_timeout = rest_timeout
        self._auth = _Auth(access_token, token_manager)
        self._session: aiohttp.ClientSession | None = None
        self._order_session: aiohttp.ClientSession | None = None
        self._closed = False
        self._subscriptions: dict[Subscription, None] = {}
        self.stream_manager = StreamManager(
            max_concurrent_streams, session=self._get_session, read_timeout=self.read_timeout
        )
        # the services see this client through the ServiceClient Protocol (tsdash.api.seams)
        self.market_data = MarketDataService(self)
        self.brokerage = BrokerageService(self)
        self.order_execution = OrderExecutionService(self)

    # -- plumbing -------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def subscriptions(self) -> list[Subscription]:
        """The subscriptions that are not closed yet."""
        return list(self._subscriptions)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _get_session(self) -> aiohttp.ClientSession:
        """The one session for REST and streams, created lazily inside the running loop."""
        if self._closed:
            raise ClosedError("The TradeStationClient is closed; create a new one.")
        if self._session is None or self._session.closed:
            import aiohttp  # lazy: start-up cost

            connector = aiohttp.TCPConnector(
                limit=max(100, self.stream_manager.max_concurrent_streams + 20),
                limit_per_host=0,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.rest_timeout, sock_connect=10),
            )
        return self._session

    def _get_order_session(self) -> aiohttp.ClientSession:
        """The session for order requests: a fresh connection for every request
        (``force_close``), so an order never goes out on a pooled keep-alive connection that the
        server may already have closed (that would fail after writing, and leave the outcome
        unknown for a request the server never read)."""
        if self._closed:
            raise ClosedError("The TradeStationClient is closed; create a new one.")
        if self._order_session is None or self._order_session.closed:
            import aiohttp  # lazy: start-up cost

            self._order_session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(force_close=True, limit=0),
                timeout=aiohttp.ClientTimeout(total=self.rest_timeout, sock_connect=10),
            )
        return self._order_session

    async def send_order_request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        what: str,
        timeout: float | None = None,
    ) -> object:
        """Send one order request (place, replace, cancel, a group) exactly once and return the
        parsed JSON body of its 2xx answer.

        Never retried, with one exception: a 401 answer (the server took nothing) refreshes the
        token when the client can, and sends once more. ``timeout`` (default ``rest_timeout``)
        bounds each HTTP exchange, not a token refresh.

        Raises :class:`OrderOutcomeUnknown` when the request may have reached TradeStation
        without an answer that settles it (a timeout or a connection lost once the connection
        was made, a 5xx, a 2xx that cannot be read); :class:`OrderRejectedError` with
        TradeStation's Message on a 4xx; :class:`AuthError` on a 401 that stays;
        :class:`OrderRateLimited` (an OrderRejectedError with ``retry_after``) on a 429 (a rate
        limiter refuses before the order is looked at, so nothing was placed);
        :class:`StreamConnectionError` when the connection could not be made at all (nothing
        was sent).
        """
        session = self._get_order_session()
        token = await self._auth.token()
        for attempt in (0, 1):
            status, headers, body = await self._send_once(
                session, method, path, json=json, token=token, what=what, timeout=timeout)
            if 200 <= status < 300:
                return body
            if status == 401:  # refused at the door: the order was not looked at
                token = await self._token_after_401(
                    attempt, token, what, error_for_status(status, headers, body, what),
                    note="; the order was not placed")
                continue
            if status == 429:
                # TradeStation's rate limiter refuses a request before the order is looked at,
                # so nothing was placed: a rejection (design.md: a 4xx is an OrderRejectedError)
                raise order_rate_limited(what, headers, body)
            if 400 <= status < 500:
                raise order_rejected(what, body, status=status)
            # A 5xx (or anything else) does not say the order was not taken: TradeStation's
            # gateways answer 502/503/504 when a backend is slow or gone, and the backend may
            # have placed the order before (or while) that happened.
            raise order_outcome_unknown(
                what, f"TradeStation answered HTTP {status}", status=status, response=body)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_once(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        *,
        json: object,
        token: str,
        what: str,
        timeout: float | None,
    ) -> tuple[int, Mapping[str, str], object]:
        """One HTTP exchange, guarded so that aiohttp cannot send it twice.

        aiohttp resends an idempotent request (PUT, DELETE: replace and cancel) once when the
        connection drops after the request was written (``retry_persistent_connection`` in its
        ClientSession._request); its retry loop calls the middleware chain once per attempt, so
        the ``one_shot`` middleware below refuses a second attempt, and that refusal is an
        unknown outcome (the first attempt got as far as a connection).
        """
        import aiohttp  # lazy: start-up cost

        attempts = 0

        async def one_shot(
            req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
        ) -> aiohttp.ClientResponse:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                raise _ResendRefused
            return await handler(req)

        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        exchange_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else session.timeout
        try:
            async with session.request(
                method, self.url(path), json=json, headers=headers, timeout=exchange_timeout,
                allow_redirects=False, middlewares=(one_shot,),
            ) as resp:
                status = resp.status
                raw = await resp.read()
                resp_headers: Mapping[str, str] = resp.headers
        except aiohttp.ClientConnectorError as exc:
            # DNS, refused, TLS handshake: no connection, so no byte of the request went out
            raise StreamConnectionError(
                f"Could not connect to TradeStation for {what} ({type(exc).__name__}); the "
                "order was not sent. Check your network and try again."
            ) from None
        except aiohttp.ConnectionTimeoutError:
            # raised only while connecting (aiohttp wraps the connector's timeout)
            raise StreamConnectionError(
                f"Connecting to TradeStation timed out for {what}; the order was not sent. "
                "Check your network and try again."
            ) from None
        except _ResendRefused:
            raise order_outcome_unknown(
                what, "the connection was lost after the request was sent") from None
        except TimeoutError:
            seconds = timeout or exchange_timeout.total
            waited = f" in {seconds:g} s" if seconds else ""
            raise order_outcome_unknown(what, f"TradeStation did not answer{waited}") from None
        except aiohttp.ClientError as exc:
            raise order_outcome_unknown(
                what, f"the connection was lost after the request was sent "
                f"({type(exc).__name__})") from None
        body: object = None
        if raw.strip():
            try:
                body = json_loads(raw)
            except ValueError:
                if 200 <= status < 300:
                    raise order_outcome_unknown(
                        what, "TradeStation's answer was not JSON", status=status) from None
                body = raw.decode("utf-8", "replace")
        elif 200 <= status < 300:
            raise order_outcome_unknown(what, "TradeStation's answer was empty", status=status)
        return status, resp_headers, body

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        what: str | None = None,
        timeout: float | None = None,
    ) -> object:
        """One REST call with the Bearer token; 401 -> refresh once and retry once.

        ``timeout`` bounds each HTTP exchange, not the token: a token refresh is never cut off
        halfway (that could lose a rotated refresh token).

        Returns the parsed JSON body; raises AuthError, RateLimitError, HTTPStatusError or
        StreamConnectionError (network) otherwise.
        """
        import aiohttp  # lazy: start-up cost

        what = what or f"{method} {path}"
        session = self._get_session()
        # without a timeout of its own, a call has the session's (rest_timeout)
        exchange_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else session.timeout
        token = await self._auth.token()
        for attempt in (0, 1):
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            try:
                async with session.request(
                    method, self.url(path), params=params, json=json, headers=headers,
                    timeout=exchange_timeout,
                ) as resp:
                    if 200 <= resp.status < 300:
                        try:
                            return await resp.json(content_type=None)
                        except ValueError:
                            raise TSError(
                                f"TradeStation sent a body that is not JSON for {what}."
                            ) from None
                    try:
                        body: object = await resp.json(content_type=None)
                    except (ValueError, aiohttp.ClientError):
                        body = None
                    error = error_for_status(resp.status, resp.headers, body, what)
            except TimeoutError:
                if timeout:
                    raise StreamConnectionError(
                        f"No answer from TradeStation for {timeout:g} s to {what} "
                        "(read_timeout); the connection looks stalled. Reconnect to resume."
                    ) from None
                raise StreamConnectionError(
                    f"TradeStation did not answer in time for {what}. Check your network and "
                    "try again."
                ) from None
            except aiohttp.ClientError as exc:
                raise StreamConnectionError(
                    f"Could not reach TradeStation for {what} ({type(exc).__name__}). Check your "
                    "network and try again."
                ) from None
            if error.status == 401:
                token = await self._token_after_401(attempt, token, what, error)
                continue
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _token_after_401(self, attempt: int, token: str, what: str, refused: TSError,
                               note: str = "") -> str:
        """A 401 answer to ``what``: the first one, a refreshed token to send once more with
        (when the client can refresh); else ``refused`` is raised, or, after the refresh,
        an AuthError saying to sign in again (``note`` added to its first sentence)."""
        if attempt == 0 and self._auth.can_refresh:
            log.info("HTTP 401 for %s; refreshing the access token and trying once more", what)
            return await self._auth.refresh(token)
        if attempt == 1:
            raise AuthError(
                f"TradeStation rejected the access token again after refreshing it "
                f"(HTTP 401) for {what}{note}. {LOGIN_HINT}",
                status=401,
            )
        raise refused

    def check_open(self) -> None:
        """Raise ClosedError once the client is closed (services call it before subscribing)."""
        if self._closed:
            raise ClosedError("The TradeStationClient is closed; create a new one.")

    async def subscribe_streams(
        self, specs: Sequence[StreamSpec], request: SubscriptionRequest
    ) -> Subscription:
        """Create the streams (each takes a StreamManager slot; StreamLimitError before any is
        made) and subscribe to them as one Subscription (see :meth:`subscribe_feeds`)."""
        return await self.subscribe_feeds(self.stream_manager.create_streams(specs), request)

    async def subscribe_feeds(
        self, feeds: Sequence[Feed], request: SubscriptionRequest
    ) -> Subscription:
        """Wrap feeds in a Subscription, start it, and return once each feed's first attempt
        settled (live, or disconnected/reconnecting/failed with the error reported). The feeds
        are the subscription's: closing it closes them (and frees a stream's slot)."""
        async def release(feed: Feed) -> None:
            if isinstance(feed, Stream):
                await self.stream_manager.close_stream(feed)
            else:
                await feed.close()

        try:
            if request.callback is None:
                raise TypeError("callback is required (an async function taking one message)")
            error_callback, status_callback = request.error_callback, request.status_callback
            sub = Subscription(
                kind=request.kind,
                feeds=feeds,
                callback=as_async(request.callback),
                error_callback=as_async(error_callback) if error_callback else None,
                status_callback=as_async(status_callback) if status_callback else None,
                auth=self._auth,
                auto_reconnect=self.auto_reconnect,
                backoff=self.backoff,
                snapshots=request.snapshots,
                release=release,
                on_closed=self._forget,
                description=request.description,
            )
        except BaseException:
            for feed in feeds:
                await release(feed)
            raise
        self._subscriptions[sub] = None
        log.info("%s: subscribing to %s", sub.id, request.description)
        try:
            await sub._start(SubscriptionState.CONNECTING)
        except BaseException:
            await sub.unsubscribe()
            raise
        return sub

    def _forget(self, sub: Subscription) -> None:
        self._subscriptions.pop(sub, None)

    # -- lifecycle ------------------------------------------------------------------------------
    async def close_all_streams(self) -> None:
        """Unsubscribe every subscription (and close any stream made directly on the manager)."""
        for sub in list(self._subscriptions):
            await sub._close(SubscriptionState.CLOSED)
        await self.stream_manager.close_all_streams()

    async def close(self) -> None:
        """Close every stream, the REST session and the TokenManager's session (idempotent)."""
        if self._closed:
            return
        try:
            await self.close_all_streams()
        finally:
            self._closed = True
            for session in (self._session, self._order_session):
                if session is not None and not session.closed:
                    await session.close()
            self._session = self._order_session = None
            if self.token_manager is not None:
                await self.token_manager.close()
            # let the transports' connection_lost callbacks run before the loop may stop
            await asyncio.sleep(0)

    async def __aenter__(self) -> TradeStationClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return (
            f"<TradeStationClient {self.base_url} streams={self.stream_manager.active_count}/"
            f"{self.stream_manager.max_concurrent_streams}{' closed' if self._closed else ''}>"
        )


__all__ = ["TradeStationClient", "LIVE_BASE_URL", "SIM_BASE_URL", "path_segment"]
