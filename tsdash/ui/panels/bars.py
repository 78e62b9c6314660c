"""Bars: a candlestick chart with volume for the selected symbol; the live bar updates in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult

from tsdash.ui.models import BarsModel
from tsdash.ui.panels.base import SymbolPanel
from tsdash.ui.symbols import SymbolDetails
from tsdash.ui.widgets.candles import CandleChart

if TYPE_CHECKING:
    from tsdash.api import Subscription, TradeStationClient

UNIT_SHORT = {"Minute": "min", "Daily": "day", "Weekly": "week", "Monthly": "month"}


def interval_label(interval: str, unit: str) -> str:
    short = UNIT_SHORT.get(unit, unit.lower())
    return f"{interval} {short}" if unit == "Minute" else short


class BarsPanel(SymbolPanel[BarsModel]):
    KEY = "bars"
    LETTER = "B"
    TITLE = "Bars"

    def __init__(self, symbol: str, *, interval: str = "1", unit: str = "Minute",
                 barsback: int = 120, clock: Callable[[], float],
                 details: SymbolDetails | None = None) -> None:
        super().__init__()
        self.symbol = symbol
        self.interval = interval
        self.unit = unit
        self.barsback = barsback
        self.model = BarsModel(symbol, interval, unit, max_bars=max(600, barsback + 60),
                               clock=clock)
        self.on_data = self.model.apply  # the hot path: straight into the model
        self.chart = CandleChart(self.model, details=details, id="bars-chart")
        self.chart.details.listen(self._details_arrived)

    @property
    def activity(self):
        return self.model.activity

    def compose_body(self) -> ComposeResult:
        yield self.chart

    def title_text(self) -> Text:
        title = Text(self.TITLE, style="bold")
        title.append(f"  {self.symbol}", style=self.palette.accent + Style(bold=True))
        title.append(f"  {interval_label(self.interval, self.unit)}", style=self.palette.muted)
        return title

    def detail_text(self) -> str:
        return f"{len(self.model)} bars"

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        cb = self.callbacks(generation)
        return await client.market_data.stream_bars(
            symbol=self.symbol, interval=self.interval, unit=self.unit, barsback=self.barsback,
            callback=cb["callback"], error_callback=cb["error_callback"],
            status_callback=cb["status_callback"])

    def on_connected(self) -> None:
        # no EndSnapshot on bar streams: each connection sends ``barsback`` bars, then live ones
        self.model.new_history()

    def mark_all_dirty(self) -> None:
        self.model.dirty = True

    def _details_arrived(self, symbols: set[str]) -> None:
        if self.symbol in symbols:  # the axis and header take the symbol's own price format
            self.model.dirty = True

    def repaint_body(self, tick: int) -> None:
        if self.model.dirty:
            self.model.dirty = False
            self.chart.invalidate()
            self.refresh_subtitle()
