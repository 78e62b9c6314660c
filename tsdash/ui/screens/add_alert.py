"""The `!` form: a new alert rule for a symbol, prefilled from the highlighted quote row.

A symbol, a condition (a Select, so there is always exactly one) and a level. What is typed is
checked with :func:`tsdash.alerts.rules.make_rule`, the check the config file gets, so the form
and the file refuse the same input with the same words. The line under the fields says what the
rule means as typed ("AAPL last at or above 231.5") or what is wrong; enter (or the button) adds
it: the screen is dismissed with the :class:`AlertRule`, or, when it cannot be made, the problem
stays on screen and the field at fault takes focus. Escape cancels (dismissed with None).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from tsdash.alerts.rules import MEASURE, RISING, AlertRule, Condition, RuleError, make_rule
from tsdash.ui.screens.dialog import dialog_css

#: the conditions whose level is a price (the form may prefill the last price there)
PRICE_CONDITIONS = frozenset({Condition.ABOVE, Condition.BELOW})

#: what to type in the level field, by condition
LEVEL_PLACEHOLDER = {
    Condition.ABOVE: "a price, e.g. 231.5",
    Condition.BELOW: "a price, e.g. 231.5",
    Condition.CHANGE_PCT_ABOVE: "percent, e.g. 2.5",
    Condition.CHANGE_PCT_BELOW: "percent, e.g. -2.5",
    Condition.VOLUME_ABOVE: "shares, e.g. 1000000",
}


def condition_label(condition: Condition) -> str:
    """"last at or above": a condition as the Select shows it (the rule's own words)."""
    way = "at or above" if condition in RISING else "at or below"
    return f"{MEASURE[condition]} {way}"


class AddAlertScreen(ModalScreen[AlertRule | None]):
    """Add one alert rule; dismissed with the rule, or None when cancelled."""

    DEFAULT_CSS = dialog_css("AddAlertScreen", width="64") + """
    AddAlertScreen .alert-row { height: 1; margin: 0 0 1 0; }
    AddAlertScreen .alert-label { width: 11; color: $foreground-muted; }
    AddAlertScreen Input {
        width: 1fr; height: 1; border: none; padding: 0 1; background: $surface-lighten-1;
    }
    AddAlertScreen Input:focus { border: none; background: $primary 35%; }
    AddAlertScreen Input.-fault { background: $error 25%; }
    AddAlertScreen Select { width: 1fr; height: 1; }
    AddAlertScreen Select > SelectCurrent {
        border: none; height: 1; padding: 0 1; background: $surface-lighten-1;
    }
    AddAlertScreen Select:focus > SelectCurrent { border: none; background: $primary 35%; }
    AddAlertScreen Select > SelectOverlay { width: 1fr; }
    AddAlertScreen #alert-hint { height: auto; color: $foreground; text-style: bold; }
    AddAlertScreen #alert-hint.-problem { color: $error; text-style: none; }
    AddAlertScreen #alert-buttons { height: 1; margin-top: 1; }
    AddAlertScreen #alert-buttons Button {
        height: 1; min-width: 12; border: none; margin-right: 2;
    }
    """

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="cancel_add_alert")]

    def __init__(self, symbol: str, last: str | None,
                 existing: Iterable[AlertRule] = ()) -> None:
        super().__init__()
        self.last = last.strip() if last else None
        self.existing = set(existing)
        self.symbol_input = Input(symbol, id="alert-symbol",
                                  placeholder="symbol, e.g. AAPL or @ES")
        self.condition_select: Select[Condition] = Select(
            [(condition_label(c), c) for c in Condition], value=Condition.ABOVE,
            allow_blank=False, id="alert-condition")
        self.level_input = Input(self.last or "", id="alert-level",
                                 placeholder=LEVEL_PLACEHOLDER[Condition.ABOVE])
        #: what the rule means as typed, or what is wrong with it
        self.hint = Static("", id="alert-hint")
        self.add_button = Button("Add alert", id="alert-add", variant="warning")
        self.cancel_button = Button("Cancel", id="alert-cancel")
        #: the problem shown after the last enter (None: none, or nothing submitted yet)
        self.problem: RuleError | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Add an alert"
            box.border_subtitle = "enter adds · tab moves · escape cancels"
            for label, widget in (("Symbol", self.symbol_input),
                                  ("When", self.condition_select),
                                  ("Level", self.level_input)):
                with Horizontal(classes="alert-row"):
                    yield Label(label, classes="alert-label")
                    yield widget
            yield self.hint
            with Horizontal(id="alert-buttons"):
                yield self.add_button
                yield self.cancel_button

    def on_mount(self) -> None:
        # the symbol and the last price are there already: the level is what is usually typed
        self.level_input.focus()
        self._check()

    # -- reading the form -------------------------------------------------------------------------

    @property
    def condition(self) -> Condition:
        chosen = self.condition_select.value
        return chosen if isinstance(chosen, Condition) else Condition.ABOVE

    def rule_or_problem(self) -> AlertRule | RuleError:
        """The rule the fields make, or why they make none (an existing rule is a problem)."""
        try:
            rule = make_rule(self.symbol_input.value, self.condition, self.level_input.value)
        except RuleError as problem:
            return problem
        if rule in self.existing:
            return RuleError(self.condition.value, f"{rule.describe()} is already set")
        return rule

    def _field(self, name: str) -> Widget:
        """The widget a RuleError's field names."""
        if name == "symbol":
            return self.symbol_input
        if name == "condition":
            return self.condition_select
        return self.level_input

    def _check(self) -> AlertRule | None:
        """Show what the fields mean (or what is wrong); the rule when there is one."""
        outcome = self.rule_or_problem()
        fault = outcome.field if isinstance(outcome, RuleError) else None
        for name in ("symbol", "level"):
            widget = self._field(name)
            widget.set_class(fault is not None and self._field(fault) is widget
                             and self.problem is not None, "-fault")
        if isinstance(outcome, AlertRule):
            self.problem = None
            self.hint.update(f"Alert when {outcome.describe()}")
            self.hint.set_class(False, "-problem")
            return outcome
        self.hint.update(outcome.message)
        self.hint.set_class(True, "-problem")
        return None

    # -- events -------------------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check()

    @on(Select.Changed, "#alert-condition")
    def _condition_changed(self, event: Select.Changed) -> None:
        """A price prefilled from the quote means nothing as a percent or a volume: it goes
        when the condition is not a price, and comes back when it is again."""
        event.stop()
        condition = self.condition
        level = self.level_input
        level.placeholder = LEVEL_PLACEHOLDER[condition]
        if self.last:
            if condition not in PRICE_CONDITIONS and level.value.strip() == self.last:
                level.value = ""
            elif condition in PRICE_CONDITIONS and not level.value.strip():
                level.value = self.last
        self._check()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_add()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button is self.add_button:
            self.action_add()
        else:
            self.action_cancel()

    def action_add(self) -> None:
        """Add the rule, or say what is wrong and put the cursor where it is."""
        outcome = self.rule_or_problem()
        if isinstance(outcome, AlertRule):
            self.dismiss(outcome)
            return
        self.problem = outcome
        self._check()
        self._field(outcome.field).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["AddAlertScreen", "condition_label"]
