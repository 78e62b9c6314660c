"""What the order keys need from the dashboard, gathered in one place (no Textual).

- :func:`trading_refusal`: whether the order keys may open a ticket at all (design.md
  "Trading": off by default outside the demo, and the message says how to turn it on).
- :class:`TicketContext`: everything a ticket shows or checks, read from the panels' models
  when the key is pressed (the accounts and their buying power, the quote, the positions held,
  the symbol's details), so the ticket screen never reaches into the panels.
- :class:`OrderGateway`: the calls a ticket makes; ``client.order_execution`` is one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tsdash.config import Environment
from tsdash.ui.models import decimal_or_none

if TYPE_CHECKING:
    from tsdash.api.seams import JSONObject
    from tsdash.ui.ticket import Side, TicketInput, TicketLimits


class TicketMode(StrEnum):
    """What a ticket does: a new order (b, s), closing a position (x) or replacing a working
    order (e)."""

    NEW = "new"
    CLOSE = "close"
    REPLACE = "replace"


class OutcomeKind(StrEnum):
    """What became of an order request once answered."""

    SENT = "sent"  # TradeStation took it
    REJECTED = "rejected"  # TradeStation refused it (or it was not sent): its reason
    UNKNOWN = "unknown"  # no answer: it may or may not have been acted on


@dataclass(frozen=True)
class TicketOutcome:
    """The answer to a ticket or a cancel: the app records it (and reconciles an unknown one).
    ``symbol``: the ticket's (its rejection is a notification); a cancel's answer has none."""

    kind: OutcomeKind
    text: str
    order_id: str | None = None
    symbol: str = ""


class OrderGateway(Protocol):
    """The order calls a ticket makes (``client.order_execution`` has them)."""

    async def confirm_order(self, order: JSONObject) -> list[JSONObject]: ...

    async def place_order(self, order: JSONObject) -> JSONObject: ...

    async def replace_order(self, order_id: str, changes: JSONObject) -> JSONObject: ...

    async def cancel_order(self, order_id: str) -> JSONObject: ...


class OrdersView(Protocol):
    """What a ticket reads of the orders the stream (and the reconciliation) reported."""

    def status_text(self, order_id: str) -> str | None: ...

    def order_ids(self) -> set[str]: ...

    def find_new(self, request: JSONObject, known: set[str]) -> str | None: ...


@dataclass(frozen=True)
class AccountChoice:
    """An account a ticket can trade in, with what the balances panel knows of it."""

    account_id: str
    account_type: str = ""
    buying_power: str | None = None

    @property
    def label(self) -> str:
        kind = f" ({self.account_type})" if self.account_type else ""
        return f"{self.account_id}{kind}"


@dataclass
class TicketContext:
    """A ticket's world when its key was pressed. ``positions`` maps an account to the signed
    quantity of ``symbol`` it holds (short is negative); ``detail`` is the SymbolDetail (None
    until fetched); ``order`` the working order a REPLACE ticket edits."""

    mode: TicketMode
    symbol: str
    side: Side
    accounts: list[AccountChoice]
    limits: TicketLimits
    live: bool = False
    account: str | None = None
    #: the symbol's quote as it is now (the quotes panel's row, updated as ticks arrive)
    live_quote: Callable[[], Mapping[str, Any]] = lambda: {}
    positions: dict[str, Decimal] = field(default_factory=dict)
    detail: dict[str, Any] | None = None
    initial: TicketInput | None = None
    order: dict[str, Any] | None = None

    @property
    def quote(self) -> Mapping[str, Any]:
        return self.live_quote()

    def buying_power(self, account: str) -> str | None:
        for choice in self.accounts:
            if choice.account_id == account:
                return choice.buying_power
        return None

    def reference_price(self, side: Side) -> Decimal | None:
        """The price a new ticket starts from: the ask to buy, the bid to sell, else the last."""
        from tsdash.ui.ticket import Side as Sides

        first = "Ask" if side is Sides.BUY else "Bid"
        for name in (first, "Last"):
            number = decimal_or_none(self.quote.get(name))
            if number is not None and number > 0:
                return number
        return None


def trading_refusal(enabled: bool, environment: str, config_path: Path | None) -> str | None:
    """None when the order keys may open a ticket, else what to do to turn trading on.

    The demo always trades against its own simulator; sim and live only with
    ``[trading] enabled = true``."""
    if environment.lower() == Environment.DEMO.value or enabled:
        return None
    where = f" in {config_path}" if config_path is not None else ""
    return (f"Trading is off in {environment.upper()}. To place orders from the dashboard, set "
            f"enabled = true under [trading]{where} (`tsdash config path` shows the file), "
            "then restart tsdash.")


__all__ = [
    "AccountChoice",
    "OrderGateway",
    "OrdersView",
    "OutcomeKind",
    "TicketOutcome",
    "TicketContext",
    "TicketMode",
    "trading_refusal",
]
