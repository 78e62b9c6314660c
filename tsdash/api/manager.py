"""StreamManager: creates, tracks and closes streams, within max_concurrent_streams.

A stream holds its slot from creation until it is closed (a disconnected stream that may be
reconnected keeps its slot). The manager does not care which transport a stream uses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import StreamLimitError
from .http_stream import HttpStream
from .seams import StreamSpec, Transport
from .streams import SessionSource, Stream
from .ws_stream import WebSocketStream

log = logging.getLogger("tsdash.api.manager")

DEFAULT_MAX_CONCURRENT_STREAMS = 10

#: a Transport's value (or "websocket", an old name for "ws") -> its stream class
_TRANSPORTS: dict[str, type[Stream]] = {
    Transport.HTTP: HttpStream,
    Transport.WS: WebSocketStream,
    "websocket": WebSocketStream,
}


class StreamManager:
    """Tracks every open stream; opening one more than ``max_concurrent_streams`` raises
    :class:`StreamLimitError` (a ValueError).

    ``session`` is an aiohttp ClientSession or a zero-argument callable returning one (the
    client creates its session lazily inside the running loop).
    """

    def __init__(
        self,
        max_concurrent_streams: int = DEFAULT_MAX_CONCURRENT_STREAMS,
        *,
        session: SessionSource = None,
        read_timeout: float = 30.0,
    ) -> None:
        if int(max_concurrent_streams) < 1:
            raise ValueError("max_concurrent_streams must be at least 1")
        self.max_concurrent_streams = int(max_concurrent_streams)
        self.read_timeout = read_timeout
        self._session = session
        self._streams: dict[str, Stream] = {}

    @property
    def active_count(self) -> int:
        """Streams currently holding a slot."""
        return len(self._streams)

    @property
    def connected_count(self) -> int:
        """Streams whose connection is open now: a stream that dropped or waits to reconnect
        still holds its slot (``active_count``) but is not counted here."""
        return sum(1 for stream in self._streams.values() if stream.connected)

    @property
    def free_slots(self) -> int:
        return max(0, self.max_concurrent_streams - len(self._streams))

    @property
    def streams(self) -> dict[str, Stream]:
        return dict(self._streams)

    def get_stream(self, stream_id: str) -> Stream | None:
        return self._streams.get(stream_id)

    def _check(self, n: int) -> None:
        active = len(self._streams)
        if active + n > self.max_concurrent_streams:
            free = max(0, self.max_concurrent_streams - active)
            raise StreamLimitError(
                f"Cannot open {n} more stream{'s' if n != 1 else ''}: {active} of "
                f"max_concurrent_streams={self.max_concurrent_streams} are open "
                f"({free} free). Close a subscription or raise max_concurrent_streams.",
                limit=self.max_concurrent_streams,
                requested=n,
                active=active,
            )

    def create_stream(self, url: str, *, transport: Transport | str = Transport.HTTP,
                      **options: Any) -> Stream:
        """Create (not yet connect) a stream and take a slot for it.

        ``transport`` is "http" (HttpStream) or "ws" (WebSocketStream); options go to its
        constructor (headers, params, accept, callback, error_callback, read_timeout, ...).
        """
        return self.create_streams([{"url": url, "transport": transport, **options}])[0]

    def create_streams(self, specs: Iterable[StreamSpec | Mapping[str, Any]]) -> list[Stream]:
        """Create several streams at once, all or none: StreamLimitError before any is made."""
        options_list: list[dict[str, Any]] = [dict(spec) for spec in specs]
        self._check(len(options_list))
        made: list[Stream] = []
        for spec in options_list:
            transport = spec.pop("transport", Transport.HTTP)
            try:
                cls = _TRANSPORTS[transport]
            except KeyError:
                raise ValueError(f"unknown stream transport {transport!r}; use 'http' or 'ws'") \
                    from None
            spec.setdefault("session", self._session)
            spec.setdefault("read_timeout", self.read_timeout)
            url = spec.pop("url")
            made.append(cls(url, **spec))
        for stream in made:
            self.add_stream(stream)
        return made

    def add_stream(self, stream: Stream) -> Stream:
        """Track a stream made elsewhere (takes a slot; StreamLimitError if none is free)."""
        if stream.id in self._streams:
            return stream
        self._check(1)
        self._streams[stream.id] = stream
        stream.add_close_hook(self._forget)
        log.debug("stream %s takes a slot (%d/%d)", stream.id, len(self._streams),
                  self.max_concurrent_streams)
        return stream

    async def open_stream(
        self, url: str, *, transport: Transport | str = Transport.HTTP,
        headers: dict[str, str] | None = None, **options: Any,
    ) -> Stream:
        """Seed-style: create, connect and read in the background (see Stream.start)."""
        stream = self.create_stream(url, transport=transport, **options)
        try:
            await stream.start(headers)
        except BaseException:
            await stream.close()
            raise
        return stream

    def _forget(self, stream: Stream) -> None:
        if self._streams.get(stream.id) is stream:
            del self._streams[stream.id]
            log.debug("stream %s frees its slot (%d/%d)", stream.id, len(self._streams),
                      self.max_concurrent_streams)

    async def close_stream(self, stream: Stream | str) -> None:
        """Close one stream (by object or id) and free its slot; unknown ids are ignored."""
        if isinstance(stream, str):
            found = self._streams.get(stream)
            if found is None:
                return
            stream = found
        try:
            await stream.close()
        finally:
            self._forget(stream)

    async def close_all_streams(self) -> None:
        """Close every stream this manager tracks."""
        for stream in list(self._streams.values()):
            await self.close_stream(stream)

    async def close(self) -> None:
        await self.close_all_streams()

    def __repr__(self) -> str:
        return f"<StreamManager {self.active_count}/{self.max_concurrent_streams}>"


__all__ = ["StreamManager", "DEFAULT_MAX_CONCURRENT_STREAMS"]
