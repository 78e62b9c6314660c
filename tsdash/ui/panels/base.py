"""The panel base class: one Subscription, its state shown in the panel, repaint on the app's timer.

A panel owns exactly one ``tsdash.api`` Subscription. Its life:

* ``start(client)`` (method call down, from the app): opens the subscription in a worker.
* stream callbacks (``on_data``, the status and error callbacks) only touch the model and a few
  plain attributes: no widget call, O(1).
* ``repaint(tick)`` (from the app's timer, ``settings.repaint_hz`` times a second) paints what
  changed: the state banner and border subtitle when the state moved, then ``repaint_body()``.
* ``reconnect()`` / ``resubscribe()`` / ``stop()`` run in workers too.

The panel runs these workers itself (``exit_on_error=False``) and handles their failures in its
own ``on_worker_state_changed``: a panel's errors are shown in the panel. Its state is written in
one place, ``set_state``; the app changes it only by calling the panel's methods.

States: a panel's state is its subscription's (``tsdash.api.SubscriptionState``, reused, not
redeclared) or one of :class:`PanelOnlyState`. The api's enum is imported on first use, not with
the ui, to keep the dashboard's start-up short (see ``subscription_states``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from enum import Enum, StrEnum
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    NamedTuple,
    Protocol,
    Self,
    TypeAlias,
    TypedDict,
    TypeVar,
)

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tsdash.keymap import ACTIONS
from tsdash.ui.models import Activity
from tsdash.ui.palette import Painted, palette_css

if TYPE_CHECKING:
    from tsdash.api import SnapshotEvent, Subscription, SubscriptionState, TradeStationClient
    from tsdash.api.seams import DataCallback, ErrorCallback, StatusCallback

    #: what a panel's state is: its subscription's, or one of the panel's own
    PanelState: TypeAlias = "SubscriptionState | PanelOnlyState"

log = logging.getLogger(__name__)


class PanelOnlyState(StrEnum):
    """The states a panel has besides its subscription's (``tsdash.api.SubscriptionState``)."""

    WAITING = "waiting"  # no client yet: the app is still connecting
    ERROR = "error"  # one of the panel's workers failed (opening the stream, a reconnect)


class Keep(Enum):
    """``set_state``'s default for a reason left as it is."""

    KEEP = "keep"


class StateKind(StrEnum):
    """How the ui draws a state: its colour, banner, and whether "press r" is offered."""

    LIVE = "live"
    BUSY = "busy"  # something is under way: nothing to do but wait
    PROBLEM = "problem"  # nothing arrives until the user acts


class StateLook(NamedTuple):
    glyph: str
    kind: StateKind
    label: str  # what the border subtitle calls the state


#: the banner's look per kind of message (see DEFAULT_CSS)
BANNER_CLASSES = ("-busy", "-problem", "-warn")

_PANEL_ONLY_LOOKS: dict[str, StateLook] = {
    # waiting reads as connecting: the panel starting its stream does not change what it says
    PanelOnlyState.WAITING: StateLook("◌", StateKind.BUSY, "connecting"),
    PanelOnlyState.ERROR: StateLook("✕", StateKind.PROBLEM, "error"),
}


@functools.cache
def subscription_states() -> type[SubscriptionState]:
    """``tsdash.api.SubscriptionState``, imported when first needed rather than with the ui
    (importing tsdash.api adds to the dashboard's start-up). A panel meets these states only
    once it has a client or a subscription, by which time the api is loaded."""
    from tsdash.api import SubscriptionState

    return SubscriptionState


@functools.cache
def snapshot_events() -> type[SnapshotEvent]:
    """``tsdash.api.SnapshotEvent``, imported when first needed (see subscription_states)."""
    from tsdash.api import SnapshotEvent

    return SnapshotEvent


@functools.cache
def _subscription_looks() -> dict[str, StateLook]:
    state = subscription_states()
    return {
        state.LIVE: StateLook("●", StateKind.LIVE, state.LIVE),
        state.CONNECTING: StateLook("◌", StateKind.BUSY, state.CONNECTING),
        state.RECONNECTING: StateLook("◌", StateKind.BUSY, state.RECONNECTING),
        state.DISCONNECTED: StateLook("○", StateKind.PROBLEM, state.DISCONNECTED),
        state.FAILED: StateLook("✕", StateKind.PROBLEM, state.FAILED),
        state.CLOSED: StateLook("○", StateKind.PROBLEM, state.CLOSED),
    }


def state_look(state: PanelState) -> StateLook:
    """How ``state`` is drawn (the panel's border, its banner, the status bar's dot)."""
    look = _PANEL_ONLY_LOOKS.get(state)
    if look is None:
        look = _subscription_looks().get(state)
    return look if look is not None else StateLook("?", StateKind.PROBLEM, str(state))


#: the states in which a stream that was live counts as lost (reconnecting counts when it
#: follows an error: see StreamPanel._take_state)
LOST_STATES = frozenset({"disconnected", "failed", PanelOnlyState.ERROR})


def _drop(msg: dict[str, Any]) -> None:
    """A panel's data handler until its subclass sets one."""


class SubscriptionCallbacks(TypedDict):
    """The three callbacks every ``stream_*`` call takes, as keyword arguments."""

    callback: DataCallback
    status_callback: StatusCallback
    error_callback: ErrorCallback


def row_action_bindings(panel: str) -> list[BindingType]:
    """The app's actions about this panel's highlighted row (tsdash.keymap ``Action.panel``),
    bound again here with ``show=True``: the footer shows them while the panel has focus. Same
    binding ids as the app's, so a key remapped in ``[keys]`` moves here too."""
    return [Binding(a.key, f"app.{a.id}", a.label, id=a.id, show=True, key_display=a.key_display)
            for a in ACTIONS if a.panel == panel]


def describe_error(error: BaseException | str | None) -> str:
    """One line a person can read, for the banner."""
    if error is None:
        return ""
    if isinstance(error, str):
        return error
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())


class StreamPanel(Painted, Vertical):
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

    class StreamLost(Message):
        """Posted (up, to the app) when a stream that was live is lost (failed, disconnected,
        stalled, or reconnecting after an error): once, and again only after it was live."""

        def __init__(self, panel: StreamPanel, reason: str) -> None:
            super().__init__()
            self.panel = panel
            self.reason = reason

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.KEY, classes=classes)
        #: the loss of the stream has been told (or it was never live): nothing more until live
        self._loss_told = True
        self.client: TradeStationClient | None = None
        self.sub: Subscription | None = None
        self._state: PanelState = PanelOnlyState.WAITING
        self.error: str | None = None
        self.warning: str | None = None  # a non-fatal note (e.g. one symbol refused)
        #: one data message into the model, O(1) and no widget call: subclasses point it at
        #: their model's ``apply`` (the hot path, without a method call in between)
        self.on_data: Callable[[dict[str, Any]], None] = _drop
        self._painted_palette = 0  # the palette_reader.version the panel last painted with
        self._generation = 0
        self._lock = asyncio.Lock()
        self._state_dirty = True
        self._stopped = False
        self.banner = Static("", classes="panel-banner", markup=False)
        self._banner_shown = ("", "")  # (text, css class) on the banner
        self._edge_shown: dict[str, str | Text | None] = {"title": None, "subtitle": None}
        self._edge_only = False  # set while a border title is written: see refresh()

    # -- composition -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.banner
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    def on_mount(self) -> None:
        self._set_edge("title", self.title_text())
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

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        """Open and return this panel's Subscription (callbacks from ``callbacks(generation)``)."""
        raise NotImplementedError  # pragma: no cover

    def reset_model(self) -> None:
        """Forget the data of the previous subscription (before a new one is opened)."""

    def on_snapshot(self, event: SnapshotEvent) -> None:
        """A snapshot's start or end, from order and position streams."""

    def on_connected(self) -> None:
        """The subscription went live again after connecting or reconnecting: a new connection
        whose server sends its data from the start (the bars panel starts a fresh history)."""

    def on_stream_error(self, error: BaseException) -> None:
        """An error from the stream (error_callback). While live it is shown as a warning (a
        skipped malformed line, a refused symbol); otherwise it is the reason for the state."""
        text = describe_error(error)
        if self.is_live:
            self.set_state(self.state, warning=text)
        else:
            self.set_state(self.state, error=text)

    def repaint_body(self, tick: int) -> None:
        """Paint what changed in the model since the last call."""

    def mark_all_dirty(self) -> None:
        """Everything must be painted again (theme change)."""

    # -- callbacks for the subscription (no widget calls here) --------------------------------

    def callbacks(self, generation: int) -> SubscriptionCallbacks:
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

        async def status(sub: Subscription, event: str) -> None:
            if generation != self._generation:
                return
            events = snapshot_events()
            if event in (events.START, events.END):
                self.on_snapshot(events(event))
                return
            try:
                state = subscription_states()(event)
            except ValueError:  # an event newer than this panel: nothing to show
                return
            if self.sub is None:  # still in open(): this is the subscription it returns,
                self.sub = sub    # so that a panel that says live always has one
            self._take_state(sub, state)

        async def error(exc: BaseException) -> None:
            if generation == self._generation:
                self.on_stream_error(exc)

        return {"callback": data, "status_callback": status, "error_callback": error}

    # -- the panel's state: written here only ---------------------------------------------------

    @property
    def state(self) -> PanelState:
        """The subscription's state, or the panel's own (waiting, error); read-only: the panel
        changes it (``set_state``), the app asks with method calls (``start``, ``reconnect``,
        ``wait_for_client``, ``report_error``)."""
        return self._state

    def set_state(self, state: PanelState, *, error: str | None | Keep = Keep.KEEP,
                  warning: str | None | Keep = Keep.KEEP) -> None:
        """The one place the state and the banner's reason change; ``error`` and ``warning``
        are replaced when given (None clears them), kept when left out. Painted at the next
        repaint."""
        self._state = state
        if not isinstance(error, Keep):
            self.error = error
        if not isinstance(warning, Keep):
            self.warning = warning
        self._state_dirty = True
        if state == "live":
            self._loss_told = False
        elif state in LOST_STATES:
            self._lost(self.error or str(state))

    def _lost(self, reason: str) -> None:
        """The stream is lost: say so once (see StreamLost)."""
        if not self._loss_told and not self._stopped:
            self._loss_told = True
            self.post_message(self.StreamLost(self, reason))

    def wait_for_client(self) -> None:
        """The app is connecting (again): the panel says so until ``start`` gives it a client."""
        self.set_state(PanelOnlyState.WAITING, error=None, warning=None)

    def _take_state(self, sub: Subscription, state: SubscriptionState) -> None:
        """The subscription went to ``state``: a live stream clears old errors and warnings."""
        states = subscription_states()
        was = self.state
        if state == states.LIVE:
            self.set_state(state, error=None, warning=None)
            if was != states.LIVE:
                self.on_connected()
        elif state in (states.DISCONNECTED, states.FAILED) and sub.last_error is not None:
            self.set_state(state, error=describe_error(sub.last_error))
        else:
            self.set_state(state)
            if state == states.RECONNECTING and sub.last_error is not None:
                self._lost(f"reconnecting after: {describe_error(sub.last_error)}")

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
        self.set_state(subscription_states().CONNECTING, error=None, warning=None)
        self._run(self._resubscribe(generation), "subscribe")

    def reconnect(self) -> None:
        """The reconnect key: ``await sub.reconnect()`` in a worker; reopen if there is none."""
        if self.client is None:
            return
        states = subscription_states()
        sub = self.sub
        if sub is None or sub.state in (states.CLOSED, states.FAILED):
            self.resubscribe()
            return
        self.set_state(states.RECONNECTING, error=None)
        self._run(self._reconnect(sub, self._generation), "reconnect")

    async def stop(self) -> None:
        """Cancel the panel's workers and unsubscribe (idempotent); awaited by the app when it
        quits."""
        self._stopped = True
        self._generation += 1
        self.workers.cancel_node(self)
        sub, self.sub = self.sub, None
        if sub is not None:
            try:
                await sub.unsubscribe()
            except Exception as exc:  # closing must not stop the rest of the shutdown
                log.warning("%s: unsubscribe failed: %s", self.KEY, exc)
        if self.client is not None:  # never connected: it still says what it was waiting for
            self.set_state(subscription_states().CLOSED)

    def report_error(self, error: BaseException) -> None:
        """Show why the stream cannot run: a failed worker of this panel, or the app's failed
        connect (every panel shows that one)."""
        if self._stopped:
            return
        sub = self.sub
        state: PanelState = PanelOnlyState.ERROR
        if sub is not None:
            sub_state = subscription_states()(sub.state)
            if state_look(sub_state).kind is StateKind.PROBLEM:
                state = sub_state
        self.set_state(state, error=describe_error(error))
        log.info("%s: %s", self.KEY, self.error)

    def _run(self, work: Awaitable[None], what: str) -> None:
        """Run ``work`` in a worker of this panel; its failure comes back to the panel."""
        self.run_worker(work, name=f"{self.KEY}:{what}", group=f"panel:{self.KEY}",
                        exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this panel failed: the panel shows why (a panel's errors stay in it)."""
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            self.report_error(error)

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
            self.set_state(subscription_states()(sub.state))

    async def _reconnect(self, sub: Subscription, generation: int) -> None:
        async with self._lock:
            if generation != self._generation or sub is not self.sub:
                return
            await sub.reconnect()
            if sub is self.sub:
                self._take_state(sub, subscription_states()(sub.state))

    # -- painting ----------------------------------------------------------------------------

    @property
    def look(self) -> StateLook:
        return state_look(self.state)

    @property
    def is_live(self) -> bool:
        return self.look.kind is StateKind.LIVE

    @property
    def is_reconnecting(self) -> bool:
        """Reconnecting by itself: the banner counts down to the next try."""
        return self.sub is not None and self.state == subscription_states().RECONNECTING

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
        elif self.is_reconnecting:  # the countdown to the next try
            self._paint_banner()
        self.repaint_body(tick)

    def banner_text(self) -> tuple[str, str] | None:
        """(text, css class) of the banner, or None when the panel is live and fine."""
        look = self.look
        if look.kind is StateKind.LIVE:
            if self.warning:
                return f"⚠ {self.warning}", "-warn"
            return None
        if self.is_reconnecting:
            return self.reconnecting_text(), "-busy"
        if look.kind is StateKind.BUSY:
            # waiting (the app is still connecting) reads the same as connecting: the same
            # banner, so the panel starting its stream does not re-lay out the screen
            return "◌ connecting…", "-busy"
        reason = f" — {self.error}" if self.error else ""
        action = "press r to reconnect" if self.size.width >= 45 or not self.size.width \
            else "press r"
        return f"{look.glyph} {look.label} · {action}{reason}", "-problem"

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
        self._paint_banner()
        self._set_edge("title", self.title_text())
        self._set_edge("subtitle", self.subtitle())

    def _set_edge(self, which: str, text: str | Text) -> None:
        """Put the border title (``which`` = "title", top line) or subtitle ("subtitle", bottom
        line) on screen: nothing when it is what is shown, else only that border line is
        repainted. Setting ``border_title``/``border_subtitle`` repaints the whole panel (every
        line of it, a frame's worth of work for the positions panel whose P&L moves each tick)."""
        if self._edge_shown[which] == text:
            return
        self._edge_shown[which] = text
        height, width = self.outer_size.height, self.outer_size.width
        if not (self.is_mounted and height and width):  # not laid out yet: the whole panel
            self._write_edge(which, text)
            return
        self._edge_only = True
        try:
            self._write_edge(which, text)
        finally:
            self._edge_only = False
        # refresh() takes regions relative to the content: the border is outside it
        left, top = self.content_offset
        y = 0 if which == "title" else height - 1
        self.refresh(Region(-left, y - top, width, 1))

    def _write_edge(self, which: str, text: str | Text) -> None:
        if which == "title":
            self.border_title = text
        else:
            self.border_subtitle = text

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """Textual's refresh, except the whole-panel repaint that setting a border title asks
        for while ``_set_edge`` writes one: it repaints just that line itself."""
        if self._edge_only and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def subtitle(self) -> Text:
        look = self.look
        palette = self.palette
        style = (palette.success if look.kind is StateKind.LIVE
                 else palette.accent if look.kind is StateKind.BUSY else palette.error)
        out = Text()
        out.append(f"{look.glyph} {look.label}", style=style)
        if look.kind is StateKind.PROBLEM:
            out.append(" · press r", style=style)
        detail = self.detail_text()
        if detail:
            out.append(f" · {detail}")
        return out

    def refresh_title(self) -> None:
        """The title's content changed (a watchlist renamed, a new symbol)."""
        self._set_edge("title", self.title_text())

    def refresh_subtitle(self) -> None:
        """Subclasses call this when the detail text may have changed (row counts and the like):
        only a changed subtitle is painted."""
        self._set_edge("subtitle", self.subtitle())


class SymbolModel(Protocol):
    """What a SymbolPanel needs of its model: starting over for another symbol."""

    def reset(self, symbol: str) -> None: ...


SymbolModelT = TypeVar("SymbolModelT", bound=SymbolModel)


class SymbolPanel(StreamPanel, Generic[SymbolModelT]):
    """A panel that follows one symbol (bars, time and sales): the quotes panel's selection
    swaps its subscription. Subclasses set ``symbol`` and a ``model`` with ``reset(symbol)``."""

    symbol: str
    model: SymbolModelT

    def reset_model(self) -> None:
        self.model.reset(self.symbol)

    def set_symbol(self, symbol: str) -> None:
        if symbol == self.symbol and self.sub is not None:
            return
        self.symbol = symbol
        self.model.reset(symbol)
        self.refresh_title()
        self.resubscribe()
