"""Which order changes the trader is told about: a fill or partial fill, a rejection (with
TradeStation's reason), a cancel or expiry. Without Textual.

Each order's last status and filled quantity are remembered, so a change is told once however
it arrives: the stream, the snapshot a reconnect sends, the REST reconciliation. The first
snapshot is the day so far, not news: it only sets what is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tsdash.alerts.notifications import Notification, NotificationKind
from tsdash.ui.formatting import quantity as quantity_text
from tsdash.ui.models import (
    FINAL_STATUSES,
    OrderCategory,
    exec_quantity,
    first_leg,
    order_status_category,
    order_status_text,
    order_symbol,
    to_float,
)

#: statuses told as a cancel: the cancelled ones that are final (EXP, an expiry, among them;
#: UCN, a cancel request on its way, is not one)
CANCELLED = frozenset(status for status in FINAL_STATUSES
                      if order_status_category(status) is OrderCategory.CANCELLED)


def describe(order: dict[str, Any]) -> str:
    """"Buy 10 AAPL" (the first leg; "+1 leg" when there are more)."""
    leg = first_leg(order)
    side = str(leg.get("BuyOrSell") or "").strip()
    ordered = leg.get("QuantityOrdered")
    quantity = quantity_text(ordered) if to_float(ordered) is not None else str(ordered or "")
    legs = order.get("Legs")
    more = f" +{len(legs) - 1} leg" if isinstance(legs, list) and len(legs) > 1 else ""
    return " ".join(p for p in (side, quantity, order_symbol(order)) if p) + more


class OrderEvents:
    """Turns order updates into notifications, each change once. ``only`` (the demo): tell
    only of these order ids (the simulator's own trader keeps the demo account busy). An order
    outside it is not remembered, so once :meth:`follow` adds its id, a change that came first
    (a market order's fill can beat the answer naming the order) is still news."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, float]] = {}
        self.started = False
        self.only: set[str] | None = None

    def told(self, key: str, status: str) -> None:
        """The order's ``status`` was told another way (the ticket's answer): not again."""
        self.known[key] = (status.upper(), 0.0)

    def follow(self, key: str) -> None:
        """Tell of this order too (one sent from the dashboard), when ``only`` limits them."""
        if self.only is not None:
            self.only.add(key)

    def baseline(self, orders: Iterable[dict[str, Any]]) -> None:
        """The first snapshot: what is known, nothing told."""
        for order in orders:
            self._remember(order)
        self.started = True

    def observe(self, order: dict[str, Any]) -> Notification | None:
        """The order as it is now; a notification if it changed in a way the trader is told."""
        if not self.started:
            self._remember(order)
            return None
        key = str(order.get("OrderID") or "")
        if not key:
            return None
        if self.only is not None and key not in self.only:
            return None
        status = str(order.get("Status") or "").upper()
        filled = exec_quantity(order)
        before = self.known.get(key)
        self.known[key] = (status, filled)
        if before == (status, filled):
            return None
        old_status, old_filled = before if before is not None else ("", 0.0)
        return self._event(order, key, status, old_status, filled, old_filled)

    def _event(self, order: dict[str, Any], key: str, status: str, old_status: str,
               filled: float, old_filled: float) -> Notification | None:
        what = describe(order)
        details: dict[str, Any] = {"order_id": key, "status": status,
                                   "account": order.get("AccountID")}
        category = order_status_category(status)
        if (category is OrderCategory.FILLED
                and order_status_category(old_status) is not OrderCategory.FILLED):
            price = order.get("FilledPrice") or first_leg(order).get("ExecutionPrice")
            at = f" at {price}" if price else ""
            details.update(filled=filled, price=price)
            return self._note(NotificationKind.FILL, order,
                              f"Filled: {what}{at} (order {key})", details)
        if category is OrderCategory.PARTIAL and filled > old_filled:
            leg = first_leg(order)
            ordered = leg.get("QuantityOrdered")
            of = f" of {ordered}" if ordered else ""
            rest = "; the rest is cancelled" if status in FINAL_STATUSES else ""
            details.update(filled=filled)
            return self._note(NotificationKind.FILL, order,
                              f"Partly filled: {quantity_text(filled)}{of}, {what} (order {key})"
                              f"{rest}", details)
        if category is OrderCategory.REJECTED and order_status_category(old_status) \
                is not OrderCategory.REJECTED:
            reason = str(order.get("RejectReason") or order_status_text(order))
            details.update(reason=reason)
            return self._note(NotificationKind.REJECT, order,
                              f"Rejected: {what} (order {key}): {reason}", details)
        if status in CANCELLED and old_status not in CANCELLED:
            verb = "Expired" if status == "EXP" else "Cancelled"
            left = f" after {quantity_text(filled)} filled" if filled else ""
            return self._note(NotificationKind.CANCEL, order,
                              f"{verb}: {what} (order {key}){left}", details)
        return None

    @staticmethod
    def _note(kind: NotificationKind, order: dict[str, Any], text: str,
              details: dict[str, Any]) -> Notification:
        return Notification(kind, order_symbol(order), text,
                            details={k: v for k, v in details.items() if v is not None})

    def _remember(self, order: dict[str, Any]) -> None:
        key = order.get("OrderID")
        if key is not None:
            self.known[str(key)] = (str(order.get("Status") or "").upper(), exec_quantity(order))
