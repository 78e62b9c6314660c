"""The panel base class: one Subscription, its state shown in the panel, repaint on the app's timer.

A panel owns exactly one ``tsdash.api`` Subscription. Its life:

* ``start(client)`` (method call down, from the app): opens the subscription in a worker.
* stream callbacks (``_on_data``, ``_on_status``, ``_on_error``) only touch the model and a few
  plain attributes: no widget call, O(1).
* ``repaint(tick)`` (from the app's timer, ``settings.repaint_hz`` times a second) paints what
  changed: the state banner and border subtitle when the state moved, then ``repaint_body()``.
* ``reconnect()`` / ``resubscribe()`` / ``stop()`` run in workers too.

Every worker is an app worker in the group ``panel:<key>`` started with ``exit_on_error=False``;
the app's single ``on_worker_state_changed`` hands a failed worker's error back to its panel
(``report_error``), so errors are handled in one place and shown in the panel itself.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tsdash.ui.models import Activity
from tsdash.ui.palette import PALETTE_CLASSES, Palette, PaletteReader, palette_css

if TYPE_CHECKING:
    from tsdash.api import TradeStationClient

log = logging.getLogger(__name__)

#: Subscription states (design.md) plus the panel's own: waiting (no client yet), error.
LIVE = "live"
CONNECTING = "connecting"
RECONNECTING = "reconnecting"
DISCONNECTED = "disconnected"
CLOSED = "closed"
FAILED = "failed"
WAITING = "waiting"
ERROR = "error"
SUB_STATES = frozenset({LIVE, CONNECTING, RECONNECTING, DISCONNECTED, CLOSED, FAILED})
#: States in which nothing arrives until the user acts: the panel says "press r to reconnect".
NEEDS_ACTION = frozenset({DISCONNECTED, FAILED, ERROR, CLOSED})
BUSY = frozenset({WAITING, CONNECTING, RECONNECTING})
#: the banner's look per kind of message (see DEFAULT_CSS)
BANNER_CLASSES = ("-busy", "-problem", "-warn")

STATE_GLYPH = {
    LIVE: "●", CONNECTING: "◌", RECONNECTING: "◌", WAITING: "◌",
    DISCONNECTED: "○", FAILED: "✕", ERROR: "✕", CLOSED: "○",
}


def describe_error(error: BaseException | str | None) -> str:
    """One line a person can read, for the banner."""
    if error is None:
        return ""
    if isinstance(error, str):
        return error
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())


class StreamPanel(Vertical):
    """A bordered panel owning one Subscription. Subclasses fill in the body and ``open()``."""

    DEFAULT_CSS = """
    StreamPanel {
        border: round $foreground 25%;
        border-title-color: $foreground;
        border-title-style: bold;
        border-subtitle-color: $foreground-muted;
        background: $surface;
        height: 1fr;
        width: 1fr;
        padding: 0;
    }
    StreamPanel:focus-within {
        border: round $primary;
        border-title-color: $primary;
    }
    StreamPanel > .panel-banner {
        dock: top;
        height: auto;
        max-height: 3;
        width: 1fr;
        padding: 0 1;
        display: none;
        background: $warning 20%;
        color: $text;
    }
    StreamPanel > .panel-banner.-busy {
        display: block;
        background: $primary 15%;
        color: $text-muted;
    }
    StreamPanel > .panel-banner.-problem {
        display: block;
        background: $error 30%;
        color: $text;
        text-style: bold;
    }
    StreamPanel > .panel-banner.-warn {
        display: block;
        background: $warning 25%;
        color: $text;
    }
    """ + palette_css("StreamPanel")

    COMPONENT_CLASSES: ClassVar[set[str]] = PALETTE_CLASSES

    ALLOW_MAXIMIZE = True

    #: short id ("quotes"), status-bar letter, title
    KEY: ClassVar[str] = "panel"
    LETTER: ClassVar[str] = "?"
    TITLE: ClassVar[str] = "Panel"

    class FirstData(Message):
        """Posted (up, to the app) when a new subscription's first message is in the model: the
        app paints it at once instead of at the next repaint tick."""

        def __init__(self, panel: StreamPanel) -> None:
            super().__init__()
            self.panel = panel

    class StateChanged(Message):
        """Posted (up, to the app) after a repaint that showed a new state."""

        def __init__(self, panel: StreamPanel, state: str) -> None:
            super().__init__()
            self.panel = panel
            self.state = state

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.KEY, classes=classes)
        self.client: TradeStationClient | None = None
        self.sub: Any = None
        self.state: str = WAITING
        self.error: str | None = None
        self.warning: str | None = None  # a non-fatal note (e.g. one symbol refused)
        self.palette_reader = PaletteReader(self)
        self._painted_palette = 0  # the palette_reader.version the panel last painted with
        self._generation = 0
        self._lock = asyncio.Lock()
        self._shown: tuple[str, str | None, str | None] | None = None
        self._state_dirty = True
        self._stopped = False
        self.banner = Static("", classes="panel-banner", markup=False)
        self._banner_shown = ("", "")  # (text, css class) on the banner

    # -- composition -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.banner
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    def on_mount(self) -> None:
        self.border_title = self.title_text()
        self._paint_state()

    def on_resize(self) -> None:
        self._state_dirty = True

    @property
    def focus_target(self) -> Widget | None:
        """The widget that takes focus for this panel (tab moves between these)."""
        for widget in self.query("*"):
            if widget.can_focus:
                return widget
        return None

    # -- what subclasses provide --------------------------------------------------------------

    @property
    def activity(self) -> Activity:  # pragma: no cover - abstract
        raise NotImplementedError

    def title_text(self) -> str | Text:
        return self.TITLE

    def detail_text(self) -> str:
        """A short description of what the panel shows, for the border subtitle."""
        return ""

    async def open(self, client: TradeStationClient, generation: int) -> Any:
        """Open and return this panel's Subscription (callbacks from ``callbacks(generation)``)."""
        raise NotImplementedError  # pragma: no cover

    def reset_model(self) -> None:
        """Forget the data of the previous subscription (before a new one is opened)."""

    def on_data(self, msg: dict[str, Any]) -> None:  # pragma: no cover - abstract
        """One data message: update the model only."""

    def on_snapshot(self, event: str) -> None:
        """``snapshot_start`` / ``snapshot_end`` from order and position streams."""

    def on_connected(self) -> None:
        """The subscription went live again after connecting or reconnecting: a new connection
        whose server sends its data from the start (the bars panel starts a fresh history)."""

    def on_stream_error(self, error: BaseException) -> None:
        """An error from the stream (error_callback). While live it is shown as a warning (a
        skipped malformed line, a refused symbol); otherwise it is the reason for the state."""
        text = describe_error(error)
        if self.state == LIVE:
            self.warning = text
        else:
            self.error = text
        self._state_dirty = True

    def repaint_body(self, tick: int) -> None:
        """Paint what changed in the model since the last call."""

    def mark_all_dirty(self) -> None:
        """Everything must be painted again (theme change)."""

    # -- callbacks for the subscription (no widget calls here) --------------------------------

    def callbacks(self, generation: int) -> dict[str, Callable[..., Awaitable[None]]]:
        """The three callbacks, bound to one generation: a superseded subscription's late
        messages are dropped instead of landing in the new model."""
        on_data = self.on_data
        first = True

        async def data(msg: dict[str, Any]) -> None:
            nonlocal first
            if generation == self._generation:
                on_data(msg)
                if first:  # the handler runs after the rest of this read's messages
                    first = False
                    self.post_message(self.FirstData(self))

        async def status(sub: Any, event: str) -> None:
            if generation != self._generation:
                return
            if event in ("snapshot_start", "snapshot_end"):
                self.on_snapshot(event)
                return
            if event in SUB_STATES:
                if self.sub is None:  # still in open(): this is the subscription it returns,
                    self.sub = sub    # so that a panel that says live always has one
                self._take_state(sub, event)

        async def error(exc: BaseException) -> None:
            if generation == self._generation:
                self.on_stream_error(exc)

        return {"callback": data, "status_callback": status, "error_callback": error}

    def _take_state(self, sub: Any, state: str) -> None:
        """The subscription went to ``state``: a live stream clears old errors and warnings."""
        was, self.state = self.state, state
        if state == LIVE and was != LIVE:
            self.on_connected()
        if state == LIVE:
            self.error = None
            self.warning = None
        elif state in (DISCONNECTED, FAILED):
            reason = getattr(sub, "last_error", None)
            if reason is not None:
                self.error = describe_error(reason)
        self._state_dirty = True

    # -- lifecycle (method calls down from the app; the work runs in workers) ----------------

    def start(self, client: TradeStationClient) -> None:
        self.client = client
        self._stopped = False
        self.resubscribe()

    def resubscribe(self) -> None:
        """Close the current subscription (if any) and open a new one, in a worker."""
        if self.client is None:
            return
        self._generation += 1
        generation = self._generation
        self.state = CONNECTING
        self.error = None
        self.warning = None
        self._state_dirty = True
        self._run(self._resubscribe(generation), "subscribe")

    def reconnect(self) -> None:
        """The reconnect key: ``await sub.reconnect()`` in a worker; reopen if there is none."""
        if self.client is None:
            return
        sub = self.sub
        if sub is None or getattr(sub, "state", None) in (CLOSED, FAILED):
            self.resubscribe()
            return
        self.state = RECONNECTING
        self.error = None
        self._state_dirty = True
        self._run(self._reconnect(sub, self._generation), "reconnect")

    async def stop(self) -> None:
        """Unsubscribe (idempotent); awaited by the app when it quits."""
        self._stopped = True
        self._generation += 1
        sub, self.sub = self.sub, None
        if sub is not None:
            try:
                await sub.unsubscribe()
            except Exception as exc:  # closing must not stop the rest of the shutdown
                log.warning("%s: unsubscribe failed: %s", self.KEY, exc)
        self.state = CLOSED
        self._state_dirty = True

    def report_error(self, error: BaseException) -> None:
        """Called by the app's worker handler when this panel's worker failed."""
        if self._stopped:
            return
        self.error = describe_error(error)
        sub_state = getattr(self.sub, "state", None)
        self.state = sub_state if sub_state in NEEDS_ACTION else ERROR
        self._state_dirty = True
        log.info("%s: %s", self.KEY, self.error)

    def _run(self, work: Awaitable[None], what: str) -> None:
        self.app.run_worker(work, name=f"{self.KEY}:{what}", group=f"panel:{self.KEY}",
                            exit_on_error=False)

    async def _resubscribe(self, generation: int) -> None:
        async with self._lock:
            if generation != self._generation or self._stopped:
                return  # a newer request (or quit) came while we waited
            old, self.sub = self.sub, None
            if old is not None:
                await old.unsubscribe()
            self.reset_model()
            assert self.client is not None
            sub = await self.open(self.client, generation)
            if generation != self._generation or self._stopped:
                if self.sub is sub:
                    self.sub = None
                await sub.unsubscribe()
                return
            self.sub = sub
            self.state = sub.state
            self._state_dirty = True

    async def _reconnect(self, sub: Any, generation: int) -> None:
        async with self._lock:
            if generation != self._generation or sub is not self.sub:
                return
            await sub.reconnect()
            if sub is self.sub:
                self._take_state(sub, sub.state)

    # -- painting ----------------------------------------------------------------------------

    @property
    def palette(self) -> Palette:
        """The panel's colours, from its component classes (``tsdash.ui.palette``)."""
        return self.palette_reader.palette

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.palette_reader.invalidate()

    @property
    def is_live(self) -> bool:
        return self.state == LIVE

    def repaint(self, tick: int) -> None:
        if not self.is_mounted:
            return
        palette_version = self.palette_reader.version
        if palette_version != self._painted_palette:  # new colours: everything again
            self._painted_palette = palette_version
            self._state_dirty = True
            self.mark_all_dirty()
        if self._state_dirty:
            self._state_dirty = False
            self._paint_state()
        elif self.state == RECONNECTING:  # the countdown to the next try
            self._paint_banner()
        self.repaint_body(tick)

    def banner_text(self) -> tuple[str, str] | None:
        """(text, css class) of the banner, or None when the panel is live and fine."""
        state = self.state
        if state == LIVE:
            if self.warning:
                return f"⚠ {self.warning}", "-warn"
            return None
        if state == RECONNECTING:
            return self.reconnecting_text(), "-busy"
        if state in BUSY:
            # waiting (the app is still connecting) reads the same as connecting: the same
            # banner, so the panel starting its stream does not re-lay out the screen
            return "◌ connecting…", "-busy"
        reason = f" — {self.error}" if self.error else ""
        action = "press r to reconnect" if self.size.width >= 45 or not self.size.width \
            else "press r"
        return f"{STATE_GLYPH.get(state, '○')} {state} · {action}{reason}", "-problem"

    def reconnecting_text(self) -> str:
        """Why the subscription is reconnecting by itself, and when it tries next (its
        ``last_error`` and ``retry_at``): an outage says what is wrong while it lasts. The
        countdown comes first, as "press r" does for disconnected: a narrow panel's banner (at
        most three lines) cuts a long reason, not the time."""
        sub = self.sub
        error = sub.last_error if sub is not None else None
        reason = describe_error(error) if error is not None else self.error
        retry_at = sub.retry_at if sub is not None else None
        if retry_at is None:
            when = ""
        else:
            wait = math.ceil(retry_at - time.monotonic())
            when = f" · next try in {wait} s" if wait > 0 else " · trying now"
        if not reason:
            return f"◌ reconnecting{when}" if when else "◌ reconnecting…"
        return f"◌ reconnecting{when} — {reason}"

    def _paint_banner(self) -> None:
        """Put the banner's text and look on screen, only what changed: update() re-lays out
        the screen and a class change restyles the banner (the classes swap in one go)."""
        text, css_class = self.banner_text() or ("", "")
        shown_text, shown_class = self._banner_shown
        if text != shown_text:
            # a countdown that keeps the text's length keeps its lines: no new layout
            self.banner.update(text, layout=len(text) != len(shown_text))
        if css_class != shown_class:
            kept = self.banner.classes.difference(BANNER_CLASSES)
            self.banner.set_classes(kept | {css_class} if css_class else kept)
        self._banner_shown = (text, css_class)

    def _paint_state(self) -> None:
        shown = (self.state, self.error, self.warning)
        self._paint_banner()
        self.border_title = self.title_text()
        self.border_subtitle = self.subtitle()
        if shown != self._shown:
            self._shown = shown
            self.post_message(self.StateChanged(self, self.state))

    def subtitle(self) -> Text:
        state = self.state
        palette = self.palette
        style = (palette.success if state == LIVE
                 else palette.accent if state in BUSY else palette.error)
        out = Text()
        out.append(f"{STATE_GLYPH.get(state, '?')} {state}", style=style)
        if state in NEEDS_ACTION:
            out.append(" · press r", style=style)
        detail = self.detail_text()
        if detail:
            out.append(f" · {detail}")
        return out

    def refresh_subtitle(self) -> None:
        """Subclasses call this when the detail text changed (row counts and the like)."""
        self.border_subtitle = self.subtitle()


class SymbolPanel(StreamPanel):
    """A panel that follows one symbol (bars, time and sales): the quotes panel's selection
    swaps its subscription. Subclasses set ``symbol`` and a ``model`` with ``reset(symbol)``."""

    symbol: str
    model: Any

    def reset_model(self) -> None:
        self.model.reset(self.symbol)

    def set_symbol(self, symbol: str) -> None:
        if symbol == self.symbol and self.sub is not None:
            return
        self.symbol = symbol
        self.model.reset(symbol)
        self.border_title = self.title_text()
        self.resubscribe()
