"""``HttpStream``: TradeStation's stream transport, a GET answered with a chunked NDJSON body.

The read loop only moves bytes: :class:`~tsdash.api.framing.NDJSONFramer` turns them into
messages and :class:`~tsdash.api.watchdog.StallWatchdog` ends a silent read. aiohttp is imported
lazily (inside connect and run) so ``import tsdash.api`` stays cheap at start-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from .errors import ClosedError, StreamConnectionError, TSError, error_for_status
from .framing import MAX_LINE, NDJSONFramer
from .seams import Transport
from .streams import MARKET_DATA_MEDIA_TYPE, SOCK_CONNECT_TIMEOUT, GoAway, Stream
from .watchdog import StallWatchdog

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger("tsdash.api.streams")


class HttpStream(Stream):
    """A TradeStation HTTP stream: GET with a Bearer token, chunked NDJSON body.

    Framing is ours (bytes from ``readany()`` into an :class:`NDJSONFramer`), independent of
    chunk boundaries and of the aiohttp version. A line over ``max_line`` bytes is reported as a
    ProtocolError and skipped without buffering it. A :class:`StallWatchdog` ends the read with a
    StreamConnectionError after ``read_timeout`` seconds without a single byte.
    """

    transport = Transport.HTTP

    def __init__(
        self,
        url: str,
        *,
        accept: str = MARKET_DATA_MEDIA_TYPE,
        max_line: int = MAX_LINE,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, **kwargs)
        self.accept = accept
        self.max_line = max_line
        self._resp: aiohttp.ClientResponse | None = None
        self._watchdog = StallWatchdog(self.read_timeout, self._stalled, self.id)

    @property
    def connected(self) -> bool:
        return self._resp is not None

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        """Open the request; return once the server answered 200 (else raise a TSError).

        If a previous response is still open (after a GoAway) it is closed once the new request
        has been answered, or when the new request fails.
        """
        if self._closed:
            raise ClosedError(f"{self.description} was closed; open a new subscription.")
        import aiohttp  # lazy: start-up cost

        old = self._resp
        hdrs = {"Accept": self.accept, **self.headers, **(headers or {})}
        timeout = aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=SOCK_CONNECT_TIMEOUT, sock_read=None
        )
        resp = None
        try:
            session = self._session()
            try:
                # the answer (status line and headers) must come within connect + read_timeout
                async with asyncio.timeout(SOCK_CONNECT_TIMEOUT + self.read_timeout):
                    resp = await session.get(
                        self.url, params=self.params, headers=hdrs, timeout=timeout,
                        allow_redirects=False,
                    )
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise self._opening_failed(exc, f"TradeStation for {self.description}") from None
            if resp.status != 200:
                body = await _read_error_body(resp)
                resp.close()
                raise error_for_status(resp.status, resp.headers, body, self.description)
            if self._closed:  # closed while connecting
                resp.close()
                raise ClosedError(f"{self.description} was closed.")
            self._resp = resp
            self.progress = False
            self._watchdog.arm()
            log.info("%s: connected %s", self.id, self.description)
        except BaseException:
            if resp is not None and self._resp is not resp:
                resp.close()
            if old is not None and self._resp is old:
                self._resp = None
                self._watchdog.disarm()
            if old is not None:
                old.close()
            raise
        if old is not None:
            old.close()

    async def disconnect(self) -> None:
        """Close the current response (the server sees the connection end)."""
        self._watchdog.disarm()
        resp, self._resp = self._resp, None
        if resp is not None:
            resp.close()

    def _stalled(self) -> None:
        """The watchdog saw ``read_timeout`` seconds of silence: end the read."""
        resp = self._resp
        if resp is None:
            return
        resp.content.set_exception(
            StreamConnectionError(
                f"No data from TradeStation for {self.read_timeout:g} s on "
                f"{self.description} (read_timeout); the connection looks stalled. "
                "Reconnect to resume."
            )
        )

    # -- the hot path ---------------------------------------------------------------------------
    async def run(self) -> None:
        """Read and dispatch until the connection ends; always ends with an exception.

        StreamConnectionError: the server ended the body, the connection dropped, or it
        stalled. GoAway: the server asked for a new request (the response stays open for
        :meth:`connect` to close). CancelledError: closed by the owner.
        """
        resp = self._resp
        if resp is None:
            raise StreamConnectionError(f"{self.description} is not connected.")
        import aiohttp  # lazy: start-up cost

        readany = resp.content.readany
        framer = NDJSONFramer(max_line=self.max_line, description=self.description,
                              name=self.id)
        feed = framer.feed
        dispatch = self._dispatch
        watchdog = self._watchdog
        monotonic = time.monotonic
        goaway = False
        try:
            while True:
                watchdog.waiting = True
                chunk = await readany()
                watchdog.waiting = False
                if not chunk:
                    await dispatch(framer.end(), monotonic())
                    raise StreamConnectionError(
                        f"TradeStation ended {self.description}. Reconnect to resume."
                    )
                watchdog.chunks += 1
                items = feed(chunk)
                if items:
                    await dispatch(items, monotonic())
        except GoAway:
            goaway = True
            log.info("%s: GoAway received on %s", self.id, self.description)
            raise
        except TSError:
            raise
        except (aiohttp.ClientError, RuntimeError, OSError) as exc:
            raise StreamConnectionError(
                f"The connection to TradeStation was lost on {self.description} "
                f"({type(exc).__name__}{': ' + str(exc) if str(exc) else ''}). Reconnect to resume."
            ) from None
        finally:
            watchdog.waiting = False
            if not goaway and self._resp is resp:
                await self.disconnect()


async def _read_error_body(resp: aiohttp.ClientResponse) -> object:
    """The (bounded) body of an error answer, parsed as JSON when it is JSON."""
    try:
        async with asyncio.timeout(5.0):
            raw = await resp.content.read(64 * 1024)
    except Exception:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        try:
            return raw.decode("utf-8", "replace")
        except Exception:  # pragma: no cover
            return None


__all__ = ["HttpStream"]
