"""Rich styles derived from the active Textual theme (price up/down, flashes, order states).

Panels paint cells as ``rich.text.Text`` with these styles; the app rebuilds the palette when the
theme changes and asks every panel to repaint in full.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.color import Color

from tsdash.ui.models import CANCELLED, FILLED, OTHER, PARTIAL, REJECTED, WORKING
from tsdash.ui.themes import VARIABLE_DEFAULTS


def _color(variables: dict[str, str], name: str, default: str) -> Color:
    try:
        return Color.parse(variables.get(name) or default)
    except Exception:
        return Color.parse(default)


@dataclass(frozen=True)
class Palette:
    up: Style
    down: Style
    flat: Style
    up_flash: Style
    down_flash: Style
    muted: Style
    text: Style
    accent: Style
    success: Style
    warning: Style
    error: Style
    up_dim: Style
    down_dim: Style
    status: dict[str, Style]

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        background = _color(variables, "background", "#0E1117")
        foreground = _color(variables, "foreground", "#D8DEE9")
        up = _color(variables, "price-up", VARIABLE_DEFAULTS["price-up"])
        down = _color(variables, "price-down", VARIABLE_DEFAULTS["price-down"])
        flat = _color(variables, "price-flat", VARIABLE_DEFAULTS["price-flat"])
        success = _color(variables, "success", "#26A69A")
        warning = _color(variables, "warning", "#F0B429")
        error = _color(variables, "error", "#EF5350")
        accent = _color(variables, "accent", "#FFB300")
        muted = background.blend(foreground, 0.6)
        dark = background.brightness < 0.5

        def fg(color: Color, **kw: bool) -> Style:
            return Style(color=color.rich_color, **kw)

        def flash(color: Color) -> Style:
            # a brief highlight: a tint of the colour behind the theme's text
            tint = background.blend(color, 0.45 if dark else 0.3)
            return Style(color=foreground.rich_color, bgcolor=tint.rich_color, bold=True)

        status = {
            WORKING: fg(accent),
            PARTIAL: fg(warning, bold=True),
            FILLED: fg(success, bold=True),
            CANCELLED: fg(muted),
            REJECTED: fg(error, bold=True),
            OTHER: fg(foreground),
        }
        return cls(
            up=fg(up), down=fg(down), flat=fg(flat),
            up_flash=flash(up), down_flash=flash(down),
            muted=fg(muted), text=fg(foreground), accent=fg(accent),
            success=fg(success), warning=fg(warning), error=fg(error),
            up_dim=fg(background.blend(up, 0.55)), down_dim=fg(background.blend(down, 0.55)),
            status=status,
        )

    def signed(self, value: float | None) -> Style:
        if value is None or value == 0:
            return self.flat
        return self.up if value > 0 else self.down


DEFAULT_PALETTE = Palette.from_variables({})
