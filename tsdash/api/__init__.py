"""tsdash.api: the asyncio service layer for TradeStation's v3 API (streams over chunked HTTP).

    from tsdash.api import TradeStationClient, TokenManager, StreamLimitError

    client = TradeStationClient(environment="sim", token_manager=TokenManager(...))
    sub = await client.market_data.stream_quotes(["AAPL", "MSFT"], callback=on_quote)
    result = await client.order_execution.place_order(order)   # sent exactly once
    ...
    await client.close()

This package imports neither textual nor tsdash.ui, and imports aiohttp only when it first
talks to a server, so importing it is cheap.
"""

from .auth import TokenManager, build_authorize_url, exchange_code
from .backoff import BackoffPolicy
from .client import LIVE_BASE_URL, SIM_BASE_URL, TradeStationClient
from .errors import (
    AuthError,
    ClosedError,
    EntitlementError,
    HTTPStatusError,
    OrderOutcomeUnknown,
    OrderRateLimited,
    OrderRejectedError,
    ProtocolError,
    RateLimitError,
    StreamConnectionError,
    StreamError,
    StreamLimitError,
    TSError,
)
from .manager import StreamManager
from .market_data import TimeAndSales
from .prices import format_price, increment_problem, parse_price, round_to_increment, step_price
from .seams import SubscriptionKind, Transport
from .http_stream import HttpStream
from .streams import GoAway, Stream
from .subscription import STATES, SnapshotEvent, Subscription, SubscriptionState
from .ws_stream import WebSocketStream

__all__ = [
    "TradeStationClient",
    "TokenManager",
    "Subscription",
    "StreamManager",
    "Stream",
    "HttpStream",
    "WebSocketStream",
    "BackoffPolicy",
    "TimeAndSales",
    "format_price",
    "round_to_increment",
    "parse_price",
    "step_price",
    "increment_problem",
    "build_authorize_url",
    "exchange_code",
    "TSError",
    "AuthError",
    "RateLimitError",
    "StreamLimitError",
    "ProtocolError",
    "StreamConnectionError",
    "ClosedError",
    "HTTPStatusError",
    "StreamError",
    "EntitlementError",
    "OrderRejectedError",
    "OrderRateLimited",
    "OrderOutcomeUnknown",
    "GoAway",
    "STATES",
    "SubscriptionState",
    "SnapshotEvent",
    "SubscriptionKind",
    "Transport",
    "LIVE_BASE_URL",
    "SIM_BASE_URL",
]
