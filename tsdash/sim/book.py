"""The simulated brokerage: accounts, orders, fills, positions, balances, and a log of changes.

Every change to an order or a position is appended to one log as ready-to-send lines (a position
change is stored both whole and as "changed fields + PositionID" for changes=true streams). The
orders and positions streams replay that log, so they see every status an order passed through,
in the order it happened, and two runs with one seed log the same things.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from .clock import SimClock, iso
from .market import Market, StepRecord, encode, money, rng_for

MARGIN_ACCOUNT = "SIM1234567M"
CASH_ACCOUNT = "SIM1234568C"
MAX_ACCOUNTS_PER_REQUEST = 25
LOG_ENTRIES = 5_000  # about a minute of position re-pricing; a slower reader resyncs
KEEP_CLOSED_ORDERS = 500  # like a day's order list: older finished orders drop out of snapshots

STATUS_TEXT = {
    "ACK": "Received", "OPN": "Sent", "FPR": "Partial Fill (Alive)", "FLL": "Filled",
    "CAN": "Canceled", "REJ": "Rejected", "UCN": "Cancel Sent", "EXP": "Expired",
}
OPEN_STATUSES = {"ACK", "OPN", "FPR", "UCN"}
ORDER_TYPES = ("Market", "Limit")
TRADE_ACTIONS = {"BUY": "Buy", "SELL": "Sell", "SELLSHORT": "SellShort", "BUYTOCOVER": "BuyToCover"}
DURATIONS = {"DAY", "DYP", "GTC", "GCP", "GTD", "GDP", "OPG", "CLO", "IOC", "FOK", "1", "3", "5"}

# Starting book: (account, symbol, quantity, average price as a fraction of the previous close)
_START_POSITIONS = (
    (MARGIN_ACCOUNT, "AAPL", 100, 0.93), (MARGIN_ACCOUNT, "MSFT", 40, 1.02),
    (MARGIN_ACCOUNT, "NVDA", 150, 0.81), (MARGIN_ACCOUNT, "SPY", 25, 0.97),
    (MARGIN_ACCOUNT, "TSLA", -30, 1.06), (CASH_ACCOUNT, "QQQ", 20, 0.95),
    (CASH_ACCOUNT, "AMZN", 35, 0.99), (CASH_ACCOUNT, "IWM", 40, 1.03),
)
_START_CASH = {MARGIN_ACCOUNT: 8_500_000, CASH_ACCOUNT: 1_800_000}  # cents


class OrderError(Exception):
    """A request the book refuses outright; status and TradeStation error name for the answer."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


class LogEntry(NamedTuple):
    seq: int
    account_id: str
    kind: str  # "order" | "position"
    line: bytes  # the whole object
    changes: bytes | None  # positions: only changed fields + PositionID


@dataclass(slots=True)
class Position:
    position_id: str
    account_id: str
    symbol: str
    quantity: int  # signed: negative is short
    average: float  # cents
    mark: float  # cents: previous close for overnight shares, fill price for today's
    opened: str  # RFC 3339


@dataclass(slots=True)
class Order:
    order_id: str
    account_id: str
    symbol: str
    action: str  # BUY, SELL, SELLSHORT, BUYTOCOVER
    quantity: int
    order_type: str  # Market | Limit
    duration: str
    limit: int | None  # cents
    opened: str
    open_or_close: str
    status: str = "ACK"
    filled: int = 0
    filled_value: int = 0  # cents * shares
    closed: str | None = None
    reject_reason: str | None = None
    price_for_bp: int = 0
    source: str = "user"

    @property
    def side(self) -> int:
        return 1 if self.action in ("BUY", "BUYTOCOVER") else -1

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(slots=True)
class Account:
    account_id: str
    account_type: str  # Margin | Cash
    cash: int  # cents
    realized: int = 0  # cents, today
    positions: dict[str, Position] = field(default_factory=dict)


class Book:
    """Accounts and their orders and positions, priced from the market at the current step."""

    def __init__(self, market: Market, clock: SimClock, seed: int, on_change) -> None:
        self.market = market
        self.clock = clock
        self._on_change = on_change  # wakes waiting streams after a change outside a step
        self._fill_rng = rng_for(seed, "fills")
        self.accounts = {
            MARGIN_ACCOUNT: Account(MARGIN_ACCOUNT, "Margin", _START_CASH[MARGIN_ACCOUNT]),
            CASH_ACCOUNT: Account(CASH_ACCOUNT, "Cash", _START_CASH[CASH_ACCOUNT]),
        }
        self.orders: dict[str, Order] = {}
        self._next_order = 1_000_001
        self._next_position = 71_000_001
        self.seq = 0
        self._log: deque[LogEntry] = deque(maxlen=LOG_ENTRIES)
        self._sent_positions: dict[str, dict] = {}
        self._seed_positions()

    # -- setup ----------------------------------------------------------------------------------

    def _seed_positions(self) -> None:
        opened = iso(self.clock.start_epoch - 6 * 86_400)
        for account_id, symbol, qty, ratio in _START_POSITIONS:
            state = self.market.states[symbol]
            average = round(state.prev_close * ratio)
            pos = Position(self._new_position_id(), account_id, symbol, qty, float(average),
                           float(state.prev_close), opened)
            self.accounts[account_id].positions[symbol] = pos
        self.publish_positions()

    def _new_position_id(self) -> str:
        pid = str(self._next_position)
        self._next_position += 1
        return pid

    # -- log --------------------------------------------------------------------------------------

    def _append(self, account_id: str, kind: str, line: bytes,
                changes: bytes | None = None) -> None:
        self.seq += 1
        self._log.append(LogEntry(self.seq, account_id, kind, line, changes))

    def since(self, seq: int) -> list[LogEntry] | None:
        """Entries after `seq`, or None if some have aged out (the caller starts a new snapshot)."""
        if seq >= self.seq:
            return []
        if not self._log or seq < self._log[0].seq - 1:
            return None
        start = seq - self._log[0].seq + 1
        return [self._log[i] for i in range(start, len(self._log))]

    # -- payloads -------------------------------------------------------------------------------

    def order_payload(self, order: Order) -> dict:
        leg: dict = {
            "AssetType": "STOCK",
            "BuyOrSell": TRADE_ACTIONS[order.action],
            "ExecQuantity": str(order.filled),
            "OpenOrClose": order.open_or_close,
            "QuantityOrdered": str(order.quantity),
            "QuantityRemaining": str(order.remaining if order.is_open else 0),
            "Symbol": order.symbol,
        }
        payload: dict = {
            "AccountID": order.account_id,
            "CommissionFee": "0",
            "Currency": "USD",
            "Duration": order.duration,
            "Legs": [leg],
            "OpenedDateTime": order.opened,
            "OrderID": order.order_id,
            "OrderType": order.order_type,
            "PriceUsedForBuyingPower": money(order.price_for_bp),
            "Routing": "Intelligent",
            "Status": order.status,
            "StatusDescription": STATUS_TEXT[order.status],
            "UnbundledRouteFee": "0",
        }
        if order.filled:
            avg = money(round(order.filled_value / order.filled))
            payload["FilledPrice"] = avg
            leg["ExecutionPrice"] = avg
        if order.limit is not None:
            payload["LimitPrice"] = money(order.limit)
        if order.closed is not None:
            payload["ClosedDateTime"] = order.closed
        if order.reject_reason:
            payload["RejectReason"] = order.reject_reason
        return payload

    def position_payload(self, pos: Position) -> dict:
        state = self.market.states[pos.symbol]
        qty = pos.quantity
        last = state.last
        cost = pos.average * qty
        unrealized = (last - pos.average) * qty
        return {
            "AccountID": pos.account_id,
            "AssetType": "STOCK",
            "AveragePrice": money(round(pos.average)),
            "Ask": money(state.ask),
            "Bid": money(state.bid),
            "ConversionRate": "1",
            "DayTradeRequirement": "0",
            "InitialRequirement": "0",
            "Last": money(last),
            "LongShort": "Long" if qty > 0 else "Short",
            "MaintenanceMargin": money(round(abs(last * qty) * (0.25 if qty > 0 else 0.30))),
            "MarketValue": money(last * qty),
            "MarkToMarketPrice": money(round(pos.mark)),
            "PositionID": pos.position_id,
            "Quantity": str(qty),
            "Symbol": pos.symbol,
            "Timestamp": pos.opened,
            "TodaysProfitLoss": money(round((last - pos.mark) * qty)),
            "TotalCost": money(round(cost)),
            "UnrealizedProfitLoss": money(round(unrealized)),
            "UnrealizedProfitLossPercent": f"{unrealized / abs(cost) * 100:.4f}" if cost else "0",
            "UnrealizedProfitLossQty": money(round(last - pos.average) * (1 if qty > 0 else -1)),
        }

    def _figures(self, account: Account) -> dict[str, float]:
        long_mv = short_mv = unrealized = todays = cost = 0.0
        for pos in account.positions.values():
            last = self.market.states[pos.symbol].last
            value = last * pos.quantity
            if pos.quantity > 0:
                long_mv += value
            else:
                short_mv -= value
            unrealized += (last - pos.average) * pos.quantity
            todays += (last - pos.mark) * pos.quantity
            cost += abs(pos.average * pos.quantity)
        reserved = sum(o.remaining * (o.limit or o.price_for_bp) for o in self.orders.values()
                       if o.is_open and o.side > 0 and o.account_id == account.account_id)
        market_value = long_mv - short_mv
        equity = account.cash + market_value
        maintenance = 0.25 * long_mv + 0.30 * short_mv
        if account.account_type == "Margin":
            buying_power = max(0.0, 2 * (equity - maintenance) - reserved)
        else:
            buying_power = max(0.0, account.cash - reserved)
        return {"market_value": market_value, "equity": equity, "maintenance": maintenance,
                "buying_power": buying_power, "unrealized": unrealized, "todays": todays,
                "cost": cost, "reserved": reserved}

    def buying_power(self, account_id: str) -> float:
        return self._figures(self.accounts[account_id])["buying_power"]

    def balance_payload(self, account_id: str) -> dict:
        account = self.accounts[account_id]
        f = self._figures(account)
        bp = money(round(f["buying_power"]))
        return {
            "AccountID": account.account_id,
            "AccountType": account.account_type,
            "BalanceDetail": {
                "CostOfPositions": money(round(f["cost"])),
                "DayTradeExcess": bp,
                "DayTrades": "0",
                "MaintenanceRate": money(round(f["maintenance"])),
                "OpenOrderMargin": money(round(f["reserved"])),
                "OptionBuyingPower": money(max(0, account.cash)),
                "OptionsMarketValue": "0",
                "OvernightBuyingPower": bp,
                "RealizedProfitLoss": money(account.realized),
                "RequiredMargin": money(round(f["maintenance"])),
                "UnrealizedProfitLoss": money(round(f["unrealized"])),
                "UnsettledFunds": "0",
            },
            "BuyingPower": bp,
            "CashBalance": money(account.cash),
            "Commission": "0",
            "Equity": money(round(f["equity"])),
            "MarketValue": money(round(f["market_value"])),
            "TodaysProfitLoss": money(round(f["todays"])),
            "UnclearedDeposit": "0",
        }

    def account_payload(self, account_id: str) -> dict:
        margin = self.accounts[account_id].account_type == "Margin"
        return {
            "AccountID": account_id,
            "AccountType": self.accounts[account_id].account_type,
            "Alias": "Demo margin" if margin else "Demo cash",
            "Currency": "USD",
            "Status": "Active",
            "AccountDetail": {
                "IsStockLocateEligible": False,
                "EnrolledInRegTProgram": margin,
                "RequiresBuyingPowerWarning": margin,
                "DayTradingQualified": margin,
                "OptionApprovalLevel": 2 if margin else 1,
                "PatternDayTrader": False,
            },
        }

    def positions_of(self, account_ids) -> list[Position]:
        return [p for a in account_ids for p in self.accounts[a].positions.values()]

    def position_snapshot(self, account_ids) -> list[dict]:
        """The positions as last logged, so a snapshot and the changes after it agree."""
        wanted = set(account_ids)
        return [p for p in self._sent_positions.values() if p["AccountID"] in wanted]

    def orders_of(self, account_ids) -> list[Order]:
        wanted = set(account_ids)
        return [o for o in self.orders.values() if o.account_id in wanted]

    # -- orders ---------------------------------------------------------------------------------

    def place(self, account_id: str, symbol: str, action: str, quantity: int, order_type: str,
              duration: str, limit: int | None, source: str = "user") -> Order:
        """Accept an order (validated by the caller); business rules may still reject it."""
        if account_id not in self.accounts:
            raise OrderError(400, "BadRequest", f"Invalid AccountID '{account_id}'.")
        if symbol not in self.market:
            raise OrderError(400, "BadRequest", f"Invalid Symbol '{symbol}'.")
        account = self.accounts[account_id]
        state = self.market.states[symbol]
        pos = account.positions.get(symbol)
        held = pos.quantity if pos else 0
        side = 1 if action in ("BUY", "BUYTOCOVER") else -1
        closing = (side > 0 and held < 0) or (side < 0 and held > 0)
        order = Order(
            order_id=str(self._next_order), account_id=account_id, symbol=symbol, action=action,
            quantity=quantity, order_type=order_type, duration=duration, limit=limit,
            opened=self.clock.stamp, open_or_close="Close" if closing else "Open", source=source,
            price_for_bp=limit if limit is not None else (state.ask if side > 0 else state.bid),
        )
        self._next_order += 1
        self.orders[order.order_id] = order
        self._prune_orders()
        reason = self._reject_reason(account, order, held)
        if reason:
            self._set_status(order, "REJ", reason=reason)
        else:
            self._set_status(order, "OPN")
            self._try_fill(order)
        self.publish_positions()
        return order

    def _prune_orders(self) -> None:
        closed = [oid for oid, o in self.orders.items() if not o.is_open]
        for oid in closed[:max(0, len(closed) - KEEP_CLOSED_ORDERS)]:
            del self.orders[oid]

    def _reject_reason(self, account: Account, order: Order, held: int) -> str | None:
        if order.action == "SELLSHORT" and account.account_type == "Cash":
            return "Short selling is not allowed in a cash account."
        if order.action == "SELLSHORT" and held > 0:
            return "Cannot sell short while holding a long position; sell it first."
        if order.action == "SELL" and order.quantity > max(0, held):
            return (f"Sell quantity {order.quantity} exceeds the {max(0, held)} shares held; "
                    "use SELLSHORT to open a short position.")
        if order.action == "BUYTOCOVER" and order.quantity > max(0, -held):
            return f"Buy to cover quantity {order.quantity} exceeds the short position."
        if order.action == "BUY" and held < 0 and order.quantity > -held:
            return "Buy quantity exceeds the short position; use BUYTOCOVER, then BUY."
        if order.side > 0 or order.action == "SELLSHORT":
            needed = order.quantity * order.price_for_bp
            if order.open_or_close == "Open" and needed > self.buying_power(account.account_id):
                return "Order failed. Reason: Insufficient buying power."
        return None

    def cancel(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise OrderError(404, "NotFound", f"Order '{order_id}' was not found.")
        if not order.is_open:
            raise OrderError(400, "BadRequest",
                             f"Order '{order_id}' is {STATUS_TEXT[order.status]} and cannot be "
                             "canceled.")
        self._set_status(order, "CAN")
        return order

    def _set_status(self, order: Order, status: str, reason: str | None = None) -> None:
        order.status = status
        if reason:
            order.reject_reason = reason
        if status not in OPEN_STATUSES:
            order.closed = self.clock.stamp
        self._append(order.account_id, "order", encode(self.order_payload(order)))
        self._on_change()

    def _try_fill(self, order: Order) -> None:
        """Fill what the market allows now: market orders at once, limits when crossed."""
        state = self.market.states[order.symbol]
        price = state.ask if order.side > 0 else state.bid
        marketable = order.limit is None or (price <= order.limit if order.side > 0
                                             else price >= order.limit)
        if not marketable:
            if order.duration in ("IOC", "FOK"):
                self._set_status(order, "CAN")
            return
        qty = order.remaining
        if (order.limit is not None and order.duration != "FOK" and qty >= 20
                and self._fill_rng.random() < 0.3):
            qty = max(1, qty // 2)  # a partial fill; the rest waits for the next crossing
        self._fill(order, qty, price)
        if order.remaining:
            if order.duration == "IOC":
                self._set_status(order, "CAN")
            else:
                self._set_status(order, "FPR")
        else:
            self._set_status(order, "FLL")

    def _fill(self, order: Order, qty: int, price: int) -> None:
        order.filled += qty
        order.filled_value += qty * price
        account = self.accounts[order.account_id]
        signed = qty * order.side
        account.cash -= signed * price
        pos = account.positions.get(order.symbol)
        if pos is None:
            account.positions[order.symbol] = Position(
                self._new_position_id(), account.account_id, order.symbol, signed, float(price),
                float(price), self.clock.stamp)
            return
        if (pos.quantity > 0) == (signed > 0):
            total = pos.quantity + signed
            pos.average = (pos.average * pos.quantity + price * signed) / total
            pos.mark = (pos.mark * pos.quantity + price * signed) / total
            pos.quantity = total
            return
        account.realized += round((price - pos.average) * -signed)
        pos.quantity += signed
        if pos.quantity == 0:
            del account.positions[order.symbol]

    # -- time passing ---------------------------------------------------------------------------

    def on_step(self, record: StepRecord) -> None:
        """Work the open limit orders against the new quotes, then re-price positions."""
        moved = record.lines
        for order in [o for o in self.orders.values() if o.is_open and o.symbol in moved]:
            self._try_fill(order)
        self.publish_positions(moved)

    def publish_positions(self, symbols=None) -> None:
        """Log every position whose payload changed since it was last logged, and deletions."""
        current: set[str] = set()
        for account in self.accounts.values():
            for pos in account.positions.values():
                current.add(pos.position_id)
                if symbols is not None and pos.symbol not in symbols \
                        and pos.position_id in self._sent_positions:
                    continue
                payload = self.position_payload(pos)
                before = self._sent_positions.get(pos.position_id)
                if payload == before:
                    continue
                self._sent_positions[pos.position_id] = payload
                if before is None:
                    changes = payload
                else:
                    changes = {"PositionID": pos.position_id}
                    changes.update((k, v) for k, v in payload.items() if before.get(k) != v)
                self._append(account.account_id, "position", encode(payload), encode(changes))
        for pid in [p for p in self._sent_positions if p not in current]:
            account_id = self._sent_positions.pop(pid)["AccountID"]
            line = encode({"PositionID": pid, "Deleted": True})
            self._append(account_id, "position", line, line)


def parse_quantity(value) -> int:
    """TradeStation sends quantities as strings; whole shares only for stocks."""
    try:
        qty = float(str(value).strip())
    except ValueError:
        raise OrderError(400, "BadRequest", f"Invalid Quantity '{value}'.") from None
    if not math.isfinite(qty) or qty <= 0 or qty != int(qty):
        raise OrderError(400, "BadRequest",
                         f"Invalid Quantity '{value}'. Expected a positive whole number.")
    return int(qty)


def parse_price(value, name: str) -> int:
    """A positive decimal price string, in cents."""
    try:
        price = float(str(value).strip())
    except ValueError:
        raise OrderError(400, "BadRequest", f"Invalid {name} '{value}'.") from None
    if not math.isfinite(price) or price <= 0:
        raise OrderError(400, "BadRequest", f"Invalid {name} '{value}'. Expected a positive price.")
    return round(price * 100)
