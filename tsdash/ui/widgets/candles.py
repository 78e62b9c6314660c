"""A candlestick chart with volume, drawn with box and block characters (no extra dependency).

Each terminal row holds two price steps: the thin/heavy half-line characters give candles
half-row resolution::

    │ wick        ┃ body        ╽ wick above, body below     ╿ body above, wick below
    ╵ ╷ half wick ╹ ╻ half body

Volume bars use the eighth blocks ▁▂▃▄▅▆▇█. The price axis is on the right (last close
highlighted); times along the bottom when there is room. The chart is drawn once per model change
(at the panel's repaint rate) into cached Strips, and ``render_line`` just hands them out.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tsdash.ui import formatting as fmt
from tsdash.ui.models import BarsModel, to_float
from tsdash.ui.palette import Painted, palette_css
from tsdash.ui.symbols import SymbolDetails

# (upper half, lower half) -> character; 0 nothing, 1 wick, 2 body
CANDLE_CHARS = {
    (2, 2): "┃", (2, 1): "╿", (1, 2): "╽", (2, 0): "╹", (0, 2): "╻",
    (1, 1): "│", (1, 0): "╵", (0, 1): "╷", (0, 0): " ",
}
VOLUME_CHARS = " ▁▂▃▄▅▆▇█"


def price_decimals(prices: list[float]) -> int:
    top = max((abs(p) for p in prices), default=0.0)
    return 2 if top >= 1 else 4


class CandleChart(Painted, Widget, can_focus=True):
    """Candles + volume for a BarsModel. Call ``refresh()`` after the model changed."""

    DEFAULT_CSS = """
    CandleChart {
        height: 1fr;
        width: 1fr;
        background: $surface;
        color: $foreground;
    }
    """ + palette_css("CandleChart")

    def __init__(self, model: BarsModel, *, details: SymbolDetails | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.details = details if details is not None else SymbolDetails()
        self._lines: list[list[Segment]] = []
        self._drawn_for: tuple[int, int, int] | None = None  # width, height, palette version
        self._stale = True

    def invalidate(self) -> None:
        """The model changed: draw the chart again now and repaint only the lines that differ
        (a live bar moving changes its own column, the header and the axis tag, not the rest)."""
        width, height = self.size
        drawn_for = (width, height, self.palette_reader.version)
        if self._stale or self._drawn_for != drawn_for or not self.is_mounted:
            self._stale = True
            self.refresh()
            return
        before = self._lines
        self._lines = lines = self.draw(width, height)
        for y, line in enumerate(lines):
            if y >= len(before) or line != before[y]:
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        drawn_for = (width, height, self.palette_reader.version)
        if self._stale or self._drawn_for != drawn_for:
            self._lines = self.draw(width, height)
            self._drawn_for = drawn_for
            self._stale = False
        if y < len(self._lines):
            return Strip(self._lines[y], width)
        return Strip.blank(width, self.rich_style)

    # -- drawing ---------------------------------------------------------------------------------

    def draw(self, width: int, height: int) -> list[list[Segment]]:
        base = self.rich_style
        if width <= 0 or height <= 0:
            return []
        rows = _Canvas(width, height, base)
        bars = self.model.last(width)  # never more than fits
        if not bars:
            message = f"waiting for {self.model.symbol or 'bars'}…"
            rows.text(max(0, height // 2 - 1), max(0, (width - len(message)) // 2), message,
                      self.palette.muted)
            return rows.lines()
        palette = self.palette

        # vertical budget: header, price area, volume area, time axis
        header = 1 if height >= 6 else 0
        time_axis = 1 if height >= 10 else 0
        volume_rows = 3 if height >= 20 else 2 if height >= 10 else 1 if height >= 7 else 0
        price_rows = height - header - time_axis - volume_rows
        if price_rows < 2:
            volume_rows = 0
            price_rows = height - header - time_axis

        # horizontal budget: price axis on the right
        sample = [p for p in (to_float(bars[-1].get("Close")), to_float(bars[-1].get("High")))
                  if p is not None]
        decimals = price_decimals(sample)
        prices = self.details.formatter(self.model.symbol)

        def price_text(value: Any) -> str:
            """The symbol's own format once known; until then one number of decimals for
            every label, so the axis lines up."""
            return fmt.price(value, decimals) if prices is None else fmt.symbol_price(value,
                                                                                     prices)

        highs = [to_float(b.get("High")) for b in bars]
        lows = [to_float(b.get("Low")) for b in bars]
        top_price = max((h for h in highs if h is not None), default=0.0)
        bottom_price = min((lo for lo in lows if lo is not None), default=0.0)
        axis_width = max(len(price_text(top_price)), len(price_text(bottom_price))) + 2
        chart_width = max(1, width - axis_width)
        step = 2 if chart_width >= 2 * min(len(bars), 60) else 1
        count = min(len(bars), max(1, (chart_width + step - 1) // step))
        bars = bars[-count:]

        opens = [to_float(b.get("Open")) for b in bars]
        closes = [to_float(b.get("Close")) for b in bars]
        highs = [to_float(b.get("High")) for b in bars]
        lows = [to_float(b.get("Low")) for b in bars]
        valid = [p for p in (*highs, *lows, *opens, *closes) if p is not None]
        if not valid:
            rows.text(0, 0, "bars without prices", palette.muted)
            return rows.lines()
        low, high = min(valid), max(valid)
        if high - low < 1e-9:
            pad = max(abs(high) * 0.001, 0.01)
            low, high = low - pad, high + pad
        units = price_rows * 2

        def level(price: float) -> int:
            return max(0, min(units - 1, round((price - low) / (high - low) * (units - 1))))

        x0 = chart_width - count * step  # right-align: newest bar at the right edge
        if step == 2:
            x0 += 1
        top_row = header
        volumes = [to_float(b.get("TotalVolume")) or 0.0 for b in bars]
        top_volume = max(volumes) or 1.0

        for i, bar in enumerate(bars):
            o, c, h, lo = opens[i], closes[i], highs[i], lows[i]
            if o is None or c is None or h is None or lo is None:
                continue
            up = c >= o
            style = palette.up if up else palette.down
            body_low, body_high = level(min(o, c)), level(max(o, c))
            wick_low, wick_high = level(lo), level(h)
            x = x0 + i * step
            for r in range(price_rows):
                unit_low = (price_rows - 1 - r) * 2
                kinds = []
                for u in (unit_low + 1, unit_low):  # upper half, lower half
                    if body_low <= u <= body_high:
                        kinds.append(2)
                    elif wick_low <= u <= wick_high:
                        kinds.append(1)
                    else:
                        kinds.append(0)
                char = CANDLE_CHARS[(kinds[0], kinds[1])]
                if char != " ":
                    rows.put(top_row + r, x, char, style)
            # volume
            if volume_rows:
                eighths = round(volumes[i] / top_volume * volume_rows * 8)
                vstyle = palette.up_dim if up else palette.down_dim
                for k in range(volume_rows):
                    fill = eighths - k * 8
                    if fill <= 0:
                        break
                    row = top_row + price_rows + volume_rows - 1 - k
                    rows.put(row, x, VOLUME_CHARS[min(8, fill)], vstyle)

        # price axis: a label every few rows, the last close highlighted
        axis_x = chart_width + 1
        label_every = 4 if price_rows >= 12 else 3 if price_rows >= 6 else 2
        for r in range(0, price_rows, label_every):
            unit_mid = (price_rows - 1 - r) * 2 + 0.5
            price = low + unit_mid / (units - 1) * (high - low)
            rows.text(top_row + r, axis_x, price_text(price), palette.muted)
        last_close = closes[-1]
        if last_close is not None:
            r = price_rows - 1 - level(last_close) // 2
            last_up = (last_close >= (opens[-1] or last_close))
            tag_style = (palette.up_flash if last_up else palette.down_flash)
            rows.text(top_row + r, axis_x - 1, "◂", palette.up if last_up else palette.down)
            rows.text(top_row + r, axis_x, price_text(last_close), tag_style)
        if volume_rows:
            rows.text(top_row + price_rows, axis_x, fmt.compact(top_volume), palette.muted)

        # time axis
        if time_axis:
            y = height - 1
            next_free = 0
            for i in range(0, count):
                x = x0 + i * step
                label = fmt.short_time(bars[i].get("TimeStamp"))
                if not label or x < next_free or x + len(label) > chart_width:
                    continue
                minute = label[-2:]
                if i != 0 and not minute.endswith(("0", "5")) and count > 8:
                    continue
                rows.text(y, x, "╵" + label, palette.muted)
                next_free = x + len(label) + 3

        # header: the newest bar
        if header:
            bar = bars[-1]
            o, c, h, lo = opens[-1], closes[-1], highs[-1], lows[-1]
            change_style = palette.signed((c or 0) - (o or 0))
            parts: list[tuple[str, Style]] = [
                ("O ", palette.muted), (price_text(o), palette.text),
                ("  H ", palette.muted), (price_text(h), palette.text),
                ("  L ", palette.muted), (price_text(lo), palette.text),
                ("  C ", palette.muted), (price_text(c), change_style),
                ("  V ", palette.muted), (fmt.compact(bar.get("TotalVolume")), palette.text),
            ]
            stamp = fmt.short_time(bar.get("TimeStamp"))
            if stamp:
                parts.append((f"  {stamp}", palette.muted))
            x = 0
            for text, style in parts:
                if x + len(text) > width:
                    break
                rows.text(0, x, text, style)
                x += len(text)
        return rows.lines()


class _Canvas:
    """A grid of (char, style) cells turned into Segment lines with runs merged."""

    def __init__(self, width: int, height: int, base: Style) -> None:
        self.width = width
        self.height = height
        self.base = base
        self.chars = [[" "] * width for _ in range(height)]
        self.styles: list[list[Style | None]] = [[None] * width for _ in range(height)]

    def put(self, y: int, x: int, char: str, style: Style) -> None:
        if 0 <= y < self.height and 0 <= x < self.width:
            self.chars[y][x] = char
            self.styles[y][x] = style

    def text(self, y: int, x: int, text: str, style: Style) -> None:
        for i, char in enumerate(text):
            self.put(y, x + i, char, style)

    def lines(self) -> list[list[Segment]]:
        base = self.base
        out: list[list[Segment]] = []
        for chars, styles in zip(self.chars, self.styles):
            line: list[Segment] = []
            run: list[str] = []
            current: Any = 0
            for char, style in zip(chars, styles):
                if style is not current and run:
                    line.append(Segment("".join(run), base + current if current else base))
                    run = []
                current = style
                run.append(char)
            if run:
                line.append(Segment("".join(run), base + current if current else base))
            out.append(line)
        return out

