"""The line where an order's answer stays: sent (with its status), rejected, or unknown."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tsdash.ui.trading import OutcomeKind


class OrderAnswer(Static):
    """Hidden until something is shown; coloured by the kind of answer (None: in progress).

    It takes the focus once a request is sent: enter does nothing here, so a repeated enter
    cannot press a button that would take the answer away."""

    can_focus = True

    DEFAULT_CSS = """
    OrderAnswer { height: auto; margin-top: 1; text-style: bold; }
    OrderAnswer:focus { background: $surface-lighten-1; }
    OrderAnswer.-empty { display: none; }
    OrderAnswer.-sent { color: $success; }
    OrderAnswer.-rejected { color: $error; }
    OrderAnswer.-unknown { color: $warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="-empty")

    def show(self, text: Text | str, kind: OutcomeKind | None = None) -> None:
        self.remove_class("-empty")
        for look in OutcomeKind:
            self.set_class(look is kind, f"-{look.value}")
        self.update(text)


__all__ = ["OrderAnswer"]
