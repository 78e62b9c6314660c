"""The order ticket: fill in, preview with TradeStation, send once, see the answer.

The ticket is a small state machine (:class:`TicketStage`) and every path to the server goes
through it:

- Any field change returns it to EDITING and clears the preview: what is sent is always what
  was previewed, and a field that is wrong says so beside it and blocks the preview.
- Preview (enter in a field, or the button) calls ``confirm_order`` and shows TradeStation's
  estimated cost, commission and the account's buying power; a replace is previewed here (old
  and new side by side), as TradeStation has no confirm for it.
- Send is possible only in PREVIEWED, once the preview has been on screen for
  :attr:`OrderTicketScreen.ARM_DELAY` seconds (a held enter key cannot preview and send in one
  go), and, live, once the symbol has been typed. The stage becomes SENDING before the request
  starts, so a second enter, a double click or a key repeat finds nothing to press.
- The answer stays: the order id with its status as the order stream reports it, or
  TradeStation's reason, or "outcome unknown" (and the app reconciles the orders).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static

from tsdash.ui.models import decimal_or_none, first_leg
from tsdash.ui.screens.dialog import dialog_css
from tsdash.ui.ticket import (
    Duration,
    OrderType,
    Side,
    TicketInput,
    TradeAction,
    check_ticket,
    default_action,
    dollars,
    exchange_today,
    preview_problem,
    replace_request,
    side_of,
    trade_actions,
)
from tsdash.ui.trading import (
    OrderGateway,
    OrdersView,
    OutcomeKind,
    TicketContext,
    TicketMode,
    TicketOutcome,
)
from tsdash.ui.widgets.order_answer import OrderAnswer

log = logging.getLogger(__name__)


class TicketStage(StrEnum):
    """Where a ticket is; only PREVIEWED can send."""

    EDITING = "editing"
    PREVIEWING = "previewing"
    PREVIEWED = "previewed"
    SENDING = "sending"
    SENT = "sent"  # TradeStation took it: an OrderID
    REJECTED = "rejected"  # TradeStation refused it: its reason
    UNKNOWN = "unknown"  # no answer: it may or may not have been placed


#: stages after which nothing more can be sent from this ticket
FINISHED = frozenset({TicketStage.SENT, TicketStage.REJECTED, TicketStage.UNKNOWN})


class PriceInput(Input):
    """A price field: up and down move the price by the symbol's increment."""

    BINDINGS: ClassVar = [
        Binding("up", "step(1)", "Price up", show=False),
        Binding("down", "step(-1)", "Price down", show=False),
    ]

    def __init__(self, stepper: Callable[[str, int], str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stepper = stepper

    def action_step(self, steps: int) -> None:
        stepped = self._stepper(self.value, steps)
        if stepped is not None:
            self.value = stepped
            self.cursor_position = len(stepped)


class OrderTicketScreen(ModalScreen[TicketOutcome | None]):
    """A ticket for one order (``TicketContext.mode``: new, close or replace)."""

    #: seconds the preview is on screen before Send can be pressed
    ARM_DELAY: ClassVar[float] = 0.6
    #: seconds between repaints of the quote line
    QUOTE_EVERY: ClassVar[float] = 0.5
    #: seconds between looks at the order's status after it was sent
    STATUS_EVERY: ClassVar[float] = 0.25

    DEFAULT_CSS = dialog_css("OrderTicketScreen", "VerticalScroll", width="84",
                             max_width="98%", max_height="98%", colour="$primary") + """
    OrderTicketScreen.-sell > VerticalScroll { border: round $error; border-title-color: $error; }
    OrderTicketScreen.-buy > VerticalScroll { border: round $success; border-title-color: $success; }
    OrderTicketScreen .ticket-row { height: auto; min-height: 1; margin: 0; }
    OrderTicketScreen .ticket-label { width: 10; color: $foreground-muted; }
    OrderTicketScreen Input {
        width: 30; height: 1; border: none; padding: 0 1; background: $surface-lighten-1;
    }
    OrderTicketScreen Input:focus { border: none; background: $primary 35%; }
    OrderTicketScreen Input.-invalid { background: $error 25%; }
    OrderTicketScreen Select { width: 30; height: 1; }
    OrderTicketScreen Select > SelectCurrent {
        border: none; height: 1; padding: 0 1; background: $surface-lighten-1;
    }
    OrderTicketScreen Select:focus > SelectCurrent { border: none; background: $primary 35%; }
    OrderTicketScreen Select > SelectOverlay { width: 30; }
    OrderTicketScreen .ticket-problem { width: 1fr; height: auto; padding: 0 0 0 1; color: $error; }
    OrderTicketScreen #problem-ticket { padding: 0; }
    OrderTicketScreen #ticket-quote { height: auto; color: $foreground-muted; margin-bottom: 1; }
    OrderTicketScreen #ticket-preview {
        height: auto; margin-top: 1; padding: 0 1; border-left: thick $primary;
    }
    OrderTicketScreen #ticket-preview.-empty { display: none; }
    OrderTicketScreen #ticket-buttons { height: 1; margin-top: 1; }
    OrderTicketScreen #ticket-buttons Button {
        height: 1; min-width: 12; border: none; margin-right: 2;
    }
    OrderTicketScreen .-hidden { display: none; }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "close_ticket", "Close", id="close_ticket"),
    ]

    class Answered(Message):
        """A ticket was sent and answered (or its outcome is unknown)."""

        def __init__(self, outcome: TicketOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, context: TicketContext, gateway: OrderGateway, *,
                 orders: OrdersView | None = None,
                 today: Callable[[], date] = exchange_today) -> None:
        super().__init__()
        self.context = context
        self.gateway = gateway
        self.orders = orders
        self._known_orders: set[str] = set()  # the orders there were when it was sent
        self.today = today
        self.stage = TicketStage.EDITING
        #: the request the preview was made for: only this can be sent
        self.previewed: dict[str, Any] | None = None
        self.outcome: TicketOutcome | None = None
        self.sends = 0  # requests this ticket started (0 or 1)
        #: sent with the order: TradeStation refuses a second order with the same id, so even
        #: a request duplicated on the way cannot place it twice
        self.confirm_id = secrets.token_urlsafe(16)[:22]
        self._arm_timer: Timer | None = None
        self._armed = False
        self._composed = False
        self._quote_shown = ""
        ctx = context
        start = ctx.initial or (self._replace_input() if ctx.mode is TicketMode.REPLACE
                                else self._new_input())
        self.start = start
        asset = self._asset_type()
        actions = trade_actions(ctx.symbol, asset) or [start.action]
        if start.action not in actions:
            actions = [start.action, *actions]
        self._actions = actions
        replacing = ctx.mode is TicketMode.REPLACE
        self.account_select: Select[str] = Select(
            [(c.label, c.account_id) for c in ctx.accounts] or [(start.account, start.account)],
            value=start.account, allow_blank=False, id="ticket-account", disabled=replacing)
        self.action_select: Select[TradeAction] = Select(
            [(a.value, a) for a in actions], value=start.action, allow_blank=False,
            id="ticket-action", disabled=replacing)
        self._show_side()
        self.quantity = Input(start.quantity, id="ticket-quantity", placeholder="quantity")
        self.type_select: Select[OrderType] = Select(
            [(t.value, t) for t in OrderType], value=start.order_type, allow_blank=False,
            id="ticket-type", disabled=replacing)
        self.limit = PriceInput(self._step_price, value=start.limit_price, id="ticket-limit",
                                placeholder="limit price")
        self.stop = PriceInput(self._step_price, value=start.stop_price, id="ticket-stop",
                               placeholder="stop price")
        self.duration_select: Select[Duration] = Select(
            [(d.value, d) for d in Duration], value=start.duration, allow_blank=False,
            id="ticket-duration", disabled=replacing)
        self.expiration = Input(start.expiration, id="ticket-expiration",
                                placeholder="YYYY-MM-DD", disabled=replacing)
        self.typed_symbol = Input("", id="ticket-typed-symbol",
                                  placeholder=f"type {ctx.symbol} to send")
        self.problems = {name: Static("", classes="ticket-problem", id=f"problem-{name}")
                         for name in ("account", "action", "quantity", "order_type",
                                      "limit_price", "stop_price", "duration", "expiration",
                                      "typed_symbol", "ticket")}
        self.quote_line = Static("", id="ticket-quote")
        self.preview_box = Static("", id="ticket-preview", classes="-empty")
        self.answer_box = OrderAnswer(id="ticket-answer")
        self.preview_button = Button("Preview", id="ticket-preview-button", variant="primary")
        self.send_button = Button("Send", id="ticket-send", variant="error" if ctx.live
                                  else "success", disabled=True)
        self.close_button = Button("Close", id="ticket-close")

    # -- building -------------------------------------------------------------------------------

    @property
    def side(self) -> Side:
        """Buy or sell, by the action chosen: a buy is checked against the ask, a sell against
        the bid. Until the Select is mounted its value is blank: the action it starts with."""
        chosen = self.action_select.value
        return side_of(chosen if isinstance(chosen, TradeAction) else self.start.action)

    def _show_side(self) -> None:
        self.set_class(self.side is Side.BUY, "-buy")
        self.set_class(self.side is Side.SELL, "-sell")

    def _asset_type(self) -> str:
        detail = self.context.detail or {}
        return str(detail.get("AssetType") or "")

    def _new_input(self) -> TicketInput:
        ctx = self.context
        account = ctx.account or (ctx.accounts[0].account_id if ctx.accounts else "")
        held = ctx.positions.get(account, Decimal(0))
        action = default_action(ctx.side, self._asset_type(), float(held))
        price = ctx.reference_price(ctx.side)
        return TicketInput(
            account=account, symbol=ctx.symbol, action=action, quantity="",
            order_type=OrderType.LIMIT, limit_price=self._shown_price(price) if price else "",
            stop_price="", duration=Duration.DAY, expiration="", route="Intelligent")

    def _replace_input(self) -> TicketInput:
        """A replace ticket starts from the working order as it stands."""
        order = self.context.order or {}
        leg = first_leg(order)
        try:
            action = TradeAction(str(leg.get("BuyOrSell") or "").upper())
        except ValueError:
            action = TradeAction.BUY if self.context.side is Side.BUY else TradeAction.SELL
        try:
            order_type = OrderType(str(order.get("OrderType") or ""))
        except ValueError:
            order_type = OrderType.LIMIT
        try:
            duration = Duration(str(order.get("Duration") or "DAY").upper())
        except ValueError:
            duration = Duration.DAY
        limit, stop = order.get("LimitPrice"), order.get("StopPrice")
        return TicketInput(
            account=str(order.get("AccountID") or ""), symbol=self.context.symbol,
            action=action, quantity=str(leg.get("QuantityOrdered") or ""),
            order_type=order_type, limit_price=self._shown_price(limit) if limit else "",
            stop_price=self._shown_price(stop) if stop else "", duration=duration)

    def _shown_price(self, value: object) -> str:
        """A price as the symbol writes it (117'16 for a bond future)."""
        from tsdash.api.prices import format_price, round_to_increment

        detail = self.context.detail
        if detail is None:
            return str(value)
        rounded = round_to_increment(value, detail)
        return format_price(rounded if rounded is not None else value, detail)

    def _step_price(self, text: str, steps: int) -> str | None:
        from tsdash.api.prices import parse_price, step_price

        detail = self.context.detail
        if detail is None:
            return None
        current = parse_price(text, detail) if text.strip() else None
        if current is None:
            current = self.context.reference_price(self.side)
            if current is None:
                return None
            steps = 0  # an empty field starts at the market
        moved = step_price(current, detail, steps)
        return self._shown_price(moved) if moved is not None and moved > 0 else None

    def _title(self) -> str:
        ctx = self.context
        if ctx.mode is TicketMode.REPLACE:
            order_id = str((ctx.order or {}).get("OrderID", ""))
            return f"Replace order {order_id} · {ctx.symbol}"
        verb = "Close" if ctx.mode is TicketMode.CLOSE else self.side.value.capitalize()
        return f"{verb} {ctx.symbol}" + (" · LIVE" if ctx.live else "")

    def compose(self) -> ComposeResult:
        ctx = self.context
        with VerticalScroll() as box:
            box.border_title = self._title()
            box.border_subtitle = "enter previews · tab moves · ↑↓ step a price · esc closes"
            yield self.quote_line
            for label, widget, name in (
                ("Account", self.account_select, "account"),
                ("Action", self.action_select, "action"),
                ("Quantity", self.quantity, "quantity"),
                ("Type", self.type_select, "order_type"),
                ("Limit", self.limit, "limit_price"),
                ("Stop", self.stop, "stop_price"),
                ("Duration", self.duration_select, "duration"),
                ("Expires", self.expiration, "expiration"),
            ):
                with Horizontal(classes="ticket-row", id=f"row-{name}"):
                    yield Label(label, classes="ticket-label")
                    yield widget
                    yield self.problems[name]
            with Horizontal(classes="ticket-row" + ("" if ctx.live else " -hidden"),
                            id="row-typed_symbol"):
                yield Label("Confirm", classes="ticket-label")
                yield self.typed_symbol
                yield self.problems["typed_symbol"]
            yield self.problems["ticket"]
            yield self.preview_box
            yield self.answer_box
            with Horizontal(id="ticket-buttons"):
                yield self.preview_button
                yield self.send_button
                yield self.close_button

    def on_mount(self) -> None:
        self._composed = True
        self.problems["ticket"].display = False
        self._show_rows()
        self._show_quote()
        # the bid, ask and last move while the ticket is open (the checks read them too)
        self.set_interval(self.QUOTE_EVERY, self._show_quote, name="ticket-quote")
        self.quantity.focus()

    # -- what the fields say ----------------------------------------------------------------------

    def current_input(self) -> TicketInput:
        return TicketInput(
            account=str(self.account_select.value), symbol=self.context.symbol,
            action=TradeAction(str(self.action_select.value)), quantity=self.quantity.value,
            order_type=OrderType(str(self.type_select.value)), limit_price=self.limit.value,
            stop_price=self.stop.value, duration=Duration(str(self.duration_select.value)),
            expiration=self.expiration.value, route=self.start.route)

    def _show_rows(self) -> None:
        order_type = OrderType(str(self.type_select.value))
        self.query_one("#row-limit_price").set_class(
            order_type not in (OrderType.LIMIT, OrderType.STOP_LIMIT), "-hidden")
        self.query_one("#row-stop_price").set_class(
            order_type not in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT), "-hidden")
        self.query_one("#row-expiration").set_class(
            Duration(str(self.duration_select.value)) is not Duration.GTD, "-hidden")

    def _show_quote(self) -> None:
        ctx = self.context
        parts = []
        for name in ("Bid", "Ask", "Last"):
            value = decimal_or_none(ctx.quote.get(name))
            if value is not None:
                parts.append(f"{name.lower()} {self._shown_price(value)}")
        account = str(self.account_select.value)
        held = ctx.positions.get(account)
        if held:
            parts.append(f"holding {held.normalize():f}")
        power = ctx.buying_power(account)
        if power:
            parts.append(f"buying power {dollars(power)}")
        if ctx.detail is None:
            parts.append("symbol details not loaded: prices cannot be checked")
        line = " · ".join(parts) or "no quote yet"
        if line != self._quote_shown:  # most looks find the same prices: no repaint
            self._quote_shown = line
            self.quote_line.update(line)

    def _changed(self) -> None:
        """Any field changed: back to editing, the preview (and its arming) gone."""
        if not self._composed or self.stage in FINISHED or self.stage is TicketStage.SENDING:
            return
        self.stage = TicketStage.EDITING
        self.previewed = None
        self._disarm()
        self.preview_box.update("")
        self.preview_box.add_class("-empty")
        self._set_problems({})

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input is self.typed_symbol:
            self._update_send()
            return
        self._changed()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if not self._composed:
            return
        if event.select is self.type_select or event.select is self.duration_select:
            self._show_rows()
        elif event.select is self.account_select:
            self._show_quote()
            if self.context.mode is TicketMode.NEW:  # what this account holds decides it
                held = self.context.positions.get(str(self.account_select.value), Decimal(0))
                action = default_action(self.side, self._asset_type(), float(held))
                if action != self.action_select.value and action in self._actions:
                    self.action_select.value = action
        elif event.select is self.action_select:
            self._show_side()
        self._changed()

    def _set_problems(self, problems: dict[str, str]) -> None:
        """Each problem beside its field; one about the order as a whole (its estimated
        value, details that could not be loaded) under the fields."""
        shown = {name: "" for name in self.problems}
        for name, text in problems.items():
            slot = name if name in shown and name != "symbol" else "ticket"
            shown[slot] = f"{shown[slot]}\n{text}".strip()
        for name, widget in self.problems.items():
            widget.update(Text(shown[name]))
        self.problems["ticket"].display = bool(shown["ticket"])

    def _check(self) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """The request the fields make (None if any is wrong), and what is wrong, by field."""
        ctx = self.context
        inp = self.current_input()
        if ctx.mode is TicketMode.REPLACE:
            request, problems = replace_request(
                ctx.order or {}, inp, detail=ctx.detail, limits=ctx.limits,
                reference_price=ctx.reference_price(self.side))
            return (None if problems else request), problems
        check = check_ticket(inp, ctx.detail, ctx.limits, today=self.today(),
                             reference_price=ctx.reference_price(self.side))
        return check.request, dict(check.problems)

    # -- preview ------------------------------------------------------------------------------------

    def action_preview(self) -> None:
        if self.stage in FINISHED or self.stage in (TicketStage.SENDING,
                                                     TicketStage.PREVIEWING):
            return
        request, problems = self._check()
        self._set_problems(problems)
        if request is None:
            return
        self.stage = TicketStage.PREVIEWING
        self.preview_box.remove_class("-empty")
        self.preview_box.update(Text("asking TradeStation for a preview…"))
        self.run_worker(self._preview(request), name="ticket-preview", group="ticket",
                        exclusive=True, exit_on_error=False)

    async def _preview(self, request: dict[str, Any]) -> None:
        from tsdash.api import TSError

        ctx = self.context
        if ctx.mode is TicketMode.REPLACE:
            self._show_preview(request, self._replace_preview(request))
            return
        try:
            confirmations = await self.gateway.confirm_order(request)
        except TSError as exc:
            self._preview_failed(str(exc))
            return
        except Exception as exc:  # the ticket says so; never a traceback
            log.exception("order preview failed")
            self._preview_failed(f"The preview failed ({type(exc).__name__}: {exc}).")
            return
        if self.stage is not TicketStage.PREVIEWING or request != self._check()[0]:
            return  # the fields changed while TradeStation answered: that preview is stale
        confirmation = confirmations[0] if confirmations else {}
        refusal = preview_problem(confirmation, ctx.limits)
        if refusal:
            self._preview_failed(refusal)
            return
        self._show_preview(request, self._confirm_text(confirmation))

    def _preview_failed(self, reason: str) -> None:
        if self.stage is not TicketStage.PREVIEWING:
            return
        self.stage = TicketStage.EDITING
        self.preview_box.add_class("-empty")
        self.preview_box.update("")
        self._set_problems({"ticket": f"Not previewed: {reason}"})

    def _show_preview(self, request: dict[str, Any], text: Text) -> None:
        self.previewed = request
        self.stage = TicketStage.PREVIEWED
        self.preview_box.remove_class("-empty")
        self.preview_box.update(text)
        self._restart_arming()
        if self.context.live:
            self.typed_symbol.focus()

    def _confirm_text(self, confirmation: dict[str, Any]) -> Text:
        ctx = self.context
        text = Text()
        summary = confirmation.get("SummaryMessage")
        if summary:
            text.append(f"{summary}\n", style="bold")
        rows = (("Estimated price", confirmation.get("EstimatedPrice"), False),
                ("Estimated cost", confirmation.get("EstimatedCost"), True),
                ("Commission", confirmation.get("EstimatedCommission"), True),
                ("Debit/credit", confirmation.get("DebitCreditEstimatedCost"), True),
                ("Initial margin", confirmation.get("InitialMarginDisplay"), True),
                ("Buying power", ctx.buying_power(str(self.account_select.value)), True))
        for label, value, money in rows:
            if value in (None, ""):
                continue
            text.append(f"{label:<16}", style="dim")
            text.append(f"{dollars(value) if money else value}\n")
        text.append("Send places this order" + (" in your LIVE account" if ctx.live else "")
                    + ".", style="bold")
        return text

    def _replace_preview(self, changes: dict[str, Any]) -> Text:
        order = self.context.order or {}
        text = Text(f"Replace order {order.get('OrderID', '')}\n", style="bold")
        leg = first_leg(order)
        before = {"Quantity": leg.get("QuantityOrdered") or order.get("Quantity"),
                  "LimitPrice": order.get("LimitPrice"), "StopPrice": order.get("StopPrice")}
        for name, label in (("Quantity", "Quantity"), ("LimitPrice", "Limit price"),
                            ("StopPrice", "Stop price")):
            if name not in changes:
                continue
            old, new = before.get(name), changes[name]
            if name != "Quantity":
                old, new = (self._shown_price(old) if old else "—"), self._shown_price(new)
            text.append(f"{label:<16}", style="dim")
            text.append(f"{old} → {new}\n")
        text.append("Send replaces the order" + (" in your LIVE account" if self.context.live
                                                else "") + ".", style="bold")
        return text

    # -- send -----------------------------------------------------------------------------------------

    def _arm(self) -> None:
        """The preview has been seen: Send can be pressed (and, not live, takes the focus, so
        enter sends)."""
        self._armed = True
        self._update_send()
        if not self.context.live and self.can_send():
            self.send_button.focus()

    def _restart_arming(self) -> None:
        """Send arms ARM_DELAY from now (the preview on screen, and no enter meanwhile)."""
        self._disarm()
        self._arm_timer = self.set_timer(self.ARM_DELAY, self._arm, name="ticket-arm")

    def _disarm(self) -> None:
        self._armed = False
        if self._arm_timer is not None:
            self._arm_timer.stop()
            self._arm_timer = None
        self._update_send()

    def _symbol_typed(self) -> bool:
        return (not self.context.live
                or self.typed_symbol.value.strip().upper() == self.context.symbol.upper())

    def can_send(self) -> bool:
        return (self.stage is TicketStage.PREVIEWED and self._armed
                and self.previewed is not None and self._symbol_typed())

    def _update_send(self) -> None:
        if not self._composed:
            return
        self.send_button.disabled = not self.can_send()
        if self.context.live and self.stage is TicketStage.PREVIEWED:
            typed = self.typed_symbol.value.strip()
            self.problems["typed_symbol"].update(
                "" if not typed or self._symbol_typed()
                else f"type {self.context.symbol} exactly to send this live order")

    def action_send(self) -> None:
        """Send what was previewed, once. Everything that decides it is synchronous, before
        the request starts: a second press finds the stage already SENDING."""
        if not self.can_send():
            return
        request, problems = self._check()
        if request is None or request != self.previewed:
            # the checks read the live quote: the market moved through a stop since the
            # preview, say. Never send what was not previewed.
            self._changed()
            self._set_problems(problems or {"ticket": "The order no longer matches its "
                                                      "preview: preview it again."})
            return
        self.stage = TicketStage.SENDING
        self.sends += 1
        self._known_orders = self.orders.order_ids() if self.orders is not None else set()
        # the focus goes where enter does nothing: not to Close, which a repeated enter would
        # press, taking the answer off the screen
        self.answer_box.show(Text("sending…"))
        self.answer_box.focus()
        self._update_send()
        self.preview_button.disabled = True
        for widget in (self.account_select, self.action_select, self.quantity, self.type_select,
                       self.limit, self.stop, self.duration_select, self.expiration,
                       self.typed_symbol):
            widget.disabled = True
        if self.context.mode is not TicketMode.REPLACE:
            request = {**request, "OrderConfirmID": self.confirm_id}
        self.run_worker(self._send(request), name="ticket-send", group="ticket",
                        exit_on_error=False)

    async def _send(self, request: dict[str, Any]) -> None:
        from tsdash.api import OrderOutcomeUnknown, OrderRejectedError, TSError

        ctx = self.context
        try:
            if ctx.mode is TicketMode.REPLACE:
                order_id = str((ctx.order or {}).get("OrderID", ""))
                answer = await self.gateway.replace_order(order_id, request)
            else:
                answer = await self.gateway.place_order(request)
        except OrderRejectedError as exc:
            self._finish(TicketOutcome(OutcomeKind.REJECTED, f"Rejected: {exc.reason}",
                                       exc.order_id))
            return
        except OrderOutcomeUnknown as exc:
            self._finish(TicketOutcome(OutcomeKind.UNKNOWN, str(exc)))
            return
        except TSError as exc:  # e.g. the sign-in refused: nothing was placed
            self._finish(TicketOutcome(OutcomeKind.REJECTED, f"Not sent: {exc}"))
            return
        except Exception as exc:  # an outcome nobody can vouch for
            log.exception("sending the order failed")
            self._finish(TicketOutcome(
                OutcomeKind.UNKNOWN, f"The order may or may not have been placed "
                f"({type(exc).__name__}: {exc}); check the orders panel."))
            return
        order_id = str(answer.get("OrderID") or (ctx.order or {}).get("OrderID") or "")
        message = str(answer.get("Message") or "")
        self._finish(TicketOutcome(OutcomeKind.SENT, message or "Sent.", order_id or None))

    def _finish(self, outcome: TicketOutcome) -> None:
        outcome = dataclasses.replace(outcome, symbol=self.context.symbol)
        self.outcome = outcome
        self.stage = {OutcomeKind.SENT: TicketStage.SENT, OutcomeKind.REJECTED:
                      TicketStage.REJECTED, OutcomeKind.UNKNOWN: TicketStage.UNKNOWN}[outcome.kind]
        self.post_message(self.Answered(outcome))
        self._show_outcome()
        self.answer_box.scroll_visible()
        if self.orders is not None and (outcome.order_id or outcome.kind is OutcomeKind.UNKNOWN):
            # the order's status as the stream reports it; a lost answer's order once it shows
            self.set_interval(self.STATUS_EVERY, self._show_outcome, name="ticket-status")

    def _show_outcome(self) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        orders = self.orders
        if outcome.kind is OutcomeKind.SENT:
            status = orders.status_text(outcome.order_id) if orders and outcome.order_id \
                else None
            shown = status or "sent, waiting for its status"
            line = Text(f"Order {outcome.order_id or '?'} · {shown}")
            line.append(f"\n{outcome.text}", style="not bold dim")
            self.answer_box.show(line, OutcomeKind.SENT)
        elif outcome.kind is OutcomeKind.REJECTED:
            self.answer_box.show(Text(outcome.text), OutcomeKind.REJECTED)
        else:
            found = None
            if orders is not None and self.previewed is not None \
                    and self.context.mode is not TicketMode.REPLACE:
                found = orders.find_new(self.previewed, self._known_orders)
            line = Text(f"Outcome unknown: {outcome.text}\n")
            if found is not None:
                line.append(f"It reached TradeStation: order {found} · "
                            f"{orders.status_text(found) if orders else ''}", style="bold")
            else:
                line.append("Checking the orders now; do not send it again before you see "
                            "it there.")
            self.answer_box.show(line, OutcomeKind.UNKNOWN)

    # -- buttons and keys -------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.stage is TicketStage.PREVIEWED and not self._armed:
            # enter again before Send armed: a held key repeating. Send arms only once the
            # keys have been quiet for ARM_DELAY, so holding enter never previews and sends
            self._restart_arming()
        elif event.input is self.typed_symbol:
            self.action_send()
        elif self.stage is TicketStage.EDITING:
            self.action_preview()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button is self.send_button:
            self.action_send()
        elif event.button is self.preview_button:
            self.action_preview()
        elif event.button is self.close_button:
            self.action_close_ticket()

    def action_close_ticket(self) -> None:
        if self.stage is TicketStage.SENDING:
            self.notify("The order is being sent; its answer comes in a moment.",
                        severity="warning")
            return
        self.dismiss(self.outcome)


__all__ = ["OrderTicketScreen", "PriceInput", "TicketStage"]
