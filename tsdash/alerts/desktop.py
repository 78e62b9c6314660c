"""How a desktop notification reaches the trader: an escape sequence the terminal turns into one
(OSC 777 or OSC 9), or ``notify-send`` where the terminal takes neither.

Terminals say little about themselves, so the choice is made from the environment they set:
a terminal known to take OSC 777 (foot, WezTerm, Ghostty, rxvt-unicode) or OSC 9 (iTerm2,
kitty) gets the sequence; inside tmux, whose pass-through is off unless configured, and in any
other terminal ``notify-send`` is used where it is installed. With neither, there is no desktop
notification, and :func:`desktop_route` says why.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class DesktopRoute(StrEnum):
    """How desktop notifications are delivered on this terminal."""

    OSC777 = "osc777"  # ESC ] 777 ; notify ; title ; body ST
    OSC9 = "osc9"  # ESC ] 9 ; text ST (iTerm2's form)
    NOTIFY_SEND = "notify-send"  # libnotify's command
    NONE = "none"


#: (environment variable, value prefix or "" for "set at all") -> the sequence it takes
_OSC777_TERMINALS = (("TERM", "foot"), ("TERM_PROGRAM", "WezTerm"), ("TERM_PROGRAM", "ghostty"),
                     ("TERM", "xterm-ghostty"), ("TERM", "rxvt-unicode"))
_OSC9_TERMINALS = (("TERM_PROGRAM", "iTerm.app"), ("TERM", "xterm-kitty"),
                   ("KITTY_WINDOW_ID", ""))

#: control characters (C0, DEL, C1): they would end the sequence early or inject another
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Route:
    route: DesktopRoute
    why: str  # for the log and the alerts screen: what was found


def _matches(env: Mapping[str, str], table: tuple[tuple[str, str], ...]) -> str | None:
    for name, prefix in table:
        value = env.get(name)
        if value is not None and value.startswith(prefix):
            return f"{name}={value}" if prefix else name
    return None


def desktop_route(env: Mapping[str, str],
                  which: Callable[[str], str | None] | None = None) -> Route:
    """The way to deliver desktop notifications in the terminal described by ``env``
    (``which`` finds a command: ``shutil.which`` unless given)."""
    which = which if which is not None else shutil.which
    in_tmux = bool(env.get("TMUX"))
    if not in_tmux:
        found = _matches(env, _OSC777_TERMINALS)
        if found:
            return Route(DesktopRoute.OSC777, f"the terminal takes OSC 777 ({found})")
        found = _matches(env, _OSC9_TERMINALS)
        if found:
            return Route(DesktopRoute.OSC9, f"the terminal takes OSC 9 ({found})")
    if which("notify-send"):
        where = "inside tmux" if in_tmux else "the terminal takes no notification sequence"
        return Route(DesktopRoute.NOTIFY_SEND, f"notify-send ({where})")
    if in_tmux:
        return Route(DesktopRoute.NONE, "inside tmux, which does not pass notification "
                     "sequences on, and notify-send is not installed")
    return Route(DesktopRoute.NONE, "this terminal takes no notification sequence tsdash "
                 "knows, and notify-send is not installed")


def clean(text: str, limit: int = 200) -> str:
    """``text`` safe inside an escape sequence or a command argument: one line, no controls."""
    one_line = _CONTROLS.sub(" ", text).strip()
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def osc_sequence(route: DesktopRoute, title: str, body: str) -> str:
    """The escape sequence that makes the terminal show a notification (ST-terminated)."""
    if route is DesktopRoute.OSC777:
        return f"\x1b]777;notify;{clean(title).replace(';', ',')};{clean(body)}\x1b\\"
    if route is DesktopRoute.OSC9:
        return f"\x1b]9;{clean(title)}: {clean(body)}\x1b\\"
    raise ValueError(f"{route} is not an escape sequence")


def notify_send_command(title: str, body: str) -> list[str]:
    """The ``notify-send`` command for one notification (arguments, no shell)."""
    return ["notify-send", "--app-name=tsdash", "--", clean(title), clean(body)]
