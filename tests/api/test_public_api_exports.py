"""tsdash.api exports the names design.md promises."""

from __future__ import annotations

import tsdash.api as api
from tsdash.api import (
    AuthError,
    ClosedError,
    HttpStream,
    OrderOutcomeUnknown,
    OrderRejectedError,
    ProtocolError,
    RateLimitError,
    StreamConnectionError,
    StreamLimitError,
    StreamManager,
    TradeStationClient,
    TSError,
    WebSocketStream,
)


def test_public_names_are_exported():
    for name in ["TradeStationClient", "TokenManager", "Subscription", "StreamManager",
                 "HttpStream", "WebSocketStream", "TSError", "AuthError", "RateLimitError",
                 "StreamLimitError", "ProtocolError", "StreamConnectionError", "ClosedError",
                 "OrderRejectedError", "OrderOutcomeUnknown"]:
        assert hasattr(api, name), name
    assert issubclass(StreamLimitError, ValueError) and issubclass(StreamLimitError, TSError)
    for cls in (AuthError, RateLimitError, ProtocolError, StreamConnectionError, ClosedError,
                OrderRejectedError, OrderOutcomeUnknown):
        assert issubclass(cls, TSError)
