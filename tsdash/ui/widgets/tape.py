"""The time-and-sales tape: newest print first, coloured by side, from a TapeModel ring."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tsdash.ui import formatting as fmt
from tsdash.ui.models import TapeModel, to_float
from tsdash.ui.palette import Painted, palette_css
from tsdash.ui.symbols import SymbolDetails

SIDE_TEXT = {"buy": "buy", "sell": "sell"}


class TapeView(Painted, Widget, can_focus=True):
    """Header line, then one print per line, newest at the top. Only the visible lines are
    formatted; call ``refresh()`` after the model changed."""

    DEFAULT_CSS = """
    TapeView {
        height: 1fr;
        width: 1fr;
        background: $surface;
        color: $foreground;
    }
    """ + palette_css("TapeView")

    def __init__(self, model: TapeModel, *, details: SymbolDetails | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.details = details if details is not None else SymbolDetails()

    def _layout(self, width: int) -> tuple[int, int, int, int]:
        """Column widths: time, price, size, side (side dropped when narrow)."""
        side = 5 if width >= 34 else 0
        return 8, 10, 8, side

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        palette = self.palette
        t_w, p_w, s_w, side_w = self._layout(width)
        if y == 0:
            header = (f"{'Time':<{t_w}} {'Price':>{p_w}} {'Size':>{s_w}}"
                      + (f" {'Side':<{side_w}}" if side_w else ""))
            return self._strip([(header, palette.muted + Style(bold=True))], width, base)
        if y == 1 and not self.model.prints:
            return self._strip([(f"no prints yet for {self.model.symbol}", palette.muted)],
                               width, base)
        index = y - 1
        prints = self.model.prints
        if index >= len(prints):
            return Strip.blank(width, base)
        trade = prints[index]
        prices = self.details.formatter(self.model.symbol)
        side = str(trade.get("Side") or "unknown").lower()
        style = palette.up if side == "buy" else palette.down if side == "sell" else palette.flat
        size = to_float(trade.get("Size"))
        parts = [
            (f"{fmt.clock_time(trade.get('Time')):<{t_w}} ", palette.muted),
            (f"{fmt.symbol_price(trade.get('Price'), prices):>{p_w}} ", style),
            (f"{fmt.quantity(size):>{s_w}}", style + Style(bold=True)
             if size is not None and size >= 1000 else style),
        ]
        if side_w:
            parts.append((f" {SIDE_TEXT.get(side, '·'):<{side_w}}", style))
        return self._strip(parts, width, base)

    @staticmethod
    def _strip(parts: list[tuple[str, Style]], width: int, base: Style) -> Strip:
        segments = [Segment(text, base + style) for text, style in parts]
        return Strip(segments).crop_extend(0, width, base)
