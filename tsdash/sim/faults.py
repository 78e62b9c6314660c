"""Fault injection: the ways a real TradeStation stream goes wrong, on demand.

Tests arm faults through `sim.faults`; `tsdash sim --fault KIND:key=value,...` arms the same ones
from the command line. Stream faults fire once a connection has written `after` data messages
(heartbeats and control messages do not count); request faults answer the next matching /v3
request(s) instead of the handler. `times` is how many connections (or requests) a fault fires on.
One fault also applies to a REST endpoint: `stall` with `stream="balances"` holds the answers to
`GET brokerage/accounts/{ids}/balances` (what the balance poller asks) for `seconds`, once `after`
balance requests were answered; it applies only when named (a stall for any stream leaves it).

Three faults are TradeStation's own error forms inside 200 answers rather than broken streams:
`account_error` puts one account in error (a per-account `Errors` entry in the balances,
positions or orders REST answer, `{"AccountID", "Error", "Message"}` on an account stream, in place
of that account's data; the other accounts keep coming), `symbol_failed` sends a transient bare
`FAILED` for one symbol on a quote stream (its quotes go on), and `not_entitled` refuses one
symbol's data (`FAILED, NOT ENTITLED` on quote streams and as its `Errors` entry in the REST
quote snapshot, a 200 `{"Error": "Failed", "Message": "Not entitled ..."}` on bars) until the
faults are cleared.

`drop_order_frames` is TradeStation's order stream losing frames while its heartbeats go on: the
orders streams (by account and by id, HTTP and WebSocket) silently leave out order updates (new
orders, status changes, fills) while REST `GET brokerage/accounts/{ids}/orders` still shows the
truth; what the app must notice by reconciling over REST. A snapshot (a new connection) is whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

#: the streams a fault's `stream=` can name: a feed's `kind` (orders covers the orders-by-id
#: stream, marketdepth both depth streams, tickbars the /v2 tick-bar stream) and the WebSocket
STREAM_NAMES = ("quotes", "barcharts", "orders", "positions", "ws", "optionchains",
                "optionquotes", "marketdepth", "tickbars")
#: REST endpoints a stall can be aimed at by name (stream=...)
REST_STALL_NAMES = ("balances",)
GOAWAY_SHAPES = ("auto", "status", "error")
STREAM_FAULTS = ("goaway", "drop_mid_object", "stall", "malformed_line", "overlong_line",
                 "symbol_failed")
REQUEST_FAULTS = ("unauthorized", "rate_limit", "server_error")

#: what an account_error fault applies to: the REST answer or the account stream of that name
ACCOUNT_ERROR_STREAMS = ("balances", "positions", "orders")
#: route name of a REST answer -> the account_error stream name it belongs to
ACCOUNT_ERROR_ROUTES = {"balances": "balances", "rest-positions": "positions",
                        "rest-orders": "orders"}
ACCOUNT_ERROR = {"Error": "Failed", "Message": "Account data is unavailable right now."}
#: TradeStation's per-symbol quote errors (a bare FAILED is transient, observed on real streams)
SYMBOL_FAILED = "FAILED"
NOT_ENTITLED = "FAILED, NOT ENTITLED"
#: TradeStation's 200 body on bars for a symbol the login is not entitled to
NOT_ENTITLED_BARS = {"Error": "Failed", "Message": "Not entitled to data for this symbol"}

_ids = itertools.count(1)


@dataclass(eq=False)
class Fault:
    """One armed fault. `fired` counts how often it went off (handy in tests)."""

    kind: str
    after: int = 0
    stream: str | None = None
    times: int = 1
    shape: str = "auto"
    seconds: float = 0.0
    size: int = 2 * 1024 * 1024
    retry_after: float = 2.0
    status: int = 503
    account: str | None = None  # account_error: None is the login's first account
    symbol: str | None = None  # symbol_failed, not_entitled
    fired: int = 0
    passed: int = 0  # REST stalls: requests answered before it was due
    until_cleared: bool = False  # drop_order_frames without times: every frame until clear()
    id: int = field(default_factory=lambda: next(_ids))

    def matches(self, stream: str | None) -> bool:
        return self.stream is None or self.stream == stream


def _check_symbol(symbol: str) -> str:
    if not isinstance(symbol, str) or not symbol.strip():
        raise ValueError("symbol is required, e.g. symbol=AAPL")
    return symbol.strip().upper()


def _check_common(after: int, stream: str | None, times: int,
                  names: tuple[str, ...] = STREAM_NAMES) -> None:
    if not isinstance(after, int) or after < 0:
        raise ValueError(f"after must be a whole number >= 0, not {after!r}")
    if stream is not None and stream not in names:
        raise ValueError(f"stream must be one of {', '.join(names)} (or omitted), "
                         f"not {stream!r}")
    if not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be a whole number >= 1, not {times!r}")


class FaultInjector:
    """Armed faults, shared by every connection of one simulator."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.rechunking = False
        self.version = 0  # bumped on every change so connections refresh their cached view

    # -- arming (the documented API) ------------------------------------------------------------

    def _arm(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        self.version += 1
        return fault

    def goaway(self, after: int = 0, shape: str = "auto", stream: str | None = None,
               times: int = 1) -> Fault:
        """Send GoAway (market-data or brokerage shape; "auto" picks the stream's) and close."""
        _check_common(after, stream, times)
        if shape not in GOAWAY_SHAPES:
            raise ValueError(f"shape must be one of {', '.join(GOAWAY_SHAPES)}, not {shape!r}")
        return self._arm(Fault("goaway", after=after, stream=stream, times=times, shape=shape))

    def drop_mid_object(self, after: int = 0, stream: str | None = None, times: int = 1) -> Fault:
        """Write half of the next object, then drop the connection."""
        _check_common(after, stream, times)
        return self._arm(Fault("drop_mid_object", after=after, stream=stream, times=times))

    def stall(self, after: int = 0, seconds: float = 30.0, stream: str | None = None,
              times: int = 1) -> Fault:
        """Send nothing at all, heartbeats included, for `seconds`; then carry on.

        `stream="balances"` holds the balances REST answer instead, after `after` answered ones.
        """
        _check_common(after, stream, times, STREAM_NAMES + REST_STALL_NAMES)
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, not {seconds!r}")
        return self._arm(Fault("stall", after=after, stream=stream, times=times,
                               seconds=float(seconds)))

    def malformed_line(self, after: int = 0, stream: str | None = None, times: int = 1) -> Fault:
        """One line that is not JSON; the stream goes on after it."""
        _check_common(after, stream, times)
        return self._arm(Fault("malformed_line", after=after, stream=stream, times=times))

    def overlong_line(self, after: int = 0, size: int = 2 * 1024 * 1024,
                      stream: str | None = None, times: int = 1) -> Fault:
        """One valid JSON line of `size` bytes (newline included); the stream goes on after it."""
        _check_common(after, stream, times)
        if not isinstance(size, int) or size < 64:
            raise ValueError(f"size must be a whole number >= 64, not {size!r}")
        return self._arm(Fault("overlong_line", after=after, stream=stream, times=times,
                               size=size))

    def unauthorized(self, times: int = 1, stream: str | None = None) -> Fault:
        """Answer the next matching request(s) 401, whatever the token."""
        _check_common(0, stream, times)
        return self._arm(Fault("unauthorized", stream=stream, times=times))

    def rate_limit(self, times: int = 1, retry_after: float = 2,
                   stream: str | None = None) -> Fault:
        """Answer the next matching request(s) 429 with TradeStation's rate-limit headers."""
        _check_common(0, stream, times)
        if retry_after < 0:
            raise ValueError(f"retry_after must be >= 0, not {retry_after!r}")
        return self._arm(Fault("rate_limit", stream=stream, times=times,
                               retry_after=float(retry_after)))

    def server_error(self, times: int = 1, status: int = 503, stream: str | None = None) -> Fault:
        """Answer the next matching request(s) with a 5xx in TradeStation's error shape."""
        _check_common(0, stream, times)
        if not isinstance(status, int) or not 500 <= status <= 599:
            raise ValueError(f"status must be 500..599, not {status!r}")
        return self._arm(Fault("server_error", stream=stream, times=times, status=status))

    def account_error(self, stream: str | None = None, account: str | None = None,
                      times: int = 1) -> Fault:
        """One account's data replaced by TradeStation's per-account error (None: any stream).

        REST balances/positions/orders: the answer lists it under `Errors` instead of the
        account's items. Orders/positions streams: a connection (one already open, else the
        next) sends the error object instead of the account's snapshot and none of its updates
        for as long as it lasts. `times` counts answers
        and connections; `account` defaults to the login's first account.
        """
        _check_common(0, stream, times, ACCOUNT_ERROR_STREAMS)
        if account is not None and (not isinstance(account, str) or not account.strip()):
            raise ValueError(f"account must be an account ID, not {account!r}")
        return self._arm(Fault("account_error", stream=stream, times=times,
                               account=account.strip() if account else None))

    def symbol_failed(self, symbol: str, after: int = 0, times: int = 1) -> Fault:
        """A bare `{"Symbol": S, "Error": "FAILED"}` on quote streams carrying S, once `after`
        data messages were written; that symbol's quotes go on after it."""
        _check_common(after, None, times)
        return self._arm(Fault("symbol_failed", after=after, times=times,
                               symbol=_check_symbol(symbol)))

    def not_entitled(self, symbol: str) -> Fault:
        """Refuse `symbol` until clear(): `FAILED, NOT ENTITLED` in place of its quotes on quote
        streams opened from now on and in the REST quote snapshot (an `Errors` entry), and the
        200 not-entitled body on bars (stream and REST)."""
        return self._arm(Fault("not_entitled", symbol=_check_symbol(symbol)))

    def drop_order_frames(self, times: int | None = None, account: str | None = None) -> Fault:
        """Orders streams leave out the next `times` order updates (None: every one until
        clear()) of `account` (None: any account); heartbeats and REST answers go on."""
        if times is not None:
            _check_common(0, None, times)
        if account is not None and (not isinstance(account, str) or not account.strip()):
            raise ValueError(f"account must be an account ID, not {account!r}")
        return self._arm(Fault("drop_order_frames", stream="orders",
                               times=1 if times is None else times, until_cleared=times is None,
                               account=account.strip() if account else None))

    def rechunk(self, enabled: bool = True) -> None:
        """Split objects across HTTP chunks at random bytes and pack several into one chunk."""
        self.rechunking = bool(enabled)
        self.version += 1

    def clear(self) -> None:
        """Disarm everything, rechunking included."""
        self._faults.clear()
        self.rechunking = False
        self.version += 1

    @property
    def armed(self) -> list[Fault]:
        return list(self._faults)

    # -- used by the server ---------------------------------------------------------------------

    def stream_faults(self, stream: str, symbols=()) -> list[Fault]:
        """Faults due on a stream of this name; a symbol fault only where `symbols` has it."""
        return [f for f in self._faults
                if f.kind in STREAM_FAULTS and f.times > 0 and f.matches(stream)
                and (f.symbol is None or f.symbol in symbols)]

    def take_account_errors(self, stream: str | None, accounts, first: str | None
                            ) -> dict[str, dict]:
        """{account: TradeStation's per-account error} for the armed account_error faults of
        `stream` naming one of `accounts` (`first`: the login's first account, the default);
        each answer or connection they fire on counts once toward their `times`."""
        out: dict[str, dict] = {}
        if stream is None:
            return out
        for fault in list(self._faults):
            if fault.kind != "account_error" or fault.times <= 0 or not fault.matches(stream):
                continue
            account = fault.account or first
            if account is not None and account in accounts and account not in out \
                    and self.consume(fault):
                out[account] = {"AccountID": account, **ACCOUNT_ERROR}
        return out

    def take_order_frame_drop(self, account: str) -> bool:
        """Whether an armed drop_order_frames fault swallows this order update of `account`
        (each frame dropped counts once toward its `times`)."""
        for fault in list(self._faults):
            if fault.kind != "drop_order_frames" or fault.account not in (None, account):
                continue
            if fault.until_cleared:
                fault.fired += 1
                return True
            if self.consume(fault):
                return True
        return False

    def not_entitled_symbols(self, symbols) -> set[str]:
        """The ones of `symbols` a not_entitled fault refuses."""
        refused = {f.symbol for f in self._faults if f.kind == "not_entitled"}
        hits = {s for s in symbols if s in refused}
        for fault in self._faults:
            if fault.kind == "not_entitled" and fault.symbol in hits:
                fault.fired += 1
        return hits

    def take_rest_stall(self, name: str) -> Fault | None:
        """The stall aimed at this REST endpoint by name, if one is due now (consumed once);
        each request before it is due counts toward its `after`."""
        for fault in self._faults:
            if fault.kind == "stall" and fault.stream == name and fault.times > 0:
                if fault.passed < fault.after:
                    fault.passed += 1
                    return None
                self.consume(fault)
                return fault
        return None

    def take_request_fault(self, stream: str | None) -> Fault | None:
        """The first armed request fault matching this request, consumed once."""
        for fault in self._faults:
            if fault.kind in REQUEST_FAULTS and fault.times > 0 and fault.matches(stream):
                self.consume(fault)
                return fault
        return None

    def consume(self, fault: Fault) -> bool:
        """Count one firing; False if another connection already used up its `times`."""
        if fault.times <= 0:
            return False
        fault.times -= 1
        fault.fired += 1
        if fault.times == 0 and fault in self._faults:
            self._faults.remove(fault)
            self.version += 1
        return True


# -- command line ---------------------------------------------------------------------------------

_ALIASES = {
    "goaway": "goaway", "go_away": "goaway",
    "drop": "drop_mid_object", "drop_mid_object": "drop_mid_object",
    "stall": "stall",
    "malformed": "malformed_line", "malformed_line": "malformed_line",
    "overlong": "overlong_line", "overlong_line": "overlong_line",
    "unauthorized": "unauthorized", "401": "unauthorized",
    "rate_limit": "rate_limit", "429": "rate_limit",
    "server_error": "server_error", "5xx": "server_error",
    "rechunk": "rechunk",
    "account_error": "account_error",
    "symbol_failed": "symbol_failed", "failed": "symbol_failed",
    "not_entitled": "not_entitled",
    "drop_order_frames": "drop_order_frames", "drop_orders": "drop_order_frames",
}
_PARAMS: dict[str, dict[str, Callable[[str], object]]] = {
    "goaway": {"after": int, "shape": str, "stream": str, "times": int},
    "drop_mid_object": {"after": int, "stream": str, "times": int},
    "stall": {"after": int, "seconds": float, "stream": str, "times": int},
    "malformed_line": {"after": int, "stream": str, "times": int},
    "overlong_line": {"after": int, "size": int, "stream": str, "times": int},
    "unauthorized": {"times": int, "stream": str},
    "rate_limit": {"times": int, "retry_after": float, "stream": str},
    "server_error": {"times": int, "status": int, "stream": str},
    "rechunk": {},
    "account_error": {"stream": str, "account": str, "times": int},
    "symbol_failed": {"symbol": str, "after": int, "times": int},
    "not_entitled": {"symbol": str},
    "drop_order_frames": {"times": int, "account": str},
}

FAULT_HELP = """\
Fault specs for --fault (repeatable): KIND[:key=value,key=value...]
  goaway:after=N,shape=auto|status|error,stream=S,times=T   GoAway after N data messages, then close
  drop:after=N,stream=S,times=T                             half an object, then the socket closes
  stall:after=N,seconds=X,stream=S,times=T                  no bytes at all (no heartbeats) for X s
  stall:stream=balances,after=N,seconds=X,times=T           balances REST answers held X s, after N
  malformed:after=N,stream=S,times=T                        one line that is not JSON
  overlong:after=N,size=BYTES,stream=S,times=T              one JSON line of BYTES (default 2 MiB)
  unauthorized:times=T,stream=S                             next T requests answered 401
  rate_limit:times=T,retry_after=X,stream=S                 next T requests answered 429 + headers
  server_error:times=T,status=5xx,stream=S                  next T requests answered 5xx
  rechunk                                                   split/pack objects across HTTP chunks
  account_error:stream=balances|positions|orders,account=ID,times=T
                 TradeStation's per-account error in place of that account's data (REST Errors
                 entry, or an account stream's error object for that connection); the other
                 accounts keep coming. Default: any of the three, the first account, times=1
  symbol_failed:symbol=SYM,after=N,times=T                  a bare FAILED for SYM on quote
                                                            streams, then its quotes go on
  not_entitled:symbol=SYM      FAILED, NOT ENTITLED for SYM on quote streams and in the quote
                               snapshot's Errors, and bars answer 200 {"Error": "Failed",
                               "Message": "Not entitled ..."}; lasts until the sim stops
  drop_order_frames:times=T,account=ID                      orders streams silently leave out
                 the next T order updates (new orders, status changes, fills) of account ID
                 while heartbeats go on; REST orders still show them. Default: every update of
                 every account until the sim stops
S is one of quotes, barcharts, orders (also orders by id), positions, ws, optionchains,
optionquotes, marketdepth (quotes and aggregates), tickbars (/v2) (default: any); stall also
takes balances.
Defaults: after=0, times=1 (drop_order_frames: no limit).
Example: --fault goaway:after=50,stream=quotes"""


def parse_fault_spec(spec: str) -> tuple[str, dict]:
    """'goaway:after=50,stream=quotes' -> ('goaway', {'after': 50, 'stream': 'quotes'})."""
    name, _, rest = spec.strip().partition(":")
    kind = _ALIASES.get(name.strip().lower().replace("-", "_"))
    if kind is None:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(_PARAMS))}")
    kwargs: dict = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not eq:
            raise ValueError(f"expected key=value, got {item!r}")
        kinds = _PARAMS[kind]
        if key not in kinds:
            allowed = ", ".join(kinds) or "no parameters"
            raise ValueError(f"{kind} takes {allowed}; got {key!r}")
        try:
            kwargs[key] = kinds[key](value.strip())
        except ValueError:
            raise ValueError(f"{key} must be a number, got {value!r}") from None
    return kind, kwargs


def apply_fault_spec(injector: FaultInjector, spec: str) -> None:
    """Parse and arm one CLI spec; ValueError carries a one-line explanation."""
    kind, kwargs = parse_fault_spec(spec)
    if kind == "rechunk":
        injector.rechunk(True)
        return
    if kind in ("symbol_failed", "not_entitled") and "symbol" not in kwargs:
        raise ValueError(f"{kind} needs symbol=SYM, e.g. {kind}:symbol=AAPL")
    getattr(injector, kind)(**kwargs)
