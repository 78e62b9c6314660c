"""The `c` prompt: cancel the highlighted working order after one confirmation.

The question names the order (side, quantity, symbol, type, price); `y` or the button sends the
cancel request once (the prompt is then finished: a second press finds nothing to send), and
the answer stays until the prompt is closed.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tsdash.ui.models import first_leg, order_symbol
from tsdash.ui.screens.dialog import dialog_css
from tsdash.ui.screens.order_ticket import OrderTicketScreen
from tsdash.ui.trading import OrderGateway, OrdersView, OutcomeKind, TicketOutcome
from tsdash.ui.widgets.order_answer import OrderAnswer

log = logging.getLogger(__name__)


def describe_order(order: dict[str, Any], shown_price: str | None = None) -> str:
    """'BUY 10 AAPL Limit 219.50 (Received)': an order in a line, from TradeStation's fields."""
    leg = first_leg(order)
    side = str(leg.get("BuyOrSell") or "")
    quantity = leg.get("QuantityOrdered") or order.get("Quantity") or "?"
    symbol = order_symbol(order) or "?"
    kind = str(order.get("OrderType") or "")
    price = shown_price or order.get("LimitPrice") or order.get("StopPrice") or ""
    status = order.get("StatusDescription") or order.get("Status") or ""
    text = " ".join(str(p) for p in (side, quantity, symbol, kind, price) if p)
    return f"{text} ({status})" if status else text


class CancelOrderScreen(ModalScreen[TicketOutcome | None]):
    DEFAULT_CSS = dialog_css("CancelOrderScreen", width="72") + """
    CancelOrderScreen #cancel-buttons { height: 1; margin-top: 1; }
    CancelOrderScreen #cancel-buttons Button {
        height: 1; min-width: 12; border: none; margin-right: 2;
    }
    """

    BINDINGS: ClassVar = [
        Binding("y", "confirm", "Cancel the order", id="confirm_cancel"),
        Binding("n,escape", "close_prompt", "Keep it", id="keep_order"),
    ]

    #: seconds between looks at the order's status after the cancel was sent
    STATUS_EVERY: ClassVar[float] = 0.25

    def __init__(self, order: dict[str, Any], gateway: OrderGateway, *,
                 live: bool = False, shown_price: str | None = None,
                 orders: OrdersView | None = None) -> None:
        super().__init__()
        self.order = order
        self.order_id = str(order.get("OrderID", ""))
        self.gateway = gateway
        self.orders = orders
        self.live = live
        self.sends = 0
        self.sending = False
        self.outcome: TicketOutcome | None = None
        self.question = Static(Text(
            f"Cancel order {self.order_id}" + (" in your LIVE account" if live else "")
            + f"?\n{describe_order(order, shown_price)}"))
        self.answer = OrderAnswer(id="cancel-answer")
        self.confirm_button = Button("Cancel the order (y)", id="cancel-confirm",
                                     variant="error")
        self.keep_button = Button("Keep it (n)", id="cancel-keep")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Cancel order"
            box.border_subtitle = "y cancels it · n or escape keeps it"
            yield self.question
            yield self.answer
            with Horizontal(id="cancel-buttons"):
                yield self.confirm_button
                yield self.keep_button

    def on_mount(self) -> None:
        self.keep_button.focus()  # enter on its own never cancels

    def action_confirm(self) -> None:
        if self.sending or self.outcome is not None:
            return
        self.sending = True
        self.sends += 1
        self.confirm_button.disabled = True
        self.answer.show("cancelling…")
        self.answer.focus()  # enter does nothing there: the answer stays
        self.run_worker(self._cancel(), name="cancel-order", group="ticket",
                        exit_on_error=False)

    async def _cancel(self) -> None:
        from tsdash.api import OrderOutcomeUnknown, OrderRejectedError, TSError

        try:
            answer = await self.gateway.cancel_order(self.order_id)
        except OrderRejectedError as exc:
            outcome = TicketOutcome(OutcomeKind.REJECTED,
                                    f"Not cancelled: {exc.reason}", self.order_id)
        except OrderOutcomeUnknown as exc:
            outcome = TicketOutcome(OutcomeKind.UNKNOWN, str(exc), self.order_id)
        except TSError as exc:
            outcome = TicketOutcome(OutcomeKind.REJECTED, f"Not cancelled: {exc}",
                                    self.order_id)
        except Exception as exc:
            log.exception("cancelling order %s failed", self.order_id)
            outcome = TicketOutcome(OutcomeKind.UNKNOWN, f"The cancel may or may not have "
                                    f"reached TradeStation ({type(exc).__name__}: {exc}).",
                                    self.order_id)
        else:
            message = str(answer.get("Message") or "Cancel request sent")
            outcome = TicketOutcome(OutcomeKind.SENT, f"Order {self.order_id}: {message}",
                                    self.order_id)
        self.sending = False
        self.outcome = outcome
        self._show_outcome()
        self.keep_button.label = "Close (n)"
        self.post_message(OrderTicketScreen.Answered(outcome))
        if self.orders is not None and outcome.kind is not OutcomeKind.REJECTED:
            self.set_interval(self.STATUS_EVERY, self._show_outcome, name="cancel-status")

    def _show_outcome(self) -> None:
        """The answer, and the order's status as the stream reports it since."""
        outcome = self.outcome
        if outcome is None:
            return
        text = Text(outcome.text)
        status = self.orders.status_text(self.order_id) if self.orders is not None else None
        if status and outcome.kind is not OutcomeKind.REJECTED:
            text.append(f"\nOrder {self.order_id} is now: {status}")
        self.answer.show(text, outcome.kind)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button is self.confirm_button:
            self.action_confirm()
        else:
            self.action_close_prompt()

    def action_close_prompt(self) -> None:
        if self.sending:
            return
        self.dismiss(self.outcome)


__all__ = ["CancelOrderScreen", "describe_order"]
