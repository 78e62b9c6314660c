"""The look every dialog box shares: the screen dimmed behind it, a rounded border in the
dialog's colour with a bold title, muted key hints in the border's subtitle."""

from __future__ import annotations


def dialog_css(screen: str, box: str = "Vertical", *, width: str, max_width: str = "95%",
               height: str = "auto", max_height: str | None = None,
               colour: str = "$warning") -> str:
    """DEFAULT_CSS rules for ``screen`` (its type name) whose one child ``box`` (a container
    type) holds the dialog."""
    limit = f"\n        max-height: {max_height};" if max_height else ""
    return f"""
    {screen} {{
        align: center middle;
        background: $background 60%;
    }}
    {screen} > {box} {{
        width: {width};
        max-width: {max_width};
        height: {height};{limit}
        border: round {colour};
        border-title-color: {colour};
        border-title-style: bold;
        border-subtitle-color: $foreground-muted;
        background: $surface;
        padding: 0 1;
    }}
    """
