"""The simulated brokerage: accounts, orders, fills, positions, balances, and a log of changes.

Every change to an order or a position is appended to one log as ready-to-send lines (a position
change is stored both whole and as "changed fields + PositionID" for changes=true streams). The
orders and positions streams replay that log, so they see every status an order passed through,
in the order it happened, and two runs with one seed log the same things.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from .clock import STEP_SECONDS, SimClock, iso
from .market import Market, StepRecord, encode, money, rng_for
from .universe import SYMBOLS, AssetType, SymbolInfo

MARGIN_ACCOUNT = "SIM1234567M"
CASH_ACCOUNT = "SIM1234568C"
MAX_ACCOUNTS_PER_REQUEST = 25
LOG_ENTRIES = 5_000  # about a minute of position re-pricing; a slower reader resyncs
KEEP_CLOSED_ORDERS = 500  # like a day's order list: older finished orders drop out of snapshots
KEEP_HISTORY = 5_000  # closed orders kept for historicalorders
KEEP_FILLS = 10_000

STATUS_TEXT = {
    "ACK": "Received", "OPN": "Sent", "FPR": "Partial Fill (Alive)", "FLL": "Filled",
    "FLP": "Partial Fill (UROut)", "STP": "Stop Hit", "CAN": "Canceled", "REJ": "Rejected",
    "UCN": "Cancel Sent", "EXP": "Expired",
}
OPEN_STATUSES = {"ACK", "OPN", "FPR", "UCN", "STP"}
ORDER_TYPES = ("Market", "Limit", "StopMarket", "StopLimit")
TRADE_ACTIONS = {"BUY": "Buy", "SELL": "Sell", "SELLSHORT": "SellShort", "BUYTOCOVER": "BuyToCover",
                 "BUYTOOPEN": "Buy", "BUYTOCLOSE": "Buy", "SELLTOOPEN": "Sell",
                 "SELLTOCLOSE": "Sell"}
BUY_ACTIONS = {"BUY", "BUYTOCOVER", "BUYTOOPEN", "BUYTOCLOSE"}
# TradeAction by asset class, as the OpenAPI document's TradeAction lists them.
STOCK_ACTIONS = ("BUY", "SELL", "SELLSHORT", "BUYTOCOVER")
FUTURE_ACTIONS = ("BUY", "SELL")
OPTION_ACTIONS = ("BUYTOOPEN", "BUYTOCLOSE", "SELLTOOPEN", "SELLTOCLOSE")
# TimeInForce.Duration values of the OpenAPI document's Duration schema.
DURATIONS = {"DAY", "DYP", "GTC", "GCP", "GTD", "GDP", "OPG", "CLO", "IOC", "FOK", "1", "3", "5"}
DATED_DURATIONS = {"GTD", "GDP"}  # need TimeInForce.Expiration
SESSION_DURATIONS = {"DAY", "DYP", "1", "3", "5"}  # expire when the session closes at the latest
MINUTE_DURATIONS = {"1": 1, "3": 3, "5": 5}
MAX_DAYS = 90  # GTC, GTD and historical orders: TradeStation's 90 calendar days
# Request-level bounds on what an order may say (a 400 beyond them, before any order exists):
# beyond these a price no longer computes exactly in ticks (Decimal's 28 digits).
MAX_PRICE = Decimal("10000000")
MAX_PRICE_DECIMALS = 8  # the finest increment, @TY's half of a 32nd, has six
MAX_QUANTITY = 1_000_000_000  # far above any real order; 100,000,000 is a buying-power rejection
# A plain decimal: digits, one optional point, an optional short exponent ("1e-05" is how JSON
# numbers print); no NaN, Infinity or digit separators.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?")
ABSURD_FACTOR = 10  # a limit or stop price this many times the last price is refused
# OrderConfirmResponse.OrderAssetCategory for each asset type.
ASSET_CATEGORIES = {"STOCK": "EQUITY", "STOCKOPTION": "STOCKOPTION", "INDEXOPTION": "STOCKOPTION",
                    "FUTURE": "FUTURE"}
# Initial and maintenance margin per contract, in dollars, by futures root: plausible exchange
# levels (TradeStation holds the initial margin for an order and an overnight position).
FUTURES_MARGINS: dict[str, tuple[int, int]] = {
    "ES": (15_400, 14_000), "NQ": (22_000, 20_000), "CL": (6_600, 6_000),
    "GC": (11_000, 10_000), "6E": (2_750, 2_500), "US": (4_400, 4_000), "TY": (2_200, 2_000),
}
DAY_TRADE_MARGIN_SHARE = 0.25  # intraday margin: a quarter of the initial one


def info_of(symbol: str) -> SymbolInfo:
    return SYMBOLS[symbol]


def asset_type(symbol: str) -> str:
    """OrderLeg/Position AssetType of a symbol (STOCK, FUTURE, STOCKOPTION)."""
    info = SYMBOLS.get(symbol)
    return str(info.asset_type) if info is not None else "STOCK"


def is_future(symbol: str) -> bool:
    info = SYMBOLS.get(symbol)
    return info is not None and info.asset_type is AssetType.FUTURE


def is_option(symbol: str) -> bool:
    info = SYMBOLS.get(symbol)
    return info is not None and info.is_option


def price_increment(symbol: str) -> Decimal:
    """The smallest price step of a symbol, from its SymbolDetail (stocks: a cent)."""
    info = SYMBOLS.get(symbol)
    return Decimal(info.increment_text) if info is not None else Decimal("0.01")


def cents_per_tick(symbol: str) -> float:
    """What one tick of one share or contract is worth, in cents: the increment times the point
    value (a cent for a stock, $12.50 for @ES, $31.25 for @US, $1 for an option's 100 shares)."""
    info = SYMBOLS[symbol]
    return float(info.point_value) * 100 / info.ticks_per_point


def margin_cents(symbol: str, maintenance: bool = False) -> int:
    """A futures contract's initial (or maintenance) margin, in cents."""
    initial, maint = FUTURES_MARGINS[SYMBOLS[symbol].root]
    return (maint if maintenance else initial) * 100


def to_ticks(price: Decimal, symbol: str) -> int:
    """A decimal price as sent, in the symbol's ticks (the nearest one if off-increment)."""
    return int((price * SYMBOLS[symbol].ticks_per_point).to_integral_value())


def usd(cents: float) -> str:
    """An amount in cents (fractions allowed: a @TY tick is 1562.5 cents) as a decimal string."""
    return money(round(cents))


def is_index(symbol: str) -> bool:
    """TradeStation's index symbols ($SPX.X, $VIX.X) are quotes only, never orders."""
    return symbol.startswith("$")


def on_increment(price: Decimal, symbol: str) -> bool:
    return price % price_increment(symbol) == 0


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
    key: str = ""  # orders: the OrderID; positions: the Symbol (for by-id and symbol= filters)


@dataclass(slots=True)
class Position:
    position_id: str
    account_id: str
    symbol: str
    quantity: int  # signed: negative is short
    average: float  # ticks of the symbol (cents for a stock)
    mark: float  # ticks: previous close for overnight shares, fill price for today's
    opened: str  # RFC 3339


@dataclass(slots=True)
class Order:
    order_id: str
    account_id: str
    symbol: str
    action: str  # BUY, SELL, SELLSHORT, BUYTOCOVER
    quantity: int
    order_type: str  # Market | Limit | StopMarket | StopLimit
    duration: str
    limit: int | None  # ticks of the symbol (cents for a stock)
    opened: str
    open_or_close: str
    stop: int | None = None  # ticks
    triggered: bool = False  # a stop order whose stop was hit (STP) and now works as its type
    expiration: date | None = None  # GTD/GDP: the last day it is good for
    expires_step: int | None = None  # 1/3/5 minute durations
    group_id: str | None = None
    group_type: str | None = None  # OCO | BRK | NORMAL
    siblings: list[str] = field(default_factory=list)
    closed_epoch: float | None = None
    submitted: bool = False  # a group's orders are registered first, submitted one by one
    opened_epoch: float = 0.0
    trail_amount: int | None = None  # trailing stop: ticks behind the last price...
    trail_percent: Decimal | None = None  # ...or percent of it; the stop follows the market
    status: str = "ACK"
    filled: int = 0
    filled_value: int = 0  # ticks * shares
    closed: str | None = None
    reject_reason: str | None = None
    price_for_bp: int = 0
    source: str = "user"

    @property
    def side(self) -> int:
        return 1 if self.action in BUY_ACTIONS else -1

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution: what the ledger is made of (quantity signed: negative sells)."""

    order_id: str
    account_id: str
    symbol: str
    quantity: int
    price: int  # ticks of the symbol
    time: str


@dataclass(slots=True)
class Account:
    account_id: str
    account_type: str  # Margin | Cash
    cash: float  # cents (a fraction when a tick is worth one: penny stocks, @TY)
    realized: float = 0  # cents, today
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
        self.fills: deque[Fill] = deque(maxlen=KEEP_FILLS)
        self.closed_log: deque[Order] = deque(maxlen=KEEP_HISTORY)  # historical orders
        self._seed_positions()
        self._bod = {a: self._bod_figures(self.accounts[a]) for a in self.accounts}

    # -- setup ----------------------------------------------------------------------------------

    def _seed_positions(self) -> None:
        opened = iso(self.clock.start_epoch - 6 * 86_400)
        for account_id, symbol, qty, ratio in _START_POSITIONS:
            state = self.market.states[symbol]
            average = round(state.prev_close * ratio)
            pos = Position(self._new_position_id(), account_id, symbol, qty, float(average),
                           float(state.prev_close), opened)
            self.accounts[account_id].positions[symbol] = pos
            self._seed_history(pos, state.prev_close)
        self.publish_positions()

    def _seed_history(self, pos: Position, prev_close: int) -> None:
        """The filled order that opened a starting position, six days ago (historicalorders)."""
        epoch = self.clock.start_epoch - 6 * 86_400
        order = Order(order_id=str(900_001 + len(self.closed_log)), account_id=pos.account_id,
                      symbol=pos.symbol, action="BUY" if pos.quantity > 0 else "SELLSHORT",
                      quantity=abs(pos.quantity), order_type="Market", duration="DAY",
                      limit=None, opened=pos.opened, open_or_close="Open", status="FLL",
                      filled=abs(pos.quantity), filled_value=round(pos.average) * abs(pos.quantity),
                      closed=iso(epoch), price_for_bp=prev_close, closed_epoch=epoch)
        self.closed_log.append(order)

    def _new_position_id(self) -> str:
        pid = str(self._next_position)
        self._next_position += 1
        return pid

    # -- log --------------------------------------------------------------------------------------

    def _append(self, account_id: str, kind: str, line: bytes,
                changes: bytes | None = None, key: str = "") -> None:
        self.seq += 1
        self._log.append(LogEntry(self.seq, account_id, kind, line, changes, key))

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
        text = self.market.price_text
        leg: dict = {
            "AssetType": asset_type(order.symbol),
            "BuyOrSell": TRADE_ACTIONS[order.action],
            "ExecQuantity": str(order.filled),
            "OpenOrClose": order.open_or_close,
            "QuantityOrdered": str(order.quantity),
            "QuantityRemaining": str(order.remaining if order.is_open else 0),
            "Symbol": order.symbol,
        }
        if is_option(order.symbol):
            detail = info_of(order.symbol).detail()
            leg.update(OptionType=detail["OptionType"], StrikePrice=detail["StrikePrice"],
                       Underlying=detail["Underlying"])
        payload: dict = {
            "AccountID": order.account_id,
            "CommissionFee": "0",
            "Currency": "USD",
            "Duration": order.duration,
            "Legs": [leg],
            "OpenedDateTime": order.opened,
            "OrderID": order.order_id,
            "OrderType": order.order_type,
            "PriceUsedForBuyingPower": text(order.symbol, order.price_for_bp),
            "Routing": "Intelligent",
            "Status": order.status,
            "StatusDescription": STATUS_TEXT[order.status],
            "UnbundledRouteFee": "0",
        }
        if order.filled:
            avg = text(order.symbol, round(order.filled_value / order.filled))
            payload["FilledPrice"] = avg
            leg["ExecutionPrice"] = avg
        if order.limit is not None:
            payload["LimitPrice"] = text(order.symbol, order.limit)
        if order.stop is not None:
            payload["StopPrice"] = text(order.symbol, order.stop)
        if order.trail_amount is not None:
            amount = text(order.symbol, order.trail_amount)
            payload["TrailingStop"] = {"Amount": amount}
            payload["AdvancedOptions"] = f"TRL={amount};"
        elif order.trail_percent is not None:
            payload["TrailingStop"] = {"Percent": str(order.trail_percent)}
            payload["AdvancedOptions"] = f"TRL={order.trail_percent}%;"
        if order.expiration is not None:
            payload["GoodTillDate"] = f"{order.expiration.isoformat()}T00:00:00Z"
        if order.group_id is not None and order.group_type != "NORMAL":
            payload["GroupName"] = f"{order.group_type} {order.group_id}"
            payload["ConditionalOrders"] = [{"Relationship": order.group_type, "OrderID": oid}
                                            for oid in order.siblings]
        if order.closed is not None:
            payload["ClosedDateTime"] = order.closed
        if order.reject_reason:
            payload["RejectReason"] = order.reject_reason
        return payload

    def position_payload(self, pos: Position) -> dict:
        """Prices in the symbol's own increments; money by its point value (x100 for options)."""
        state = self.market.states[pos.symbol]
        text = self.market.price_text
        sym = pos.symbol
        qty = pos.quantity
        last = state.last
        per_tick = cents_per_tick(sym)
        cost = pos.average * qty * per_tick
        unrealized = (last - pos.average) * qty * per_tick
        if is_future(sym):
            initial = margin_cents(sym) * abs(qty)
            maintenance = margin_cents(sym, maintenance=True) * abs(qty)
            day_trade = round(initial * DAY_TRADE_MARGIN_SHARE)
        else:
            initial = day_trade = 0
            maintenance = round(abs(last * qty * per_tick) * self._maintenance_rate(sym, qty))
        payload = {
            "AccountID": pos.account_id,
            "AssetType": asset_type(sym),
            "AveragePrice": text(sym, round(pos.average)),
            "Ask": text(sym, state.ask),
            "Bid": text(sym, state.bid),
            "ConversionRate": "1",
            "DayTradeRequirement": usd(day_trade),
            "InitialRequirement": usd(initial),
            "Last": text(sym, last),
            "LongShort": "Long" if qty > 0 else "Short",
            "MaintenanceMargin": usd(maintenance),
            "MarketValue": usd(last * qty * per_tick),
            "MarkToMarketPrice": text(sym, round(pos.mark)),
            "PositionID": pos.position_id,
            "Quantity": str(qty),
            "Symbol": sym,
            "Timestamp": pos.opened,
            "TodaysProfitLoss": usd((last - pos.mark) * qty * per_tick),
            "TotalCost": usd(cost),
            "UnrealizedProfitLoss": usd(unrealized),
            "UnrealizedProfitLossPercent": f"{unrealized / abs(cost) * 100:.4f}" if cost else "0",
            "UnrealizedProfitLossQty": usd(round(last - pos.average) * per_tick
                                           * (1 if qty > 0 else -1)),
        }
        expiration = info_of(sym).expiration
        if expiration:
            payload["ExpirationDate"] = f"{expiration}T00:00:00Z"
        return payload

    @staticmethod
    def _maintenance_rate(symbol: str, quantity: int) -> float:
        """Share of a stock or option position's value held as maintenance: 25% long, 30% short;
        a long option is not marginable (all of it)."""
        if quantity > 0:
            return 1.0 if is_option(symbol) else 0.25
        return 0.30

    def unit_cost(self, order: Order) -> float:
        """Buying power one share or contract of an order takes, in cents: its price times its
        point value; a futures contract takes its initial margin (twice it in the margin
        account's two-to-one buying power, so the margin comes out of excess equity once)."""
        if is_future(order.symbol):
            return 2 * margin_cents(order.symbol)
        return order.price_for_bp * cents_per_tick(order.symbol) if order.limit is None \
            else order.limit * cents_per_tick(order.symbol)

    def _reserves(self, order: Order) -> bool:
        """An open order holds buying power: buys, and futures orders that open a position."""
        return order.side > 0 or (is_future(order.symbol) and order.open_or_close == "Open")

    def _figures(self, account: Account) -> dict[str, float]:
        """Stocks and options count at market value; futures were not paid for, so equity counts
        only their open profit or loss, and their initial margin is held against it."""
        long_mv = short_mv = unrealized = todays = cost = 0.0
        long_options = margins = futures_pl = options_mv = 0.0
        for pos in account.positions.values():
            last = self.market.states[pos.symbol].last
            per_tick = cents_per_tick(pos.symbol)
            open_pl = (last - pos.average) * pos.quantity * per_tick
            unrealized += open_pl
            todays += (last - pos.mark) * pos.quantity * per_tick
            cost += abs(pos.average * pos.quantity * per_tick)
            if is_future(pos.symbol):
                futures_pl += open_pl
                margins += margin_cents(pos.symbol) * abs(pos.quantity)
                continue
            value = last * pos.quantity * per_tick
            if is_option(pos.symbol):
                options_mv += value
            if pos.quantity > 0 and is_option(pos.symbol):
                long_options += value  # paid in full: not marginable
            elif pos.quantity > 0:
                long_mv += value
            else:
                short_mv -= value
        reserved = sum(o.remaining * self.unit_cost(o) for o in self.orders.values()
                       if o.is_open and o.submitted and self._reserves(o)
                       and o.account_id == account.account_id)
        market_value = long_mv + long_options - short_mv
        equity = account.cash + market_value + futures_pl
        maintenance = 0.25 * long_mv + 0.30 * short_mv + long_options + margins
        if account.account_type == "Margin":
            buying_power = max(0.0, 2 * (equity - maintenance) - reserved)
        else:
            buying_power = max(0.0, account.cash - reserved)
        return {"market_value": market_value, "equity": equity, "maintenance": maintenance,
                "buying_power": buying_power, "unrealized": unrealized, "todays": todays,
                "cost": cost, "reserved": reserved, "options": options_mv}

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
                "OptionBuyingPower": usd(max(0, account.cash)),
                "OptionsMarketValue": usd(f["options"]),
                "OvernightBuyingPower": bp,
                "RealizedProfitLoss": usd(account.realized),
                "RequiredMargin": money(round(f["maintenance"])),
                "UnrealizedProfitLoss": money(round(f["unrealized"])),
                "UnsettledFunds": "0",
            },
            "BuyingPower": bp,
            "CashBalance": usd(account.cash),
            "Commission": "0",
            "Equity": money(round(f["equity"])),
            "MarketValue": money(round(f["market_value"])),
            "TodaysProfitLoss": money(round(f["todays"])),
            "UnclearedDeposit": "0",
        }

    def _bod_figures(self, account: Account) -> dict[str, int]:
        """The account as the day began: positions at the previous close, no orders."""
        long_mv: float
        short_mv: float
        long_mv = short_mv = 0
        for pos in account.positions.values():
            if is_future(pos.symbol):
                continue  # its contracts were not paid for: only open P&L counts
            value = self.market.states[pos.symbol].prev_close * pos.quantity \
                * cents_per_tick(pos.symbol)
            if value > 0:
                long_mv += value
            else:
                short_mv -= value
        equity = account.cash + long_mv - short_mv
        maintenance = round(0.25 * long_mv + 0.30 * short_mv)
        margin = account.account_type == "Margin"
        return {"cash": round(account.cash), "equity": round(equity),
                "overnight": round(max(0, 2 * (equity - maintenance))) if margin
                else round(account.cash),
                "daytrading": round(max(0, 4 * (equity - maintenance))) if margin
                else round(account.cash)}

    def bod_balance_payload(self, account_id: str) -> dict:
        """BODBalance: beginning-of-day figures, fixed for the simulated day."""
        bod = self._bod[account_id]
        return {
            "AccountID": account_id,
            "AccountType": self.accounts[account_id].account_type,
            "BalanceDetail": {
                "AccountBalance": money(bod["cash"]),
                "CashAvailableToWithdraw": money(max(0, bod["cash"])),
                "DayTrades": "0",
                "DayTradingMarginableBuyingPower": money(bod["daytrading"]),
                "Equity": money(bod["equity"]),
                "NetCash": money(bod["cash"]),
                "OptionBuyingPower": money(max(0, bod["cash"])),
                "OptionValue": "0",
                "OvernightBuyingPower": money(bod["overnight"]),
            },
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

    def orders_latest_first(self, account_ids) -> list[Order]:
        """As TradeStation lists them over REST: by time placed (open orders) or executed
        (closed ones), latest first."""
        def when(order: Order) -> tuple[float, int]:
            at = order.opened_epoch if order.is_open else order.closed_epoch or 0.0
            return at, int(order.order_id)
        return sorted(self.orders_of(account_ids), key=when, reverse=True)

    # -- orders ---------------------------------------------------------------------------------

    def place(self, account_id: str, symbol: str, action: str, quantity: int, order_type: str,
              duration: str, limit: int | None, source: str = "user", *, stop: int | None = None,
              expiration: date | None = None, price_problem: str | None = None) -> Order:
        """Accept an order (validated by the caller); business rules may still reject it.

        The order is logged as received (ACK), then rejected (REJ) or sent (OPN), then worked.
        `price_problem`: the caller found a price off the symbol's increment (a rejection too).
        """
        order = self.new_order(account_id, symbol, action, quantity, order_type, duration, limit,
                               source, stop=stop, expiration=expiration)
        self.submit(order, price_problem)
        self.publish_positions()
        return order

    def check_symbol(self, account_id: str, symbol: str) -> None:
        """The request-level checks (400): a known account and a tradable, known symbol."""
        if account_id not in self.accounts:
            raise OrderError(400, "BadRequest", f"Invalid AccountID '{account_id}'.")
        if is_index(symbol):
            raise OrderError(400, "BadRequest",
                             f"Order failed. Reason: {symbol} is an index; indices are quoted "
                             "but not tradable. Trade a future or an option on it instead.")
        if symbol not in self.market:
            raise OrderError(400, "BadRequest", f"Invalid Symbol '{symbol}'.")
        if not self.market.is_tradable(symbol):
            raise OrderError(400, "BadRequest",
                             f"Order failed. Reason: {symbol} is not tradable in this simulator: "
                             f"{asset_type(symbol).lower()} pairs are quoted only. Trade a stock, "
                             "a future or an option instead.")

    @staticmethod
    def check_action(symbol: str, action: str) -> None:
        """Each asset class has its own TradeActions (the OpenAPI document's TradeAction)."""
        allowed: tuple[str, ...]
        if is_future(symbol):
            allowed, what = FUTURE_ACTIONS, "futures"
        elif is_option(symbol):
            allowed, what = OPTION_ACTIONS, "options"
        else:
            allowed, what = STOCK_ACTIONS, "stocks"
        if action not in allowed:
            raise OrderError(400, "BadRequest",
                             f"Invalid TradeAction '{action}' for {symbol}: {what} take "
                             f"{', '.join(allowed)}.")

    def draft_order(self, account_id: str, symbol: str, action: str, quantity: int,
                    order_type: str, duration: str, limit: int | None, source: str = "user", *,
                    stop: int | None = None, expiration: date | None = None,
                    trail_amount: int | None = None,
                    trail_percent: Decimal | None = None) -> Order:
        """An order as it would be placed, not registered (confirm uses it as is). A trailing
        stop's StopPrice is ignored: its stop starts the trail away from the last price."""
        self.check_symbol(account_id, symbol)
        account = self.accounts[account_id]
        state = self.market.states[symbol]
        pos = account.positions.get(symbol)
        held = pos.quantity if pos else 0
        side = 1 if action in BUY_ACTIONS else -1
        if trail_amount is not None or trail_percent is not None:
            stop = state.last + side * _trail(state.last, trail_amount, trail_percent)
        if action in OPTION_ACTIONS:
            closing = action.endswith("CLOSE")
        else:
            closing = (side > 0 and held < 0) or (side < 0 and held > 0)
        if limit is not None:
            for_bp = limit
        elif stop is not None:
            for_bp = stop
        else:
            for_bp = state.ask if side > 0 else state.bid
        order = Order(
            order_id=str(self._next_order), account_id=account_id, symbol=symbol, action=action,
            quantity=quantity, order_type=order_type, duration=duration, limit=limit,
            opened=self.clock.stamp, open_or_close="Close" if closing else "Open", source=source,
            price_for_bp=for_bp, stop=stop, expiration=expiration, trail_amount=trail_amount,
            trail_percent=trail_percent, opened_epoch=self.clock.now_epoch(),
        )
        if duration in MINUTE_DURATIONS:
            order.expires_step = self.clock.step + round(MINUTE_DURATIONS[duration] * 60
                                                         / STEP_SECONDS)
        return order

    def new_order(self, *args, **kwargs) -> Order:
        """Make and register an order without logging it (groups link theirs first)."""
        order = self.draft_order(*args, **kwargs)
        self._next_order += 1
        self.orders[order.order_id] = order
        self._prune_orders()
        return order

    def rejection(self, order: Order) -> str | None:
        """Why this (draft) order would be rejected now, or None."""
        pos = self.accounts[order.account_id].positions.get(order.symbol)
        return self._reject_reason(self.accounts[order.account_id], order,
                                   pos.quantity if pos else 0)

    def submit(self, order: Order, price_problem: str | None = None, work: bool = True) -> None:
        """ACK, then REJ with TradeStation's reason or OPN and (`work`) the first attempt to
        fill; a group sends all its orders before working any, so a fill cancels sent siblings."""
        order.submitted = True
        self._set_status(order, "ACK")
        reason = price_problem or self.rejection(order)
        if reason:
            self._set_status(order, "REJ", reason=reason)
            return
        self._set_status(order, "OPN")
        if work:
            self._work(order)

    def work(self, order: Order) -> None:
        self._work(order)

    def _prune_orders(self) -> None:
        closed = [oid for oid, o in self.orders.items() if not o.is_open]
        for oid in closed[:max(0, len(closed) - KEEP_CLOSED_ORDERS)]:
            del self.orders[oid]

    def _price_reason(self, order: Order) -> str | None:
        text = self.market.price_text
        last = self.market.states[order.symbol].last
        for name, code, price in (("LMT", "Limit", order.limit), ("STP", "Stop", order.stop)):
            if price is not None and price > ABSURD_FACTOR * max(last, 1):
                return f"Order failed. Reason: Type = {name} has invalid Price greater than " \
                       "absolute maximum"
        if order.stop is not None and order.stop <= 0:  # only a trail longer than the price
            return (f"Order failed. Reason: The trailing stop would start at "
                    f"{text(order.symbol, order.stop)}, at or below zero: trail by less than the "
                    f"last price {text(order.symbol, last)}.")
        if order.stop is not None:
            if order.side > 0 and order.stop <= last:
                return (f"Order failed. Reason: Buy stop price {text(order.symbol, order.stop)} "
                        f"must be above the last price {text(order.symbol, last)}.")
            if order.side < 0 and order.stop >= last:
                return (f"Order failed. Reason: Sell stop price {text(order.symbol, order.stop)} "
                        f"must be below the last price {text(order.symbol, last)}.")
        return None

    def _reject_reason(self, account: Account, order: Order, held: int) -> str | None:
        price = self._price_reason(order)
        if price:
            return price
        if is_future(order.symbol):
            problem = self._future_reason(account, order, held)
        elif is_option(order.symbol):
            problem = self._option_reason(account, order, held)
        else:
            problem = self._stock_reason(account, order, held)
        if problem:
            return problem
        if order.open_or_close == "Open":
            needed = order.quantity * self.unit_cost(order)
            if needed > self.buying_power(account.account_id):
                return "Order failed. Reason: Insufficient buying power."
        return None

    @staticmethod
    def _future_reason(account: Account, order: Order, held: int) -> str | None:
        """BUY and SELL open or close; an order may close a position but not turn it around."""
        if account.account_type == "Cash":
            return ("Futures cannot be traded in a cash account; use the margin account "
                    f"{MARGIN_ACCOUNT}, which the simulator lets trade futures.")
        if order.side < 0 < held and order.quantity > held:
            return (f"Sell quantity {order.quantity} exceeds the {held} contracts held; sell "
                    f"{held} to close the position, then sell again to go short.")
        if order.side > 0 > held and order.quantity > -held:
            return (f"Buy quantity {order.quantity} exceeds the {-held} contracts short; buy "
                    f"{-held} to close the position, then buy again to go long.")
        return None

    @staticmethod
    def _option_reason(account: Account, order: Order, held: int) -> str | None:
        if order.action == "SELLTOOPEN" and account.account_type == "Cash":
            return "Selling options to open is not allowed in a cash account."
        if order.action == "SELLTOOPEN" and held > 0:
            return "Cannot sell to open while holding a long position; use SELLTOCLOSE first."
        if order.action == "BUYTOOPEN" and held < 0:
            return "Cannot buy to open while holding a short position; use BUYTOCLOSE first."
        if order.action == "SELLTOCLOSE" and order.quantity > max(0, held):
            return (f"Sell to close quantity {order.quantity} exceeds the {max(0, held)} "
                    "contracts held.")
        if order.action == "BUYTOCLOSE" and order.quantity > max(0, -held):
            return (f"Buy to close quantity {order.quantity} exceeds the {max(0, -held)} "
                    "contracts short.")
        return None

    @staticmethod
    def _stock_reason(account: Account, order: Order, held: int) -> str | None:
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
        return None

    def get_open(self, order_id: str, verb: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise OrderError(404, "NotFound", f"Order '{order_id}' was not found.")
        if not order.is_open:
            raise OrderError(400, "BadRequest",
                             f"Order '{order_id}' is {STATUS_TEXT[order.status]} and cannot be "
                             f"{verb}.")
        return order

    def cancel(self, order_id: str) -> Order:
        order = self.get_open(order_id, "canceled")
        self._set_status(order, "CAN")
        return order

    def replace(self, order_id: str, quantity: int | None = None, limit: int | None = None,
                stop: int | None = None, to_market: bool = False) -> Order:
        """Cancel/replace in place: new quantity or prices, or a change to a Market order."""
        order = self.get_open(order_id, "replaced")
        if quantity is not None and quantity <= order.filled:
            raise OrderError(400, "BadRequest",
                             f"Quantity {quantity} must be more than the {order.filled} already "
                             "filled.")
        if limit is not None and order.limit is None and not to_market:
            raise OrderError(400, "BadRequest",
                             f"LimitPrice applies to Limit and StopLimit orders, not to this "
                             f"{order.order_type} order.")
        if stop is not None and order.stop is None and not to_market:
            raise OrderError(400, "BadRequest",
                             f"StopPrice applies to StopMarket and StopLimit orders, not to this "
                             f"{order.order_type} order.")
        before = (order.quantity, order.limit, order.stop, order.order_type)
        if quantity is not None:
            order.quantity = quantity
        if to_market:
            order.order_type, order.limit, order.stop = "Market", None, None
        else:
            order.limit = limit if limit is not None else order.limit
            order.stop = stop if stop is not None else order.stop
        problem = None if order.triggered else self._price_reason(order)
        if problem:
            order.quantity, order.limit, order.stop, order.order_type = before
            raise OrderError(400, "BadRequest", problem)
        state = self.market.states[order.symbol]
        order.price_for_bp = (order.limit if order.limit is not None else order.stop
                              if order.stop is not None
                              else state.ask if order.side > 0 else state.bid)
        self._set_status(order, "OPN" if order.status == "ACK" else order.status)
        self._work(order)
        self.publish_positions()
        return order

    def link_group(self, group_type: str, orders: list[Order]) -> None:
        """OCO/BRK/NORMAL: one group name, and each order knows its siblings."""
        group_id = orders[0].order_id
        for order in orders:
            order.group_id = group_id
            order.group_type = group_type
            order.siblings = [o.order_id for o in orders if o is not order]

    def _set_status(self, order: Order, status: str, reason: str | None = None) -> None:
        order.status = status
        if reason:
            order.reject_reason = reason
        if status not in OPEN_STATUSES:
            order.closed = self.clock.stamp
            order.closed_epoch = self.clock.now_epoch()
            self.closed_log.append(order)
        self._append(order.account_id, "order", encode(self.order_payload(order)),
                     key=order.order_id)
        self._on_change()

    def _work(self, order: Order, session: bool = False) -> None:
        """Fill what the market allows now: stops once hit, market orders at once, limits when
        crossed. OPG/CLO orders wait for the session event (`session`), then fill or expire."""
        if not order.is_open:
            return
        if order.duration in ("OPG", "CLO") and not session:
            return
        state = self.market.states[order.symbol]
        if order.stop is not None and not order.triggered:
            if order.trail_amount is not None or order.trail_percent is not None:
                trail = _trail(state.last, order.trail_amount, order.trail_percent)
                follow = min if order.side > 0 else max  # the stop only ever tightens
                order.stop = follow(order.stop, state.last + order.side * trail)
            hit = state.last >= order.stop if order.side > 0 else state.last <= order.stop
            if not hit:
                if order.duration in ("IOC", "FOK") or session:
                    self._set_status(order, "EXP")
                return
            order.triggered = True
            self._set_status(order, "STP")
        price = state.ask if order.side > 0 else state.bid
        marketable = order.limit is None or (price <= order.limit if order.side > 0
                                             else price >= order.limit)
        if not marketable:
            if order.duration in ("IOC", "FOK") or session:
                self._set_status(order, "EXP")
            return
        qty = order.remaining
        if (order.limit is not None and order.duration != "FOK" and qty >= 20
                and self._fill_rng.random() < 0.3):
            qty = max(1, qty // 2)  # a partial fill; the rest waits for the next crossing
        self._fill(order, qty, price)
        if not order.remaining:
            self._set_status(order, "FLL")
        elif order.duration == "IOC" or session:
            self._set_status(order, "FLP")  # the rest is out: TradeStation's Partial Fill (UROut)
        else:
            self._set_status(order, "FPR")
        self._after_fill(order)

    def _after_fill(self, order: Order) -> None:
        """OCO: a fill cancels the siblings. BRK: they cancel on a full fill and shrink to the
        position left on a partial one (TradeStation's auto-decrement)."""
        if order.group_type not in ("OCO", "BRK"):
            return
        for sibling_id in order.siblings:
            sibling = self.orders.get(sibling_id)
            if sibling is None or not sibling.is_open:
                continue
            if order.group_type == "BRK" and order.remaining:
                left = sibling.filled + order.remaining
                if left < sibling.quantity:
                    sibling.quantity = left
                    self._set_status(sibling, sibling.status)
            else:
                self._set_status(sibling, "CAN")

    def _fill(self, order: Order, qty: int, price: int) -> None:
        """Move the position and the cash: a stock or option costs its price times its point
        value; a future costs nothing to open and settles its profit or loss when it closes."""
        order.filled += qty
        order.filled_value += qty * price
        self.fills.append(Fill(order.order_id, order.account_id, order.symbol,
                               qty * order.side, price, self.clock.stamp))
        account = self.accounts[order.account_id]
        signed = qty * order.side
        per_tick = cents_per_tick(order.symbol)
        future = is_future(order.symbol)
        if not future:
            account.cash -= signed * price * per_tick
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
        realized = (price - pos.average) * -signed * per_tick
        account.realized += round(realized) if per_tick == 1 else realized
        if future:
            account.cash += realized
        pos.quantity += signed
        if pos.quantity == 0:
            del account.positions[order.symbol]

    # -- sessions ---------------------------------------------------------------------------------

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock.now_epoch(), UTC).date()

    def close_session(self) -> None:
        """The trading day ends: CLO orders execute, DAY/DYP/minute orders and GTD/GDP orders
        whose date has come expire (EXP); GTC/GCP and OPG orders stay. Tests call this."""
        today = self.today()
        for order in [o for o in self.orders.values() if o.is_open]:
            if order.duration == "CLO":
                self._work(order, session=True)
            elif order.duration in SESSION_DURATIONS or (
                    order.duration in DATED_DURATIONS and order.expiration is not None
                    and order.expiration <= today):
                self._set_status(order, "EXP")
        self.publish_positions()

    def open_session(self) -> None:
        """The opening: OPG orders execute at the opening price, or expire if they cannot."""
        for order in [o for o in self.orders.values() if o.is_open and o.duration == "OPG"]:
            self._work(order, session=True)
        self.publish_positions()

    # -- time passing ---------------------------------------------------------------------------

    def on_step(self, record: StepRecord) -> None:
        """Expire minute orders, work the open orders against the new quotes, re-price positions."""
        moved = record.lines
        step = self.clock.step
        for order in [o for o in self.orders.values() if o.is_open]:
            if order.expires_step is not None and step >= order.expires_step:
                self._set_status(order, "EXP")
            elif order.symbol in moved:
                self._work(order)
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
                self._append(account.account_id, "position", encode(payload), encode(changes),
                             pos.symbol)
        for pid in [p for p in self._sent_positions if p not in current]:
            gone = self._sent_positions.pop(pid)
            line = encode({"PositionID": pid, "Deleted": True})
            self._append(gone["AccountID"], "position", line, line, gone["Symbol"])


def _trail(last: int, amount: int | None, percent: Decimal | None) -> int:
    """A trailing stop's distance from the last price, in ticks (at least one)."""
    if amount is not None:
        return max(1, amount)
    return max(1, round(last * float(percent or 0) / 100))


def _number_text(value) -> str | None:
    """The plain decimal text of a JSON string or number, or None: Decimal alone would take
    "NaN", "Infinity", "1_000" and a bool's "True" too."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    return text if _NUMBER.fullmatch(text) else None


def _echo(value) -> str:
    """A rejected value as quoted back in a message: a 10,000-digit "price" is cut short."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_quantity(value) -> int:
    """TradeStation sends quantities as strings; whole shares and contracts only, and no more
    than MAX_QUANTITY (checked here, before any order exists)."""
    text = _number_text(value)
    shown = _echo(value)
    if text is None:
        raise OrderError(400, "BadRequest",
                         f"Invalid Quantity '{shown}'. Expected a positive whole number such as "
                         "'10'.")
    qty = Decimal(text)
    if qty <= 0 or qty != qty.to_integral_value():
        raise OrderError(400, "BadRequest",
                         f"Invalid Quantity '{shown}'. Expected a positive whole number.")
    if qty > MAX_QUANTITY:
        raise OrderError(400, "BadRequest",
                         f"Invalid Quantity '{shown}'. At most {MAX_QUANTITY} shares or "
                         "contracts per order.")
    return int(qty)


def parse_price(value, name: str) -> Decimal:
    """A positive decimal price string, exactly as sent (increments are checked on it), within
    MAX_PRICE and MAX_PRICE_DECIMALS so that ticks and increments compute exactly."""
    text = _number_text(value)
    shown = _echo(value)
    if text is None:
        raise OrderError(400, "BadRequest",
                         f"Invalid {name} '{shown}'. Expected a decimal price such as '123.45'.")
    price = Decimal(text)
    if price <= 0:
        raise OrderError(400, "BadRequest",
                         f"Invalid {name} '{shown}'. Expected a positive price.")
    if price > MAX_PRICE:
        raise OrderError(400, "BadRequest",
                         f"Invalid {name} '{shown}'. Expected a price of at most {MAX_PRICE}.")
    exponent = price.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PRICE_DECIMALS:
        raise OrderError(400, "BadRequest",
                         f"Invalid {name} '{shown}'. Expected at most {MAX_PRICE_DECIMALS} "
                         "decimal places.")
    return price


def increment_problem(price: Decimal, symbol: str, name: str) -> str | None:
    """TradeStation's rejection of a price that is not on the symbol's increment."""
    if on_increment(price, symbol):
        return None
    return (f"Order failed. Reason: {name} {price} is not a valid price for {symbol}: it must be "
            f"a multiple of {price_increment(symbol)}.")


def parse_expiration(value, today: date) -> date:
    """GTD/GDP expiration: an RFC 3339 timestamp (only its date counts) or a plain date,
    from today to 90 days ahead."""
    text = str(value or "").strip()
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise OrderError(400, "BadRequest",
                         f"Invalid TimeInForce.Expiration '{text}'. Expected a date such as "
                         f"'{today.isoformat()}T00:00:00Z'.") from None
    if day < today:
        raise OrderError(400, "BadRequest",
                         f"TimeInForce.Expiration {day.isoformat()} is in the past.")
    if day > today + timedelta(days=MAX_DAYS):
        raise OrderError(400, "BadRequest",
                         f"TimeInForce.Expiration {day.isoformat()} is more than {MAX_DAYS} days "
                         "ahead.")
    return day
