"""Order execution: the order stream (read-only; the dashboard places no orders)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .brokerage import subscribe_account_streams
from .seams import (DataCallback, ErrorCallback, ServiceClient, StatusCallback,
                    SubscriptionKind)

if TYPE_CHECKING:  # pragma: no cover
    from .subscription import Subscription


class OrderExecutionService:
    """``client.order_execution``."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

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


__all__ = ["OrderExecutionService"]
