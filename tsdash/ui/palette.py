"""The dashboard's colours as Textual component classes, read back as rich Styles.

Panels paint cells as ``rich.text.Text``, so they need rich Styles, not CSS. Each widget that
paints lists ``PALETTE_CLASSES`` in its ``COMPONENT_CLASSES`` and ``palette_css(its type)`` in
its ``DEFAULT_CSS``: the colours come from the theme's CSS variables (``$price-up`` and the others
in ``tsdash.ui.themes``), so a theme switch or a CSS rule such as
``QuotesPanel > .price--up { color: red; }`` restyles the widget with nothing pushed by hand.

``PaletteReader`` is the typed accessor: it reads a widget's component classes through
``Widget.get_component_rich_style`` into a ``Palette`` and reads them again after Textual tells
the widget its styles changed (``notify_style_update``). ``Painted``, a mixin put before the
Textual base (``class TapeView(Painted, Widget)``), wires the two into a widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Final

from rich.style import Style
from textual.widget import Widget

from tsdash.ui.models import OrderCategory


class Tone(StrEnum):
    """A component class: one colour role the dashboard paints with."""

    UP = "price--up"
    DOWN = "price--down"
    FLAT = "price--flat"
    UP_FLASH = "price--up-flash"
    DOWN_FLASH = "price--down-flash"
    UP_DIM = "price--up-dim"
    DOWN_DIM = "price--down-dim"
    TEXT = "text--normal"
    MUTED = "text--muted"
    ACCENT = "text--accent"
    SUCCESS = "text--success"
    WARNING = "text--warning"
    ERROR = "text--error"
    WORKING = "order--working"
    PARTIAL = "order--partial"
    FILLED = "order--filled"
    CANCELLED = "order--cancelled"
    REJECTED = "order--rejected"
    OTHER = "order--other"


#: what a widget that paints with the palette puts in its COMPONENT_CLASSES
PALETTE_CLASSES: Final[set[str]] = {tone.value for tone in Tone}

#: each component class's look, from the theme's CSS variables
PALETTE_RULES: Final = {
    Tone.UP: "color: $price-up;",
    Tone.DOWN: "color: $price-down;",
    Tone.FLAT: "color: $price-flat;",
    Tone.UP_FLASH: "color: $foreground; background: $price-up-tint; text-style: bold;",
    Tone.DOWN_FLASH: "color: $foreground; background: $price-down-tint; text-style: bold;",
    Tone.UP_DIM: "color: $price-up-dim;",
    Tone.DOWN_DIM: "color: $price-down-dim;",
    Tone.TEXT: "color: $foreground;",
    Tone.MUTED: "color: $foreground-dim;",
    Tone.ACCENT: "color: $accent;",
    Tone.SUCCESS: "color: $success;",
    Tone.WARNING: "color: $warning;",
    Tone.ERROR: "color: $error;",
    Tone.WORKING: "color: $accent;",
    Tone.PARTIAL: "color: $warning; text-style: bold;",
    Tone.FILLED: "color: $success; text-style: bold;",
    Tone.CANCELLED: "color: $foreground-dim;",
    Tone.REJECTED: "color: $error; text-style: bold;",
    Tone.OTHER: "color: $foreground;",
}


def palette_css(widget_type: str) -> str:
    """The component classes' rules for the DEFAULT_CSS of ``widget_type`` (a widget listing
    PALETTE_CLASSES): ``TapeView > .price--up { color: $price-up; }`` and so on, so CSS can
    restyle one widget's colours (``QuotesPanel > .price--up``) without touching the others."""
    return "".join(f"\n    {widget_type} > .{tone} {{ {rule} }}"
                   for tone, rule in PALETTE_RULES.items()) + "\n"


#: an order's category (tsdash.ui.models) -> the tone its status is painted in
STATUS_TONES: Final = {
    OrderCategory.WORKING: Tone.WORKING,
    OrderCategory.PARTIAL: Tone.PARTIAL,
    OrderCategory.FILLED: Tone.FILLED,
    OrderCategory.CANCELLED: Tone.CANCELLED,
    OrderCategory.REJECTED: Tone.REJECTED,
    OrderCategory.OTHER: Tone.OTHER,
}


@dataclass(frozen=True)
class Palette:
    """A widget's component-class styles, as plain rich Styles (only what each class sets, so
    a cell's own background shows through)."""

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
    status: dict[OrderCategory, Style]

    @classmethod
    def of(cls, widget: Widget) -> Palette:
        """Read ``widget``'s component classes; KeyError when its styles are not applied yet."""

        def style(tone: Tone) -> Style:
            return widget.get_component_rich_style(tone.value, partial=True)

        return cls(
            up=style(Tone.UP), down=style(Tone.DOWN), flat=style(Tone.FLAT),
            up_flash=style(Tone.UP_FLASH), down_flash=style(Tone.DOWN_FLASH),
            muted=style(Tone.MUTED), text=style(Tone.TEXT), accent=style(Tone.ACCENT),
            success=style(Tone.SUCCESS), warning=style(Tone.WARNING), error=style(Tone.ERROR),
            up_dim=style(Tone.UP_DIM), down_dim=style(Tone.DOWN_DIM),
            status={category: style(tone) for category, tone in STATUS_TONES.items()},
        )

    def signed(self, value: float | None) -> Style:
        if value is None or value == 0:
            return self.flat
        return self.up if value > 0 else self.down


#: what a widget paints with before Textual has applied its styles (it is not on screen yet)
UNSTYLED = Palette(
    up=Style(), down=Style(), flat=Style(), up_flash=Style(), down_flash=Style(),
    muted=Style(), text=Style(), accent=Style(), success=Style(), warning=Style(),
    error=Style(), up_dim=Style(), down_dim=Style(),
    status={category: Style() for category in STATUS_TONES},
)


class PaletteReader:
    """One widget's Palette, read from its component classes once and again after each style
    update. Textual calls ``notify_style_update`` before it re-reads the component classes, so
    that only marks the palette stale; the next ``palette`` read (a paint) picks up the new
    styles. ``version`` counts the times the colours really changed: a widget that caches what
    it drew compares it to know when to draw everything again."""

    def __init__(self, widget: Widget) -> None:
        self.widget = widget
        self._palette = UNSTYLED
        self._version = 0
        self._stale = True

    def invalidate(self) -> None:
        """Call from the widget's ``notify_style_update``."""
        self._stale = True

    @property
    def palette(self) -> Palette:
        """The widget's colours, read again if its styles changed since the last read."""
        return self._read()

    @property
    def version(self) -> int:
        """Goes up each time a read finds different colours (read again here if stale)."""
        self._read()
        return self._version

    def _read(self) -> Palette:
        if self._stale:
            try:
                palette = Palette.of(self.widget)
            except KeyError:  # not styled yet: try again at the next read
                return self._palette
            self._stale = False
            if palette != self._palette:
                self._palette = palette
                self._version += 1
        return self._palette


if TYPE_CHECKING:
    _WidgetBase = Widget  # mypy checks the mixin's methods as a Widget's
else:
    _WidgetBase = object  # at run time a plain mixin: the class's Textual base stays its DOM base


class Painted(_WidgetBase):
    """A widget that paints with the palette: put it before the Textual base
    (``class StatusBar(Painted, Static)``) and read ``self.palette`` while painting.

    It adds PALETTE_CLASSES to each subclass's own COMPONENT_CLASSES (Textual reads them from
    the DOM classes' ``__dict__``, so a mixin's attribute would not count), makes the reader on
    first use, and marks it stale when Textual says the styles changed. The widget still puts
    ``palette_css("ItsType")`` in its DEFAULT_CSS."""

    COMPONENT_CLASSES: ClassVar[set[str]] = PALETTE_CLASSES
    _palette_reader: PaletteReader | None = None

    def __init_subclass__(cls, **kwargs: bool) -> None:
        super().__init_subclass__(**kwargs)  # Textual's own keywords (can_focus, inherit_css)
        cls.COMPONENT_CLASSES = PALETTE_CLASSES | cls.__dict__.get("COMPONENT_CLASSES", set())

    @property
    def palette_reader(self) -> PaletteReader:
        """The widget's reader; ``version`` tells a widget that caches lines to draw again."""
        if self._palette_reader is None:
            self._palette_reader = PaletteReader(self)
        return self._palette_reader

    @property
    def palette(self) -> Palette:
        """The widget's colours, from its component classes."""
        return self.palette_reader.palette

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.palette_reader.invalidate()
