"""Panel models: what each panel knows, kept apart from how it is painted.

Stream callbacks call ``apply`` (and the snapshot hooks) and nothing else: per-message work is a
dict update and a set add, O(1), with no widget call. The panel's repaint, on a timer, asks the model
what changed since the last repaint (``take_changes``) and updates only those rows.

Nothing here imports Textual, so the models are cheap to unit-test.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Any

Clock = Callable[[], float]

# --------------------------------------------------------------------------------------------------
# Order status codes


class OrderCategory(StrEnum):
    """What an order's status code comes to: the orders table colours by it (``order--*``
    component classes). Whether an order is done is ``is_final``'s answer, not this."""

    WORKING = "working"
    PARTIAL = "partial"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    OTHER = "other"


#: TradeStation order status code -> the category the dashboard colours by.
#: Stream codes (Status1) and the REST-only ones; anything else is "other".
ORDER_STATUS_CATEGORY: dict[str, OrderCategory] = {
    # working: accepted somewhere along the way and still able to fill
    "ACK": OrderCategory.WORKING,  # Received
    "OPN": OrderCategory.WORKING,  # Sent
    "DON": OrderCategory.WORKING,  # Queued
    "RSN": OrderCategory.WORKING,  # Replace Sent
    "UCH": OrderCategory.WORKING,  # Replaced
    "CND": OrderCategory.WORKING,  # Condition Met
    "OSO": OrderCategory.WORKING,  # OSO Order
    "SUS": OrderCategory.WORKING,  # Suspended
    "LAT": OrderCategory.WORKING,  # Too Late to Cancel
    "RJC": OrderCategory.WORKING,  # Cancel Request Rejected: the order stays
    "UCN": OrderCategory.CANCELLED,  # Cancel Sent
    "PLA": OrderCategory.WORKING,  # Placed (REST)
    "REC": OrderCategory.WORKING,  # Received (REST)
    "STT": OrderCategory.WORKING,  # Status message (REST)
    "CHG": OrderCategory.WORKING,  # Changed (REST)
    "ASS": OrderCategory.WORKING,  # Assigned (REST)
    "RPD": OrderCategory.WORKING,  # Replace pending (REST)
    "COR": OrderCategory.WORKING,  # Corrected (REST)
    "STP": OrderCategory.WORKING,  # Stop hit (REST)
    # partially filled
    "FPR": OrderCategory.PARTIAL,  # Partial Fill (Alive)
    "FLP": OrderCategory.PARTIAL,  # Partial Fill (UROut)
    # filled
    "FLL": OrderCategory.FILLED,
    "EXE": OrderCategory.FILLED,  # Executed (REST)
    # cancelled or otherwise finished without a fill
    "CAN": OrderCategory.CANCELLED,
    "EXP": OrderCategory.CANCELLED,  # Expired
    "TSC": OrderCategory.CANCELLED,  # Trade Server Canceled
    "OUT": OrderCategory.CANCELLED,  # UROut
    "SCN": OrderCategory.CANCELLED,  # Scheduled cancel (REST)
    "DIS": OrderCategory.CANCELLED,  # Dispatched cancel (REST)
    "ECN": OrderCategory.CANCELLED,  # Expired cancel (REST)
    # rejected
    "REJ": OrderCategory.REJECTED,
    "RJR": OrderCategory.REJECTED,  # Replace rejected (REST)
    "BRO": OrderCategory.REJECTED,  # Broken
    "BRC": OrderCategory.REJECTED,  # Bracket cancelled (REST)
    "BRF": OrderCategory.REJECTED,  # Bracket failed (REST)
    "DOA": OrderCategory.REJECTED,  # Dead on arrival (REST)
}

#: The codes after which an order never changes again: filled, cancelled, expired, rejected.
#: Not the same as the FILLED/CANCELLED/REJECTED categories: those colour the table, and colour
#: a request on its way ("UCN", Cancel Sent) as what it asks for, though the order still works
#: until the answer ("CAN", or "RJC", Cancel Request Rejected). Reconciling and trimming go by
#: this set, so neither takes a request for its outcome.
FINAL_STATUSES = frozenset({
    "FLL", "EXE",  # filled
    "FLP",  # partially filled, the rest out (UROut)
    "CAN", "EXP", "TSC", "OUT",  # cancelled, expired
    "REJ", "BRO", "DOA",  # rejected, broken, dead on arrival
})


def is_final(code: str | None) -> bool:
    """Whether an order with this status code is done: nothing can follow it."""
    return bool(code) and str(code).upper() in FINAL_STATUSES


#: A short label for each code, used when a message has no StatusDescription.
ORDER_STATUS_TEXT: dict[str, str] = {
    "ACK": "Received", "OPN": "Sent", "DON": "Queued", "RSN": "Replace Sent",
    "UCH": "Replaced", "CND": "Condition Met", "OSO": "OSO Order", "SUS": "Suspended",
    "LAT": "Too Late to Cancel", "RJC": "Cancel Rejected", "UCN": "Cancel Sent",
    "FPR": "Partial Fill", "FLP": "Partial Fill (UROut)", "FLL": "Filled", "CAN": "Canceled",
    "EXP": "Expired", "TSC": "TS Canceled", "OUT": "UROut", "REJ": "Rejected", "BRO": "Broken",
}


def order_status_category(code: str | None) -> OrderCategory:
    """The category of a TradeStation status code (OTHER for none or an unknown one)."""
    if not code:
        return OrderCategory.OTHER
    return ORDER_STATUS_CATEGORY.get(code.upper(), OrderCategory.OTHER)


def first_leg(order: dict[str, Any]) -> dict[str, Any]:
    """An order's first leg (TradeStation puts the symbol, side and quantities there), or {}."""
    legs = order.get("Legs")
    return legs[0] if isinstance(legs, list) and legs and isinstance(legs[0], dict) else {}


def order_symbol(order: dict[str, Any]) -> str:
    """The symbol of TradeStation's Order (its first leg's); '' when it names none."""
    return str(first_leg(order).get("Symbol") or order.get("Symbol") or "")


def order_status_text(order: dict[str, Any]) -> str:
    code = str(order.get("Status") or "")
    return str(order.get("StatusDescription") or ORDER_STATUS_TEXT.get(code, code or "?"))


# --------------------------------------------------------------------------------------------------
# Shared bits

_intern = sys.intern
#: string values up to this long are interned when a message is kept (status codes, account ids,
#: symbols, quantities, prices repeat from row to row); longer ones (timestamps, texts) are not
INTERN_MAX = 16


def compact(value: Any) -> Any:
    """A decoded JSON value as a model keeps it: the same content, with every object key and
    every short string interned.

    ``json.loads`` makes a fresh string for every key of every message (it shares them only within
    one document), so a kept order (~20 keys, a leg of ~8) carried ~1 kB of key strings of its
    own, and as much again in short values. Kept rows (orders, positions, balances, prints) live
    for the session: sharing those strings makes a row ~3x smaller.
    """
    if isinstance(value, str):
        return _intern(value) if len(value) <= INTERN_MAX else value
    if isinstance(value, dict):
        return {_intern(k) if type(k) is str else k: compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


@dataclass
class Activity:
    """Counts and the time of the newest message, for the status bar."""

    clock: Clock = time.monotonic
    messages: int = 0
    last_at: float | None = None

    def tick(self) -> None:
        self.messages += 1
        self.last_at = self.clock()


@dataclass
class Changes:
    """What a repaint has to do: rows to (re)paint, rows to drop, and whether to check every row."""

    dirty: set[Any] = field(default_factory=set)
    removed: set[Any] = field(default_factory=set)
    reset: bool = False

    def __bool__(self) -> bool:
        return bool(self.dirty or self.removed or self.reset)


# --------------------------------------------------------------------------------------------------
# Quotes


class QuoteModel:
    """The latest quote per symbol of the active watchlist, merged from deltas by Symbol."""

    def __init__(self, symbols: Iterable[str] = (), clock: Clock = time.monotonic) -> None:
        self.activity = Activity(clock)
        self.symbols: list[str] = []
        self.quotes: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, str] = {}
        self.errors_version = 0  # bumped whenever ``errors`` changes (the panel's banner follows)
        self._dirty: set[str] = set()
        self._reset = True
        self.reset(symbols)

    def reset(self, symbols: Iterable[str]) -> None:
        """A new watchlist: forget everything, every row is to be (re)drawn."""
        self.symbols = list(dict.fromkeys(s.upper() for s in symbols))
        self.quotes = {s: {"Symbol": s} for s in self.symbols}
        self.errors = {}
        self.errors_version += 1
        self._dirty = set(self.symbols)
        self._reset = True

    def set_symbols(self, symbols: Iterable[str]) -> None:
        """The same watchlist, edited: symbols kept keep their quote (no blank rows while the
        stream is reopened), new ones start empty, dropped ones go."""
        wanted = list(dict.fromkeys(s.upper() for s in symbols))
        self.quotes = {s: self.quotes.get(s) or {"Symbol": s} for s in wanted}
        self.errors = {s: e for s, e in self.errors.items() if s in self.quotes}
        self.errors_version += 1
        self._dirty = {s for s in self._dirty if s in self.quotes}
        self._dirty.update(s for s in wanted if s not in self.symbols)
        self.symbols = wanted
        self._reset = True  # the repaint drops rows that are no longer here

    def apply(self, msg: dict[str, Any]) -> None:
        """Merge one quote message (a full quote or a delta). O(size of the delta).

        A quote for a symbol marked in error clears the mark: that error was transient (a bare
        ``FAILED``); lasting ones (``INVALID SYMBOL``, ``NOT ENTITLED``) get no quotes after."""
        symbol = msg.get("Symbol")
        if symbol is None:
            return
        quote = self.quotes.get(symbol)
        if quote is None:  # not in the watchlist (e.g. a late message after a switch): ignore
            return
        quote.update(msg)
        self._dirty.add(symbol)
        self.activity.tick()
        if self.errors and symbol in self.errors:
            del self.errors[symbol]
            self.errors_version += 1

    def set_error(self, symbol: str, text: str) -> None:
        if symbol in self.quotes:
            self.errors[symbol] = text
            self._dirty.add(symbol)
            self.errors_version += 1

    def take_changes(self) -> Changes:
        changes = Changes(self._dirty, set(), self._reset)
        self._dirty = set()
        self._reset = False
        return changes

    def mark_all_dirty(self) -> None:
        self._reset = True
        self._dirty.update(self.symbols)

    def mark_dirty(self, symbols: Iterable[str]) -> None:
        """These rows repaint at the next paint (those the model holds a quote for)."""
        self._dirty.update(s for s in symbols if s in self.quotes)

    def get(self, symbol: str) -> dict[str, Any]:
        return self.quotes.get(symbol, {})


# --------------------------------------------------------------------------------------------------
# Bars


class BarsModel:
    """Bars keyed by TimeStamp (Epoch when there is none), oldest first, bounded.

    A bar whose key is already known replaces it (the live bar is re-sent while it forms).

    A new connection sends its own history (``barsback`` bars, then live ones): after
    ``new_history()`` the first bar that arrives replaces every bar held, so a server whose bar
    times changed (a restarted server) does not leave two histories interleaved. Until then the
    old bars stay on screen: a reconnect does not blank the chart.
    """

    def __init__(self, symbol: str = "", interval: str = "1", unit: str = "Minute",
                 max_bars: int = 600, clock: Clock = time.monotonic) -> None:
        self.activity = Activity(clock)
        self.max_bars = max_bars
        self.symbol = symbol
        self.interval = interval
        self.unit = unit
        self.bars: dict[int, dict[str, Any]] = {}
        self._last_key: int | None = None
        self._replace = False  # the next bar starts a new history (see new_history)
        self.dirty = True
        self.reset(symbol)

    def reset(self, symbol: str) -> None:
        self.symbol = symbol
        self.bars = {}
        self._last_key = None
        self._replace = False
        self.dirty = True

    def new_history(self) -> None:
        """A new connection is up: its bars replace the ones held, from its first bar on."""
        self._replace = bool(self.bars)

    @staticmethod
    def key_of(bar: dict[str, Any]) -> int | None:
        """Milliseconds since the epoch: ``Epoch`` when sent, else from ``TimeStamp``."""
        epoch = bar.get("Epoch")
        if isinstance(epoch, int) and not isinstance(epoch, bool):
            return epoch
        stamp = bar.get("TimeStamp")
        return _epoch_ms(stamp) if isinstance(stamp, str) else None

    def apply(self, bar: dict[str, Any]) -> None:
        key = self.key_of(bar)
        if key is None:
            return
        if self._replace:
            self._replace = False
            self.bars = {}
            self._last_key = None
        bars = self.bars
        if key in bars:
            bars[key] = bar
        elif self._last_key is None or key > self._last_key:
            bars[key] = bar
            self._last_key = key
            if len(bars) > self.max_bars:
                del bars[next(iter(bars))]
        else:  # out of order (rare): insert and keep the order
            bars[key] = bar
            self.bars = dict(sorted(bars.items())[-self.max_bars:])
            self._last_key = next(reversed(self.bars))
        self.dirty = True
        self.activity.tick()

    def last(self, n: int) -> list[dict[str, Any]]:
        """The newest ``n`` bars, oldest first."""
        if n <= 0:
            return []
        out: list[dict[str, Any]] = []
        for bar in reversed(self.bars.values()):
            out.append(bar)
            if len(out) >= n:
                break
        out.reverse()
        return out

    def __len__(self) -> int:
        return len(self.bars)


# --------------------------------------------------------------------------------------------------
# Time and sales


class TapeModel:
    """The newest prints first, in a ring (``deque(maxlen=...)``): bounded memory all day."""

    def __init__(self, symbol: str = "", maxlen: int = 500, clock: Clock = time.monotonic) -> None:
        self.activity = Activity(clock)
        self.symbol = symbol
        self.prints: deque[dict[str, Any]] = deque(maxlen=maxlen)
        self.dirty = True

    @property
    def maxlen(self) -> int:
        return self.prints.maxlen or 0

    def reset(self, symbol: str) -> None:
        self.symbol = symbol
        self.prints.clear()
        self.dirty = True

    def apply(self, trade: dict[str, Any]) -> None:
        self.prints.appendleft(compact(trade))
        self.dirty = True
        self.activity.tick()

    def newest(self, n: int) -> Iterator[dict[str, Any]]:
        for i, trade in enumerate(self.prints):
            if i >= n:
                return
            yield trade

    def __len__(self) -> int:
        return len(self.prints)


# --------------------------------------------------------------------------------------------------
# Orders, positions, balances


class KeyedModel:
    """Rows keyed by one field, merged by that key, with snapshot swap.

    ``begin_snapshot()`` starts collecting a fresh snapshot aside; ``end_snapshot()`` swaps it in
    whole, so rows the server no longer has disappear. Messages outside a snapshot merge into the
    rows shown. ``{"<key>": ..., "Deleted": true}`` removes a row.
    """

    key_field = "ID"

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.activity = Activity(clock)
        self.rows: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, dict[str, Any]] | None = None
        self.snapshots = 0
        #: accounts TradeStation answered with an error instead of their data, and its text
        self.account_errors: dict[str, str] = {}
        self.errors_version = 0  # bumped whenever ``account_errors`` changes
        self._errors_in_snapshot: set[str] = set()
        self._dirty: set[str] = set()
        self._removed: set[str] = set()
        self._reset = True

    def set_account_error(self, account: str, text: str) -> None:
        """The account is in error (until its data arrives, or a snapshot comes without it)."""
        self._errors_in_snapshot.add(account)
        if self.account_errors.get(account) != text:
            self.account_errors[account] = text
            self.errors_version += 1

    def clear_account_error(self, account: str) -> None:
        if self.account_errors.pop(account, None) is not None:
            self.errors_version += 1

    def begin_snapshot(self) -> None:
        self.pending = {}
        self._errors_in_snapshot = set()

    def end_snapshot(self) -> None:
        if self.pending is None:
            return
        # a new snapshot is the whole truth: errors it did not repeat are over
        for account in [a for a in self.account_errors if a not in self._errors_in_snapshot]:
            self.clear_account_error(account)
        self._removed.update(k for k in self.rows if k not in self.pending)
        self.rows = self.pending
        self.pending = None
        self.snapshots += 1
        self._reset = True

    @property
    def in_snapshot(self) -> bool:
        return self.pending is not None

    def apply(self, msg: dict[str, Any]) -> None:
        key = msg.get(self.key_field)
        if key is None:
            return
        key = str(key)
        pending = self.pending
        target = self.rows if pending is None else pending
        if msg.get("Deleted"):
            if target.pop(key, None) is not None and pending is None:
                self._removed.add(key)
                self._dirty.discard(key)
        else:
            msg = compact(msg)  # a new dict: the row never shares the caller's
            row = target.get(key)
            if row is None:
                target[key] = msg
            else:
                row.update(msg)
            if pending is None:
                self._dirty.add(key)
            if self.account_errors:  # the account's data again: its error is over
                self.clear_account_error(str(msg.get("AccountID")))
        self.activity.tick()

    def clear(self) -> None:
        self._removed.update(self.rows)
        self.rows = {}
        self.pending = None
        self._reset = True
        self.account_errors = {}
        self.errors_version += 1

    def take_changes(self) -> Changes:
        if self._reset:
            changes = Changes(set(self.rows), self._removed, True)
        else:
            changes = Changes(self._dirty, self._removed, False)
        self._dirty = set()
        self._removed = set()
        self._reset = False
        return changes

    def mark_all_dirty(self) -> None:
        self._reset = True

    def mark_dirty(self, keys: Iterable[str]) -> None:
        """These rows repaint at the next paint (those the model holds)."""
        self._dirty.update(k for k in keys if k in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class OrdersModel(KeyedModel):
    """Orders; finished ones (``is_final``) beyond ``max_rows`` are dropped oldest first, like
    the server's own day list, so a long session does not grow without bound."""

    key_field = "OrderID"
    max_rows = 500

    def __init__(self, clock: Clock = time.monotonic) -> None:
        super().__init__(clock)
        #: finished orders dropped beyond ``max_rows``: reconciling does not bring them back
        self.trimmed: set[str] = set()

    def end_snapshot(self) -> None:
        if self.pending is not None:
            self.trimmed.clear()  # the snapshot holds them again
        super().end_snapshot()

    def clear(self) -> None:
        super().clear()
        self.trimmed.clear()

    def apply(self, msg: dict[str, Any]) -> None:
        super().apply(msg)
        self._trim()

    def reconcile(self, orders: Iterable[dict[str, Any]]) -> list[str]:
        """Merge a REST order list (the truth when the stream dropped frames) into the rows;
        the OrderIDs of the rows it corrected, which repaint.

        An order the rows lack is added (unless it was trimmed, finished, as an old one); a row
        moves only forward (``further_along``): the REST answer may be older than a stream
        message that arrived while it was in flight. During a snapshot the snapshot is the truth
        to come, so nothing is merged.
        """
        if self.pending is not None:
            return []
        corrected: list[str] = []
        for order in orders:
            key = order.get(self.key_field)
            if key is None:
                continue
            key = str(key)
            row = self.rows.get(key)
            if (row is None and key in self.trimmed) or (
                    row is not None and not self.further_along(order, row)):
                continue
            if row is None:
                self.rows[key] = compact(order)
            else:
                row.update(compact(order))
            self._dirty.add(key)
            corrected.append(key)
        if corrected:
            self.activity.tick()
            self._trim()
        return corrected

    @staticmethod
    def further_along(order: dict[str, Any], row: dict[str, Any]) -> bool:
        """Whether `order` is a later state of the order than `row`: the row is not final
        (``FINAL_STATUSES``) and `order` is, or has more of it filled. A request on its way
        ("UCN", Cancel Sent) is not final: the stream's later "RJC" (the cancel refused, the
        order still working) must not give way to an older REST "UCN". Of two working copies
        REST cannot tell which is newer, so the row stays."""
        if is_final(row.get("Status")):
            return False
        return is_final(order.get("Status")) or exec_quantity(order) > exec_quantity(row)

    def _trim(self) -> None:
        rows = self.rows
        if len(rows) > self.max_rows + 50 and self.pending is None:
            excess = len(rows) - self.max_rows
            for key in [k for k, o in rows.items() if is_final(o.get("Status"))][:excess]:
                del rows[key]
                self.trimmed.add(key)
                self._removed.add(key)
                self._dirty.discard(key)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for order in self.rows.values():
            cat = order_status_category(order.get("Status"))
            out[cat] = out.get(cat, 0) + 1
        return out


class PositionsModel(KeyedModel):
    key_field = "PositionID"

    def total_unrealized(self) -> float:
        total = 0.0
        for pos in self.rows.values():
            total += to_float(pos.get("UnrealizedProfitLoss")) or 0.0
        return total

    def total_todays(self) -> float:
        total = 0.0
        for pos in self.rows.values():
            total += to_float(pos.get("TodaysProfitLoss")) or 0.0
        return total

    def total_market_value(self) -> float:
        total = 0.0
        for pos in self.rows.values():
            total += to_float(pos.get("MarketValue")) or 0.0
        return total


class BalancesModel(KeyedModel):
    key_field = "AccountID"


# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _epoch_ms(stamp: str) -> int | None:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def exec_quantity(order: dict[str, Any]) -> float:
    """How much of an order is filled: its legs' ExecQuantity summed (0 when it says nothing)."""
    legs = order.get("Legs")
    if not isinstance(legs, list):
        return 0.0
    return sum(to_float(leg.get("ExecQuantity")) or 0.0 for leg in legs if isinstance(leg, dict))


def decimal_or_none(value: object) -> Decimal | None:
    """TradeStation's numeric strings (and numbers) as a Decimal; None for '' or junk."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def signed_quantity(position: dict[str, Any]) -> Decimal | None:
    """A position's quantity, negative when short: ``LongShort`` says which side ("Long",
    "Short"); without it, the quantity as sent. None when it is not a number."""
    quantity = decimal_or_none(position.get("Quantity"))
    if quantity is None:
        return None
    side = str(position.get("LongShort", "")).strip().lower()
    if side == "long":
        return abs(quantity)
    if side == "short":
        return -abs(quantity)
    return quantity


def to_float(value: Any) -> float | None:
    """TradeStation sends numbers as strings; '' and None are missing."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
