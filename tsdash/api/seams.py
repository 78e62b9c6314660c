"""The typed seams inside tsdash.api, declared once.

- JSON payloads: TradeStation's shapes are open (fields come and go between versions and asset
  classes), so a message is a :data:`JSONObject` and the code reads the fields it knows.
- Callbacks: :class:`DataCallback`, :class:`ErrorCallback`, :class:`StatusCallback` (what callers
  pass to ``stream_*``) and :class:`StreamStatusCallback` (a feed to its Subscription).
- :class:`Feed`: what a Subscription needs from one feed (a Stream, or the balance poller).
- :class:`TokenSource`: where a Subscription gets its Bearer token.
- :class:`StreamSpec` and :class:`SubscriptionRequest`: what a service asks the client to open;
  :class:`Transport` and :class:`SubscriptionKind` name their few possible values.
- :class:`ServiceClient`: what the services (market data, brokerage, order execution) need from
  the client (REST reads, the one-shot order request, subscriptions); ``TradeStationClient``
  implements it with public methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, Required, TypedDict

from .errors import TSError

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .subscription import SnapshotEvent, Subscription, SubscriptionState

#: One JSON object as sent (a quote, a bar, an order, a balance, an error message ...).
JSONObject = dict[str, Any]


class DataCallback(Protocol):
    """Receives each data message exactly as parsed."""

    def __call__(self, msg: JSONObject, /) -> Awaitable[object]: ...


class ErrorCallback(Protocol):
    """Receives each error a feed reports without ending (a bad symbol, a malformed line ...)."""

    def __call__(self, error: TSError, /) -> Awaitable[object]: ...


class StatusCallback(Protocol):
    """Receives the subscription and each change of its state (or a snapshot event)."""

    def __call__(
        self, sub: Subscription, event: SubscriptionState | SnapshotEvent, /
    ) -> Awaitable[object]: ...


class StreamStatusCallback(Protocol):
    """Receives a stream's ``StreamStatus`` values other than GoAway (e.g. ``EndSnapshot``)."""

    def __call__(self, status: str, /) -> Awaitable[object]: ...


class TokenSource(Protocol):
    """The Bearer token for a request, and one refresh after a 401 when ``can_refresh``."""

    @property
    def can_refresh(self) -> bool: ...

    async def token(self) -> str: ...

    async def refresh(self, stale_token: str) -> str: ...


class Feed(Protocol):
    """One connection a Subscription supervises: connect, run until it ends, disconnect.

    ``run()`` always ends with an exception (a TSError, GoAway, or cancellation). A feed that
    ``manages_auth`` gets no Authorization header from the Subscription (the balance poller's
    REST calls fetch and refresh the token themselves).
    """

    @property
    def id(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def manages_auth(self) -> bool: ...

    @property
    def progress(self) -> bool: ...

    @property
    def last_message_at(self) -> float | None: ...

    def set_callback(self, callback: DataCallback) -> None: ...

    def set_error_callback(self, callback: ErrorCallback) -> None: ...

    def set_status_callback(self, callback: StreamStatusCallback) -> None: ...

    async def connect(self, headers: dict[str, str] | None = None) -> None: ...

    async def run(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def close(self) -> None: ...


class Transport(StrEnum):
    """How a stream reaches the server: TradeStation's chunked HTTP GET, or the seed's
    WebSocket (the simulator's ``/ws``). Public calls also take the plain strings."""

    HTTP = "http"
    WS = "ws"


class SubscriptionKind(StrEnum):
    """What a subscription carries: its ``kind``, and the start of its ``id``."""

    QUOTES = "quotes"
    BARS = "bars"
    TIMESALES = "timesales"
    ORDERS = "orders"
    POSITIONS = "positions"
    BALANCES = "balances"


class StreamSpec(TypedDict, total=False):
    """One stream for ``StreamManager.create_streams``: ``url`` and ``transport``; the rest goes
    to the transport's constructor."""

    url: Required[str]
    transport: Transport
    accept: str
    params: Mapping[str, str] | None
    description: str
    subscribe_message: JSONObject
    unsubscribe_message: JSONObject


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """A subscription apart from its feeds: what it is (``kind``, ``description``), whom it
    tells, and whether its streams send snapshots (orders, positions)."""

    kind: SubscriptionKind
    description: str
    callback: DataCallback
    error_callback: ErrorCallback | None = None
    status_callback: StatusCallback | None = None
    snapshots: bool = False


class ServiceClient(Protocol):
    """What a service needs from the client: REST JSON, URLs, and subscriptions."""

    @property
    def read_timeout(self) -> float: ...

    def url(self, path: str) -> str: ...

    def check_open(self) -> None: ...

    async def request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None,
        json: object = None, what: str | None = None, timeout: float | None = None
    ) -> object:
        """The parsed JSON body of one REST call that changes nothing (reads, order previews);
        ``what`` names it in errors. A 401 is refreshed and retried once."""

    async def send_order_request(
        self, method: str, path: str, *, json: object = None, what: str,
        timeout: float | None = None
    ) -> object:
        """The parsed JSON body of one order request (place, replace, cancel, a group), sent
        exactly once: never retried except after a 401; OrderOutcomeUnknown when it may have
        reached TradeStation unanswered, OrderRejectedError on a 4xx."""

    async def subscribe_streams(
        self, specs: Sequence[StreamSpec], request: SubscriptionRequest
    ) -> Subscription: ...

    async def subscribe_feeds(
        self, feeds: Sequence[Feed], request: SubscriptionRequest
    ) -> Subscription: ...


__all__ = [
    "JSONObject",
    "DataCallback",
    "ErrorCallback",
    "StatusCallback",
    "StreamStatusCallback",
    "TokenSource",
    "Feed",
    "StreamSpec",
    "SubscriptionRequest",
    "ServiceClient",
]
