"""The `a` prompt: type a symbol to add to the watchlist on screen.

The symbol is checked as it is typed, with the config file's own rule, so what is accepted here
is what the file will load next time. Enter adds it (the screen is dismissed with the symbol in
capitals); escape cancels (dismissed with None).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static

from tsdash.config import validate_symbol
from tsdash.ui.screens.dialog import dialog_css


class SymbolValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        problem = validate_symbol(value.strip().upper())
        return self.failure(problem) if problem else self.success()


class AddSymbolScreen(ModalScreen[str | None]):
    DEFAULT_CSS = dialog_css("AddSymbolScreen", width="56", colour="$primary") + """
    AddSymbolScreen #symbol-problem {
        color: $error;
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_add_symbol")]

    def __init__(self, watchlist: str, existing: list[str]) -> None:
        super().__init__()
        self.watchlist = watchlist
        self.existing = {s.upper() for s in existing}
        self.input = Input(placeholder="symbol, e.g. IBM, @ES, $SPX.X or AAPL 261218C230",
                           id="symbol-input",
                           validators=[SymbolValidator()], validate_on=["changed", "submitted"])
        self.problem = Static("", id="symbol-problem")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Add to {self.watchlist}"
            box.border_subtitle = "enter adds · escape cancels"
            yield self.input
            yield self.problem

    def on_mount(self) -> None:
        self.input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value, event.validation_result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self._show(event.value, event.validation_result, submitted=True):
            return
        self.dismiss(event.value.strip().upper())

    def _show(self, value: str, result: ValidationResult | None, *,
              submitted: bool = False) -> bool:
        """Show what is wrong with ``value`` (if anything); True when it can be added."""
        symbol = value.strip().upper()
        if not symbol and not submitted:
            self.problem.update("")
            return False
        if result is not None and not result.is_valid:
            self.problem.update("; ".join(result.failure_descriptions))
            return False
        if symbol in self.existing:
            self.problem.update(f"{symbol} is already in {self.watchlist}")
            return False
        self.problem.update("")
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)
