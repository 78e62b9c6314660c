"""Order execution: place, replace and cancel orders and order groups, preview them, read the
routes and activation triggers, and stream the orders.

Bodies are TradeStation's as sent and answered (OrderRequest, GroupOrderRequest,
OrderReplaceRequest; OrderResponse, OrderConfirmResponse): a caller builds the dicts of
design.md's "Trading" and reads the fields it knows.

Safe by construction: placing, replacing and cancelling go through the client's
``send_order_request``, which sends each request exactly once (see its docstring), so a call
ends in an answer, :class:`~tsdash.api.errors.OrderRejectedError` (TradeStation's reason) or
:class:`~tsdash.api.errors.OrderOutcomeUnknown` (read the orders to know). Previews, routes and
triggers place nothing and use the ordinary REST path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .brokerage import subscribe_account_streams
from .errors import HTTPStatusError, TSError, order_outcome_unknown, order_rejected
from .seams import (DataCallback, ErrorCallback, JSONObject, ServiceClient, StatusCallback,
                    SubscriptionKind)
from .text import clean_server_text
from .urls import path_segment

if TYPE_CHECKING:  # pragma: no cover
    from .subscription import Subscription

ORDERS_PATH = "orderexecution/orders"


def describe_order(order: Mapping[str, object]) -> str:
    """"BUY 10 AAPL" for an OrderRequest (whatever of it is there), for messages."""
    words = [clean_server_text(order[key], 30) for key in ("TradeAction", "Quantity", "Symbol")
             if order.get(key) not in (None, "")]
    return " ".join(words) or "the order"


def _first_order(answer: object, what: str, missing: str) -> JSONObject:
    """The OrderResponse of a 200 answer about one order; an ``Errors`` entry is a rejection,
    and an answer naming no order leaves the outcome unknown (``missing`` says how)."""
    orders, errors = _split_answer(answer)
    if errors:
        raise order_rejected(what, answer, status=200, entry=errors[0])
    if not orders:
        raise order_outcome_unknown(what, missing, status=200, response=answer)
    return orders[0]


def _json_objects(value: object) -> list[JSONObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _split_answer(body: object) -> tuple[list[JSONObject], list[JSONObject]]:
    """(Orders, Errors) of an OrderResponses body. TradeStation answers an object with
    ``Orders`` and/or ``Errors``; a bare list of OrderResponse (what the document's type says)
    or a bare OrderResponse (replace, cancel) is read too: an entry with an ``Error`` is an
    error."""
    if isinstance(body, dict) and ("Orders" in body or "Errors" in body):
        return _json_objects(body.get("Orders")), _json_objects(body.get("Errors"))
    entries = _json_objects(body) if isinstance(body, list) else (
        [body] if isinstance(body, dict) else [])
    orders = [entry for entry in entries if not entry.get("Error")]
    errors = [entry for entry in entries if entry.get("Error")]
    return orders, errors


class OrderExecutionService:
    """``client.order_execution``."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    # -- previews (nothing placed) --------------------------------------------------------------
    async def confirm_order(self, order: JSONObject) -> list[JSONObject]:
        """TradeStation's OrderConfirmResponses for ``order`` (EstimatedCost,
        EstimatedCommission ...). Nothing is placed. OrderRejectedError when TradeStation
        would refuse the order (its reason)."""
        return await self._confirm("orderexecution/orderconfirm", order,
                                   f"the preview of the order {describe_order(order)}")

    async def confirm_order_group(self, group: JSONObject) -> list[JSONObject]:
        """One OrderConfirmResponse per order of a GroupOrderRequest; nothing is placed."""
        return await self._confirm("orderexecution/ordergroupconfirm", group,
                                   f"the preview of the {self._group_name(group)}")

    async def _confirm(self, path: str, body: JSONObject, what: str) -> list[JSONObject]:
        self._client.check_open()
        try:
            answer = await self._client.request("POST", path, json=body, what=what)
        except HTTPStatusError as exc:  # (a 401 is an AuthError, a 429 a RateLimitError)
            status = exc.status or 0
            # a preview TradeStation would refuse is a 4xx with its reason: a rejection, shown
            # the same way as a refused order
            if 400 <= status < 500:
                raise order_rejected(what, exc.body, status=status) from None
            raise
        if isinstance(answer, dict) and "Confirmations" in answer:
            return _json_objects(answer["Confirmations"])
        _, errors = _split_answer(answer)
        if errors:
            raise order_rejected(what, answer, status=200, entry=errors[0])
        raise TSError(f"TradeStation's answer to {what} has no Confirmations; nothing was "
                      "placed. Try the preview again.")

    # -- orders (sent exactly once) -------------------------------------------------------------
    async def place_order(self, order: JSONObject) -> JSONObject:
        """Place one OrderRequest; TradeStation's OrderResponse (``OrderID``, ``Message``).

        OrderRejectedError (``reason``, ``order_id`` of the rejected order) for a 4xx or an
        ``Errors`` entry; OrderOutcomeUnknown when it may or may not have been placed.
        """
        what = f"the order {describe_order(order)}"
        body = await self._send("POST", ORDERS_PATH, order, what)
        return _first_order(body, what, "TradeStation's answer named no order")

    async def place_order_group(self, group: JSONObject) -> JSONObject:
        """Place a GroupOrderRequest (``Type`` OCO, BRK or NORMAL; ``Orders``); the whole
        answer (``Orders`` placed, ``Errors`` rejected).

        Any ``Errors`` entry raises OrderRejectedError with the first one's reason, even when
        other orders of the group were placed: its ``response`` is the whole body, whose
        ``Orders`` list the OrderIDs that were placed (show them; they are working).
        """
        what = f"the {self._group_name(group)}"
        body = await self._send("POST", "orderexecution/ordergroups", group, what)
        orders, errors = _split_answer(body)
        if errors:
            placed = ", ".join(clean_server_text(o.get("OrderID", "?"), 40) for o in orders)
            raise order_rejected(what, body, status=200, entry=errors[0],
                                 note=f" Placed: {placed}." if placed else "")
        if not orders:
            raise order_outcome_unknown(what, "TradeStation's answer named no order",
                                        status=200, response=body)
        return body if isinstance(body, dict) else {"Orders": orders}

    async def replace_order(self, order_id: str, changes: JSONObject) -> JSONObject:
        """Replace a working order with an OrderReplaceRequest (``Quantity``, ``LimitPrice``,
        ``StopPrice``, ``OrderType`` "Market" ...); TradeStation's OrderResponse."""
        what = f"the replacement of order {clean_server_text(order_id, 40)}"
        return await self._one_order("PUT", order_id, changes, what)

    async def cancel_order(self, order_id: str) -> JSONObject:
        """Cancel a working order; TradeStation's OrderResponse."""
        what = f"the cancellation of order {clean_server_text(order_id, 40)}"
        return await self._one_order("DELETE", order_id, None, what)

    async def _one_order(self, method: str, order_id: str, body: JSONObject | None,
                         what: str) -> JSONObject:
        if not str(order_id).strip():
            raise ValueError("order_id is required")
        answer = await self._send(method, f"{ORDERS_PATH}/{path_segment(order_id)}", body, what)
        return _first_order(answer, what, "TradeStation's answer was not an OrderResponse")

    async def _send(self, method: str, path: str, body: JSONObject | None, what: str) -> object:
        self._client.check_open()
        return await self._client.send_order_request(method, path, json=body, what=what)

    @staticmethod
    def _group_name(group: Mapping[str, object]) -> str:
        kind = group.get("Type")
        return f"{clean_server_text(kind, 10)} order group" if kind else "order group"

    # -- reference lists ------------------------------------------------------------------------
    async def get_routes(self) -> list[JSONObject]:
        """The routes an order may name (``Id``, ``Name``, ``AssetTypes``)."""
        self._client.check_open()
        body = await self._client.request("GET", "orderexecution/routes",
                                          what="the order routes")
        return _json_objects(body.get("Routes") if isinstance(body, dict) else body)

    async def get_activation_triggers(self) -> list[JSONObject]:
        """The activation triggers a stop may use (``Key``, ``Name``, ``Description``)."""
        self._client.check_open()
        body = await self._client.request("GET", "orderexecution/activationtriggers",
                                          what="the activation triggers")
        return _json_objects(body.get("ActivationTriggers") if isinstance(body, dict) else body)

    # -- the order stream -----------------------------------------------------------------------
    async def stream_order_updates(
        self,
        callback: DataCallback,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        accounts: str | Iterable[object] | None = None,
    ) -> Subscription:
        """Stream orders of every account (or ``accounts=``): the current orders up to
        EndSnapshot ("snapshot_start"/"snapshot_end" on status_callback), then updates."""
        return await subscribe_account_streams(
            self._client, kind=SubscriptionKind.ORDERS, path="orders", params=None,
            callback=callback, error_callback=error_callback, status_callback=status_callback,
            accounts=accounts, noun="order",
        )


__all__ = ["OrderExecutionService", "describe_order"]
