"""Order execution: the order stream (read-only; the dashboard places no orders)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from .brokerage import subscribe_account_streams
from .errors import TSError

if TYPE_CHECKING:  # pragma: no cover
    from .client import TradeStationClient
    from .subscription import Subscription


class OrderExecutionService:
    """``client.order_execution``."""

    def __init__(self, client: TradeStationClient) -> None:
        self._client = client

    async def stream_order_updates(
        self,
        callback: Callable[[dict], Awaitable[Any]],
        error_callback: Callable[[TSError], Awaitable[Any]] | None = None,
        status_callback: Callable[[Subscription, str], Awaitable[Any]] | None = None,
        accounts: Iterable[Any] | None = None,
    ) -> Subscription:
        """Stream orders of every account (or ``accounts=``): the current orders up to
        EndSnapshot ("snapshot_start"/"snapshot_end" on status_callback), then updates."""
        return await subscribe_account_streams(
            self._client, kind="orders", path="orders", params=None, callback=callback,
            error_callback=error_callback, status_callback=status_callback, accounts=accounts,
            noun="order",
        )


__all__ = ["OrderExecutionService"]
