"""A widget that only lists ``Painted`` among its bases (no reader, no component classes, no
``notify_style_update`` of its own) paints in the theme's colours, follows a theme switch, and
takes CSS aimed at its component classes: the mixin wires all three."""

from __future__ import annotations

from rich.color import Color
from textual.app import App, ComposeResult
from textual.widget import Widget

from ui_helpers import wait_for
from tsdash.ui.palette import Painted, palette_css
from tsdash.ui.themes import derived_variables, load_themes

DARK_UP = Color.parse("#26a69a")  # tsdash-dark's price-up
HIGH_CONTRAST_UP = Color.parse("#00ff00")
RESTYLED_DOWN = Color.parse("#abcdef")


class Swatch(Painted, Widget):
    DEFAULT_CSS = "Swatch { height: 1; }" + palette_css("Swatch")


class SwatchApp(App[None]):
    CSS = "Swatch > .price--down { color: #abcdef; }"

    def __init__(self) -> None:
        super().__init__()
        for theme in load_themes().themes.values():
            self.register_theme(theme)
        self.theme = "tsdash-dark"
        self.swatch = Swatch()

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        return {**derived_variables(variables), **variables}

    def compose(self) -> ComposeResult:
        yield self.swatch


async def test_a_painted_widget_recolours_on_a_theme_switch():
    app = SwatchApp()
    async with app.run_test() as pilot:
        swatch = app.swatch
        await wait_for(pilot, lambda: swatch.palette.up.color == DARK_UP,
                       what="the theme's price-up")
        version = swatch.palette_reader.version
        app.theme = "tsdash-high-contrast"
        await wait_for(pilot, lambda: swatch.palette.up.color == HIGH_CONTRAST_UP,
                       what="the new theme's price-up")
        assert swatch.palette_reader.version > version  # a line cache knows to draw again


async def test_css_on_a_painted_widgets_component_class_restyles_it():
    app = SwatchApp()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.swatch.palette.down.color == RESTYLED_DOWN,
                       what="the app's rule on .price--down")
