"""``WebSocketStream``: the seed document's transport, one JSON message per text frame.

aiohttp is imported lazily (inside connect and run) so ``import tsdash.api`` stays cheap at
start-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from .errors import ClosedError, StreamConnectionError, TSError, error_for_status
from .framing import NDJSONFramer
from .seams import JSONObject, Transport
from .streams import SOCK_CONNECT_TIMEOUT, GoAway, Stream

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp

log = logging.getLogger("tsdash.api.streams")


class WebSocketStream(Stream):
    """The seed's transport: a WebSocket carrying one JSON message per text frame.

    ``connect()`` opens the socket (Bearer token on the upgrade request) and sends
    ``subscribe_message`` if one was given (again on every reconnect); ``send()`` sends JSON;
    messages go to the callbacks like HttpStream's; ``close()`` closes the socket.
    ``read_timeout`` seconds without any frame (heartbeats included) mark it stalled (after one
    last look at frames already queued, see ``_last_look``).
    """

    transport = Transport.WS

    def __init__(
        self,
        url: str,
        *,
        subscribe_message: JSONObject | None = None,
        unsubscribe_message: JSONObject | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, **kwargs)
        self.subscribe_message = subscribe_message
        self.unsubscribe_message = unsubscribe_message
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._framer = NDJSONFramer(description=self.description, name=self.id)

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        if self._closed:
            raise ClosedError(f"{self.description} was closed; open a new subscription.")
        import aiohttp  # lazy: start-up cost

        old, self._ws = self._ws, None
        try:
            hdrs = {**self.headers, **(headers or {})}
            session = self._session()
            try:
                async with asyncio.timeout(SOCK_CONNECT_TIMEOUT + self.read_timeout):
                    ws = await session.ws_connect(
                        self.url, headers=hdrs, params=self.params, autoping=True,
                        timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=5.0),
                    )
            except aiohttp.WSServerHandshakeError as exc:
                raise error_for_status(exc.status, exc.headers, None, self.description) from None
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise self._opening_failed(exc, self.description) from None
            if self._closed:
                await ws.close()
                raise ClosedError(f"{self.description} was closed.")
            self._ws = ws
            self.progress = False
            if self.subscribe_message is not None:
                await self.send(self.subscribe_message)
            log.info("%s: connected %s", self.id, self.description)
        finally:
            if old is not None:
                await old.close()

    async def send(self, message: object) -> None:
        """Send one JSON message (a text frame)."""
        ws = self._ws
        if ws is None or ws.closed:
            raise StreamConnectionError(f"{self.description} is not connected; cannot send.")
        try:
            await ws.send_str(json.dumps(message))
        except Exception as exc:
            raise StreamConnectionError(
                f"Could not send on {self.description} ({type(exc).__name__}: {exc})."
            ) from None

    async def disconnect(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            if self.unsubscribe_message is not None:
                try:
                    await ws.send_str(json.dumps(self.unsubscribe_message))
                except Exception:
                    pass
            try:
                async with asyncio.timeout(2.0):
                    await ws.close()
            except (Exception, TimeoutError):
                pass

    async def _last_look(self, ws: aiohttp.ClientWebSocketResponse,
                         timeout: float) -> aiohttp.WSMessage:
        """The receive timed out; but after a stopped process continues, the timeout fires in
        the very loop turn that read the frames waiting in the socket. They are queued: take
        one more look before calling it a stall."""
        try:
            return await ws.receive(timeout=min(0.1, timeout))
        except TimeoutError:
            raise StreamConnectionError(
                f"No data from {self.description} for {timeout:g} s (read_timeout); "
                "the connection looks stalled. Reconnect to resume."
            ) from None

    async def run(self) -> None:
        ws = self._ws
        if ws is None:
            raise StreamConnectionError(f"{self.description} is not connected.")
        import aiohttp  # lazy: start-up cost

        TEXT, BINARY = aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY
        timeout = self.read_timeout
        parse = self._framer.parse
        goaway = False
        try:
            while True:
                try:
                    frame = await ws.receive(timeout=timeout)
                except TimeoutError:
                    frame = await self._last_look(ws, timeout)
                kind = frame.type
                if kind is TEXT or kind is BINARY:
                    data: str | bytes = frame.data
                    lines = data.splitlines() if ("\n" in data if isinstance(data, str)
                                                  else b"\n" in data) else (data,)
                    await self._dispatch(parse(lines), time.monotonic())
                    continue
                if kind in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                            aiohttp.WSMsgType.CLOSED):
                    raise StreamConnectionError(
                        f"The server closed {self.description} (code {ws.close_code}). "
                        "Reconnect to resume."
                    )
                if kind is aiohttp.WSMsgType.ERROR:
                    raise StreamConnectionError(
                        f"The connection to {self.description} was lost ({ws.exception()}). "
                        "Reconnect to resume."
                    )
                # PING/PONG are handled by aiohttp (autoping)
        except GoAway:
            goaway = True
            raise
        except TSError:
            raise
        except (aiohttp.ClientError, RuntimeError, OSError) as exc:
            raise StreamConnectionError(
                f"The connection to {self.description} was lost ({type(exc).__name__}: {exc}). "
                "Reconnect to resume."
            ) from None
        finally:
            if not goaway and self._ws is ws:
                await self.disconnect()




__all__ = ["WebSocketStream"]
