"""Colour themes: TOML files in ``themes/``, registered as Textual themes.

A theme file is flat: ``name``, ``dark`` and the Textual colour names (primary, secondary, accent,
background, surface, panel, foreground, success, warning, error), plus a ``[variables]`` table for
the dashboard's own colours (``price-up``, ``price-down``, ``price-flat``). They become CSS
variables (``$price-up``), which the widgets' component classes use (``tsdash.ui.palette``). The
shades that follow from them (``DERIVED_VARIABLES``: muted text, flash tints, volume bars) are
worked out for whichever theme is in use; a theme file may set any of them itself. A file that
does not parse or names a colour Textual cannot read is skipped and reported; ``tsdash-dark`` is
built in as the fallback, so the dashboard always has a theme.

Where the files are: inside the installed package (``tsdash/themes``, which the wheel force-includes
from the top-level ``themes/``), then the source checkout's ``themes/`` (editable installs).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

FALLBACK_THEME_NAME = "tsdash-dark"

COLOR_KEYS = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel",
    "boost", "success", "warning", "error",
)
OTHER_KEYS = {"name", "dark", "variables", "luminosity_spread", "text_alpha"}

#: The dashboard's own variables and their defaults (a theme may leave them out).
VARIABLE_DEFAULTS = {
    "price-up": "#26A69A",
    "price-down": "#EF5350",
    "price-flat": "#9AA4B2",
}

#: Variables worked out from the theme in use (``derived_variables``) unless the theme sets them.
DERIVED_VARIABLES = (
    "foreground-dim", "price-up-tint", "price-down-tint", "price-up-dim", "price-down-dim",
)

FALLBACK_THEME = Theme(
    name=FALLBACK_THEME_NAME,
    dark=True,
    primary="#4C8DF6",
    secondary="#7E57C2",
    accent="#FFB300",
    foreground="#D8DEE9",
    background="#0E1117",
    surface="#161B22",
    panel="#1F2630",
    success="#26A69A",
    warning="#F0B429",
    error="#EF5350",
    variables={**VARIABLE_DEFAULTS, "footer-key-foreground": "#FFB300"},
)


class ThemeError(ValueError):
    """A theme file that cannot be used; the message names the file and what is wrong."""


@dataclass
class LoadedThemes:
    themes: dict[str, Theme] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(self.themes)


def theme_dirs() -> list[Traversable]:
    """Where theme files live: the installed package first, then the source checkout."""
    dirs: list[Traversable] = []
    try:
        packaged = resources.files("tsdash") / "themes"
        if packaged.is_dir():
            dirs.append(packaged)
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - tsdash is importable here
        pass
    checkout = Path(__file__).resolve().parents[2] / "themes"
    if checkout.is_dir() and all(str(d) != str(checkout) for d in dirs):
        dirs.append(checkout)
    return dirs


def parse_theme(data: dict, source: str) -> Theme:
    """Build a Theme from a parsed TOML table; raise ThemeError naming ``source``."""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{source}: `name` must be a non-empty string")
    unknown = set(data) - set(COLOR_KEYS) - OTHER_KEYS
    if unknown:
        raise ThemeError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    if "primary" not in data:
        raise ThemeError(f"{source}: `primary` is required")
    colors: dict[str, str] = {}
    for key in COLOR_KEYS:
        if key in data:
            colors[key] = _color(data[key], source, key)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{source}: `dark` must be true or false, found {dark!r}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{source}: [variables] must be a table")
    checked: dict[str, str] = {}
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeError(f"{source}: variables.{key} must be a string, found {value!r}")
        if key in VARIABLE_DEFAULTS or key in DERIVED_VARIABLES:
            _color(value, source, f"variables.{key}")
        checked[key] = value
    numbers = {  # Textual's defaults unless the file sets them
        "luminosity_spread": Theme.luminosity_spread, "text_alpha": Theme.text_alpha,
    }
    for key in numbers:
        if key in data:
            if not isinstance(data[key], (int, float)):
                raise ThemeError(f"{source}: `{key}` must be a number")
            numbers[key] = float(data[key])
    return Theme(
        name=name.strip(), dark=dark, variables={**VARIABLE_DEFAULTS, **checked},
        primary=colors["primary"], secondary=colors.get("secondary"),
        accent=colors.get("accent"), foreground=colors.get("foreground"),
        background=colors.get("background"), surface=colors.get("surface"),
        panel=colors.get("panel"), boost=colors.get("boost"), success=colors.get("success"),
        warning=colors.get("warning"), error=colors.get("error"),
        luminosity_spread=numbers["luminosity_spread"], text_alpha=numbers["text_alpha"],
    )


def _parse(variables: Mapping[str, str], name: str, default: str) -> Color:
    try:
        return Color.parse(variables.get(name) or default)
    except ColorParseError:
        return Color.parse(default)


def derived_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """The shades the dashboard derives from a theme's CSS variables (``App.get_css_variables``):
    muted text, the tint behind a flashing price, the dimmer colours of volume bars. Blended
    onto the theme's background, so they are solid colours whatever a cell sits on."""
    background = _parse(variables, "background", FALLBACK_THEME.background or "#000000")
    foreground = _parse(variables, "foreground", FALLBACK_THEME.foreground or "#FFFFFF")
    up = _parse(variables, "price-up", VARIABLE_DEFAULTS["price-up"])
    down = _parse(variables, "price-down", VARIABLE_DEFAULTS["price-down"])
    # a brief highlight: a tint of the price's colour behind the theme's text
    tint = 0.45 if background.brightness < 0.5 else 0.3
    return {
        "foreground-dim": background.blend(foreground, 0.6).hex,
        "price-up-tint": background.blend(up, tint).hex,
        "price-down-tint": background.blend(down, tint).hex,
        "price-up-dim": background.blend(up, 0.55).hex,
        "price-down-dim": background.blend(down, 0.55).hex,
    }


def _color(value: object, source: str, key: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{source}: `{key}` must be a colour string, found {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{source}: `{key}` = {value!r} is not a colour") from None
    return value


def load_theme_file(path: Traversable) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{path}: cannot be read ({exc})") from None
    return parse_theme(data, str(path))


def load_themes(dirs: Iterable[Traversable] | None = None) -> LoadedThemes:
    """Every usable theme in ``dirs`` (default: ``theme_dirs()``), first one of a name wins.

    The fallback theme is always there, so a missing or broken tsdash-dark.toml costs nothing.
    """
    loaded = LoadedThemes()
    for directory in theme_dirs() if dirs is None else dirs:
        try:
            files = sorted((f for f in directory.iterdir() if f.name.endswith(".toml")),
                           key=lambda f: f.name)
        except OSError as exc:
            loaded.errors.append(f"{directory}: cannot list themes ({exc})")
            continue
        for file in files:
            try:
                theme = load_theme_file(file)
            except ThemeError as exc:
                loaded.errors.append(str(exc))
                continue
            loaded.themes.setdefault(theme.name, theme)
    loaded.themes.setdefault(FALLBACK_THEME_NAME, FALLBACK_THEME)
    # the fallback first, then the others in name order: a stable cycle for the `t` key
    ordered = {FALLBACK_THEME_NAME: loaded.themes[FALLBACK_THEME_NAME]}
    for name in sorted(loaded.themes):
        ordered.setdefault(name, loaded.themes[name])
    loaded.themes = ordered
    return loaded
