"""What the dashboard tells the trader: one :class:`Notification` per event, and the journal
that keeps each as one JSON line (``alerts.jsonl`` in the state folder, design.md "Alerts and
notifications").

The journal is append-only and written line by line, so a crash loses at most the line being
written; reading skips a damaged line instead of failing on it.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

#: bytes read from the journal's end per notification wanted (a line is a few hundred)
TAIL_BYTES_PER_LINE = 2048


class NotificationKind(StrEnum):
    """What happened; each value is a name ``[notifications] events`` takes, and the ``kind``
    of the journal line."""

    ALERT = "alert"  # an alert rule fired
    FILL = "fill"  # an order filled, in full or in part
    REJECT = "reject"  # an order was rejected (with TradeStation's reason)
    CANCEL = "cancel"  # an order was cancelled or expired
    STREAM = "stream"  # a panel's stream was lost (failed, stalled, disconnected)


#: how a toast looks for each kind (Textual's severities)
SEVERITY: Mapping[NotificationKind, Literal["information", "warning", "error"]] = {
    NotificationKind.ALERT: "warning",
    NotificationKind.FILL: "information",
    NotificationKind.REJECT: "error",
    NotificationKind.CANCEL: "information",
    NotificationKind.STREAM: "error",
}

#: the title of each kind's toast and desktop notification
TITLE: Mapping[NotificationKind, str] = {
    NotificationKind.ALERT: "Alert",
    NotificationKind.FILL: "Fill",
    NotificationKind.REJECT: "Order rejected",
    NotificationKind.CANCEL: "Order cancelled",
    NotificationKind.STREAM: "Stream lost",
}


def now_text() -> str:
    """The current time as the journal writes it: UTC, ISO 8601, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str | None) -> datetime | None:
    """A journal or state time back as an aware datetime; None if it is not one."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Notification:
    """One thing the trader is told. ``details`` are the kind's own fields (the rule, the
    price, the order id, the reason...), written to the journal beside the four common ones."""

    kind: NotificationKind
    symbol: str
    text: str
    time: str = field(default_factory=now_text)
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TITLE[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "kind": self.kind.value, "symbol": self.symbol,
                "text": self.text, **self.details}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notification:
        """A journal line back as a notification; ValueError if it is not one."""
        try:
            kind = NotificationKind(data["kind"])
            symbol, text, time = (str(data["symbol"]), str(data["text"]), str(data["time"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a notification: {exc}") from None
        details = {k: v for k, v in data.items() if k not in ("time", "kind", "symbol", "text")}
        return cls(kind, symbol, text, time, details)


class Journal:
    """``alerts.jsonl``: every notification, one JSON object per line, oldest first."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, notification: Notification) -> None:
        """Add one line (the directory is made if needed); OSError if it cannot be written."""
        line = json.dumps(notification.to_json(), ensure_ascii=False, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)

    def latest(self, limit: int) -> list[Notification]:
        """The newest ``limit`` notifications, oldest first; damaged lines are skipped, a
        missing file is an empty history. Only the file's end is read (it grows all year)."""
        try:
            with self.path.open("rb") as journal:
                size = journal.seek(0, os.SEEK_END)
                start = max(0, size - limit * TAIL_BYTES_PER_LINE)
                journal.seek(start)
                tail = journal.read()
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("%s not read: %s", self.path, exc)
            return []
        lines = tail.split(b"\n")
        if start > 0:
            lines = lines[1:]  # the first is likely cut in two
        kept: deque[Notification] = deque(maxlen=limit)
        for line in lines:
            if not line.strip():
                continue
            try:
                data = json.loads(line.decode("utf-8", errors="replace"))
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                kept.append(Notification.from_json(data))
            except ValueError as exc:
                log.warning("%s: a line skipped: %s", self.path, exc)
        return list(kept)
