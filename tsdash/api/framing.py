"""NDJSON framing without a socket: bytes in, parsed JSON values out.

TradeStation's streams are chunked bodies of newline-delimited JSON, and chunk boundaries fall
anywhere: inside an object, between objects, several objects in one chunk. ``NDJSONFramer`` keeps
the unfinished line between chunks and parses the finished ones, so the transport only moves
bytes and this part can be tested on its own (tests/api/test_ndjson_framer.py).

Rules, each one a behaviour callers rely on:

- a line ends at ``b"\\n"``; a ``\\r`` before it is whitespace to JSON, so ``\\r\\n`` works;
- blank (whitespace-only) lines are skipped silently;
- a line that is not JSON becomes a :class:`ProtocolError` in the output, in its place, and
  framing goes on;
- a line longer than ``max_line`` bytes becomes a ProtocolError and is dropped as it arrives,
  without buffering it;
- text is UTF-8; a chunk that is not valid UTF-8 is parsed line by line so only the bad line is
  lost;
- an unterminated tail when the body ends (``end()``) is a malformed line.

Values are returned as parsed, whatever their JSON type: deciding what an array or a number means
is the stream's job.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from .errors import ProtocolError

log = logging.getLogger("tsdash.api.streams")

#: A line (one JSON object) longer than this is a protocol error.
MAX_LINE = 1024 * 1024

#: How much of an offending line a ProtocolError keeps (``raw``).
RAW_LIMIT = 200


class NDJSONFramer:
    """Feed it bytes as they arrive; it returns the JSON values (and ProtocolErrors) of the lines
    completed so far, in order.

    ``description`` names the stream in error messages ("the quote stream for AAPL"), ``name`` in
    log lines. One framer serves one connection: a new connection starts with a new framer (or
    ``reset()``).
    """

    __slots__ = ("max_line", "description", "name", "_pending", "_plen", "_skipping")

    def __init__(self, *, max_line: int = MAX_LINE, description: str = "the stream",
                 name: str = "stream") -> None:
        self.max_line = max_line
        self.description = description
        self.name = name
        self._pending: list[bytes] = []  # the unfinished line, in pieces
        self._plen = 0  # its length so far
        self._skipping = False  # inside an overlong line: drop bytes up to its end

    def reset(self) -> None:
        """Forget any unfinished line."""
        self._pending = []
        self._plen = 0
        self._skipping = False

    @property
    def buffered(self) -> int:
        """Bytes of the unfinished line held (0 while skipping an overlong line)."""
        return self._plen

    def feed(self, chunk: bytes) -> list[object]:
        """The values of the lines this chunk completes (a ProtocolError for each bad one)."""
        out: list[object] = []
        if not chunk:
            return out
        max_line = self.max_line
        pending = self._pending
        nl = chunk.rfind(b"\n")
        if nl < 0:
            # no complete line yet: keep it (bounded), or keep skipping an overlong line
            if self._skipping:
                return out
            self._plen += len(chunk)
            if self._plen > max_line:
                pending.clear()
                self._skipping = True
                out.append(self._overlong(self._plen))
                self._plen = 0
                return out
            pending.append(chunk)
            return out
        if self._skipping:
            first = chunk.find(b"\n")
            self._skipping = False
            if first == nl:
                rest = chunk[nl + 1:]
                if rest:
                    pending.append(rest)
                    self._plen = len(rest)
                return out
            body = chunk[first + 1:nl + 1]
        elif pending:
            pending.append(chunk[:nl + 1])
            body = b"".join(pending)
            pending.clear()
        else:
            body = chunk if nl + 1 == len(chunk) else chunk[:nl + 1]
        self._plen = 0
        overlong_tail = 0
        if nl + 1 < len(chunk):
            rest = chunk[nl + 1:]
            if len(rest) > max_line:
                self._skipping = True
                overlong_tail = len(rest)
            else:
                pending.append(rest)
                self._plen = len(rest)
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raw_lines = body.split(b"\n")
            raw_lines.pop()  # body ends with a newline: the last item is empty
            self._parse_checked(raw_lines, out)
        else:
            lines = text.split("\n")
            lines.pop()
            if len(body) > max_line:
                self._parse_checked(lines, out)
            else:
                self._parse_into(lines, out)
        if overlong_tail:
            out.append(self._overlong(overlong_tail))  # after the lines before it: stream order
        return out

    def end(self) -> list[object]:
        """The body ended: an unfinished line is reported as malformed; the framer is reset."""
        tail = b"".join(self._pending) if self._pending and not self._skipping else b""
        self.reset()
        if tail.strip():
            return [self._malformed(tail)]
        return []

    def parse(self, lines: Iterable[str | bytes]) -> list[object]:
        """Parse lines that are already whole (e.g. a WebSocket text frame split on newlines)."""
        out: list[object] = []
        self._parse_into(lines, out)
        return out

    # -- internals ----------------------------------------------------------------------------
    def _parse_into(self, lines: Iterable[str | bytes], out: list[object]) -> None:
        """The per-message hot path: one loop with locals, run once per chunk."""
        loads = json.loads
        append = out.append
        for line in lines:
            try:
                append(loads(line))
            except ValueError:
                if line.strip():
                    append(self._malformed(line))

    def _parse_checked(self, lines: Iterable[str | bytes], out: list[object]) -> None:
        """Lines that need their length checked one by one (a huge chunk, or invalid UTF-8)."""
        for line in lines:
            if len(line) > self.max_line:
                out.append(self._overlong(len(line)))
            else:
                self._parse_into((line,), out)

    def _malformed(self, line: bytes | str) -> ProtocolError:
        log.warning("%s: skipped a malformed line (%d bytes)", self.name, len(line))
        return ProtocolError(
            f"{self.description} sent a line that is not valid JSON; skipped it and kept "
            "streaming.",
            raw=line[:RAW_LIMIT],
        )

    def _overlong(self, size: int) -> ProtocolError:
        log.warning("%s: skipped a line longer than %d bytes", self.name, self.max_line)
        return ProtocolError(
            f"{self.description} sent a line longer than {self.max_line} bytes (at least "
            f"{size}); skipped it and kept streaming."
        )


__all__ = ["NDJSONFramer", "MAX_LINE", "RAW_LIMIT"]
