"""Text from a server made safe to show on a terminal.

A server's words (an error's ``Message``, a sign-in server's ``error_description``) reach the
terminal through the CLI and the dashboard. A hostile or broken server could put escape
sequences in them that retitle the window, clear the screen or move the cursor, so every such
text goes through :func:`clean_server_text` before it enters a message.
"""

from __future__ import annotations

import re

#: longest server text kept in a message; the rest is cut with an ellipsis
MAX_SERVER_TEXT = 300

# ESC (or its one-byte C1 form) sequences, as a terminal would consume them:
# OSC/DCS/SOS/PM/APC strings up to their terminator (BEL or ST), CSI with its parameters,
# and any other ESC with its intermediate and final bytes.
_ESCAPES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)
# what is left of the C0 and C1 controls and DEL; Unicode's bidirectional overrides and
# isolates, which reorder what the reader sees
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\t\n\r ]+")


def clean_server_text(text: object, limit: int = MAX_SERVER_TEXT) -> str:
    """``text`` without escape sequences or control characters, on one line, at most ``limit``
    characters (cut with "…"). Newlines and tabs become spaces; runs of spaces become one."""
    value = text if isinstance(text, str) else str(text)
    value = _ESCAPES.sub("", value)
    value = _CONTROLS.sub("", value)
    value = _SPACES.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: max(0, limit - 1)].rstrip() + "…"
    return value


__all__ = ["clean_server_text", "MAX_SERVER_TEXT"]
