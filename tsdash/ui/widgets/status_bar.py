"""The status bar: environment, streams up and slots held, each panel's state, age of the newest
message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tsdash.ui import formatting as fmt
from tsdash.ui.palette import Painted, palette_css
from tsdash.ui.panels.base import StateKind, state_look

if TYPE_CHECKING:
    from tsdash.ui.panels.base import PanelState


@dataclass(frozen=True)
class PanelDot:
    letter: str
    state: PanelState


@dataclass(frozen=True)
class StreamCounts:
    """``up`` of the ``held`` streams are connected; ``held`` of ``limit`` slots are taken (a
    disconnected stream keeps its slot until its subscription is closed)."""

    up: int
    held: int
    limit: int


#: below this width the bar narrows its gaps and drops "last" (80 columns fit it whole)
COMPACT_WIDTH = 90


@dataclass(frozen=True)
class StatusInfo:
    environment: str  # DEMO | SIM | LIVE | "" (not connected yet)
    streams: StreamCounts | None
    panels: Sequence[PanelDot]
    age: float | None  # seconds since the newest message, None: nothing yet
    watchlist: str | None = None
    alerts_unwatched: int = 0  # alert rules no quotes reach (the alerts screen says why)
    alerts_key: str = ""  # the key of the alerts screen, as remapped


class StatusBar(Painted, Static):
    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """ + palette_css("StatusBar")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._shown: Text | None = None
        self.info: StatusInfo | None = None

    def show(self, info: StatusInfo) -> None:
        """Repaint only when the text changed."""
        self.info = info
        text = self.render_info(info)
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)  # height 1, width 1fr: never changes size

    def render_info(self, info: StatusInfo) -> Text:
        palette = self.palette
        out = Text(no_wrap=True, overflow="ellipsis")
        env = info.environment or "…"
        env_style = {
            "DEMO": palette.warning, "SIM": palette.accent, "LIVE": palette.error,
        }.get(env, palette.muted)
        out.append(f" {env} ", style=env_style + Style(reverse=True, bold=True))
        compact = 0 < self.size.width < COMPACT_WIDTH
        gap = "  " if compact else "   "
        out.append(" " if compact else "  ")
        if info.streams is None:
            out.append("streams –/– up, –/– slots", style=palette.muted)
        else:
            counts = info.streams
            out.append("streams ", style=palette.muted)
            out.append(f"{counts.up}/{counts.held}",
                       style=palette.warning if counts.up < counts.held else palette.text)
            out.append(" up, ", style=palette.muted)
            out.append(f"{counts.held}/{counts.limit}",
                       style=palette.error if counts.held >= counts.limit else palette.text)
            out.append(" slots", style=palette.muted)
        out.append(gap)
        for dot in info.panels:
            look = state_look(dot.state)
            style = (palette.success if look.kind is StateKind.LIVE
                     else palette.accent if look.kind is StateKind.BUSY else palette.error)
            out.append(dot.letter, style=palette.text)
            out.append(look.glyph, style=style)
            out.append(" ")
        out.append(" msg " if compact else "  last msg ", style=palette.muted)
        age_style = palette.text if info.age is None or info.age < 10 else palette.warning
        out.append(fmt.age(info.age), style=age_style)
        if info.watchlist:
            out.append(gap + "list ", style=palette.muted)
            out.append(info.watchlist, style=palette.text)
        if info.alerts_unwatched:
            count = info.alerts_unwatched
            out.append(gap)
            key = f" ({info.alerts_key})" if info.alerts_key else ""
            out.append(f"⚠ {count} alert{'s' if count > 1 else ''} not watched{key}",
                       style=palette.warning)
        return out
