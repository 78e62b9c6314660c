"""Switching the theme repaints prices in the new theme's ``$price-up``: the quotes table, the tape
and the candles read their colours from their component classes, so nothing has to push colours
to them, and CSS aimed at a component class restyles what it names."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from textual.widget import Widget

from ui_helpers import (
    SEED, advance, frozen_clock, settle, sim_app, wait_data, wait_for, wait_live,
)
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import DemoConnector
from tsdash.ui.themes import load_themes

DARK_UP = "#26a69a"  # tsdash-dark's price-up
HIGH_CONTRAST_UP = "#00ff00"
FILE_UP = "#123456"
FILE_UP_DIM = "#654321"  # a derived shade (up volume bars) the file sets itself


def painted(widget: Widget) -> list[list[Segment]]:
    """What the widget paints, line by line (its public line API)."""
    return [list(widget.render_line(y)) for y in range(widget.size.height)]


def colour(segment: Segment) -> str | None:
    style = segment.style
    if style is None or style.color is None or style.color.triplet is None:
        return None
    return style.color.triplet.hex


def up_row_colours(app: TsdashApp) -> set[str]:
    """The colours of the quotes table's rows for symbols that are up on the day."""
    panel = app.panels["quotes"]
    up = [symbol for symbol, quote in panel.model.quotes.items()
          if float(quote.get("NetChange") or 0) > 0]
    assert up, "the simulated market has a symbol up on the day"
    table = panel.focus_target
    assert table is not None
    colours: set[str] = set()
    for line in painted(table):
        text = "".join(segment.text for segment in line)
        if any(f" {symbol} " in f"{text} " or f"▸{symbol} " in text for symbol in up):
            colours.update(c for c in map(colour, line) if c)
    assert colours, f"rows for {up} on screen"
    return colours


def tape_buy_colours(app: TsdashApp) -> set[str]:
    """The colours of the tape's buy prints."""
    colours: set[str] = set()
    for line in painted(app.tape_panel.view):
        if "".join(segment.text for segment in line).rstrip().endswith(" buy"):
            colours.update(c for c in map(colour, line[1:]) if c)  # after the time
    assert colours, "buy prints on the tape"
    return colours


def candle_colours(app: TsdashApp) -> set[str]:
    """Every colour the candle chart paints (up and down candles, axis, volume)."""
    return {c for line in painted(app.bars_panel.chart) for c in map(colour, line) if c}


async def market_on_screen(pilot, connector) -> None:
    await wait_live(pilot)
    await wait_data(pilot)
    await advance(pilot, connector.sim, 15)
    await settle(pilot)


async def repainted_in(pilot, up: str) -> None:
    """Wait until the quotes table, the tape and the candles paint up prices in ``up``."""
    app = pilot.app

    def shown() -> bool:
        app.tick()
        return (up in up_row_colours(app) and up in tape_buy_colours(app)
                and up in candle_colours(app))

    await wait_for(pilot, shown, what=f"up prices painted {up}")


async def test_switching_theme_repaints_prices_in_its_price_up(settings):
    app, connector = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await market_on_screen(pilot, connector)
        await repainted_in(pilot, DARK_UP)
        await pilot.press("t")  # the next theme: tsdash-high-contrast
        assert app.theme == "tsdash-high-contrast"
        await repainted_in(pilot, HIGH_CONTRAST_UP)
        await settle(pilot)
        for colours in (up_row_colours(app), tape_buy_colours(app), candle_colours(app)):
            assert DARK_UP not in colours  # nothing left in the old theme's colour


async def test_a_theme_file_setting_price_up_recolours_up_prices(settings, tmp_path: Path,
                                                                 monkeypatch):
    themes = tmp_path / "themes"
    themes.mkdir()
    dark = Path(__file__).resolve().parents[2] / "themes" / "tsdash-dark.toml"
    (themes / "mine.toml").write_text(
        dark.read_text().replace('name = "tsdash-dark"', 'name = "mine"')
        .replace(f'price-up = "{DARK_UP.upper()}"',
                 f'price-up = "{FILE_UP}"\nprice-up-dim = "{FILE_UP_DIM}"'))
    monkeypatch.setattr("tsdash.ui.app.load_themes", lambda: load_themes([themes]))
    app, connector = sim_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await market_on_screen(pilot, connector)
        assert app.dashboard_themes == ["tsdash-dark", "mine"]
        await repainted_in(pilot, DARK_UP)
        await pilot.press("t")
        assert app.theme == "mine"
        await repainted_in(pilot, FILE_UP)
        assert FILE_UP_DIM in candle_colours(app)


async def test_css_on_a_component_class_restyles_what_it_names(settings):
    """The colours are CSS: a rule on ``.price--up`` reaches the quotes table (and only it)."""

    class Restyled(TsdashApp):
        CSS = "QuotesPanel > .price--up { color: #abcdef; }"

    connector = DemoConnector(seed=SEED, clock="fixed")  # as sim_app does
    app = Restyled(settings, connector=connector, clock=frozen_clock, balance_interval=3600.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await market_on_screen(pilot, connector)
        assert "#abcdef" in up_row_colours(app)
        assert DARK_UP in tape_buy_colours(app)  # the tape keeps the theme's colour
