"""Time and sales: the selected symbol's prints, newest first, bounded ring."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult

from tsdash.ui.models import TapeModel
from tsdash.ui.panels.base import SymbolPanel
from tsdash.ui.symbols import SymbolDetails
from tsdash.ui.widgets.tape import TapeView

if TYPE_CHECKING:
    from tsdash.api import Subscription, TradeStationClient


class TapePanel(SymbolPanel[TapeModel]):
    KEY = "tape"
    LETTER = "T"
    TITLE = "Time & Sales"

    def __init__(self, symbol: str, *, clock: Callable[[], float], history: int = 500,
                 details: SymbolDetails | None = None) -> None:
        super().__init__()
        self.symbol = symbol
        self.model = TapeModel(symbol, maxlen=history, clock=clock)
        self.on_data = self.model.apply  # the hot path: straight into the model
        self.view = TapeView(self.model, details=details, id="tape-view")
        self.view.details.listen(self._details_arrived)

    @property
    def activity(self):
        return self.model.activity

    def compose_body(self) -> ComposeResult:
        yield self.view

    def title_text(self) -> Text:
        title = Text(self.TITLE, style="bold")
        title.append(f"  {self.symbol}", style=self.palette.accent + Style(bold=True))
        return title

    def detail_text(self) -> str:
        return f"last {self.model.maxlen}"

    async def open(self, client: TradeStationClient, generation: int) -> Subscription:
        cb = self.callbacks(generation)
        return await client.market_data.stream_time_and_sales(
            symbol=self.symbol, callback=cb["callback"], error_callback=cb["error_callback"],
            status_callback=cb["status_callback"])

    def mark_all_dirty(self) -> None:
        self.model.dirty = True

    def _details_arrived(self, symbols: set[str]) -> None:
        if self.symbol in symbols:  # the prints take the symbol's own price format
            self.model.dirty = True

    def repaint_body(self, tick: int) -> None:
        if self.model.dirty:
            self.model.dirty = False
            self.view.refresh()
