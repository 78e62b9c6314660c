"""The three /v2 operations TradeStation's v3 document still lists: symbol suggest, symbol search
and the tick-bar stream, in their v2 shapes (v2 errors are {TraceId, StatusCode, Message}).

The server's middleware checks tokens on /v3 paths only, so these handlers ask for a bearer
header themselves and start the shared clock like a /v3 request would.
"""

from __future__ import annotations

import re
import uuid

from aiohttp import web

from .feeds import Feed
from .keys import ENGINE
from .market import SymbolState, encode, rng_for
from .spreads import expiration_type
from .streams import serve_http_stream
from .universe import OPTION_EXPIRATIONS, SYMBOLS, AssetType, PriceStyle, SymbolInfo

V2_STREAM_MEDIA_TYPE = "application/vnd.tradestation.streams+json"
MAX_TICK_INTERVAL = 64_999
MAX_TICK_BARS_BACK = 10
_CATEGORIES = {AssetType.STOCK: "Stock", AssetType.INDEX: "Index", AssetType.FUTURE: "Future",
               AssetType.STOCKOPTION: "StockOption", AssetType.CRYPTO: "Crypto"}
_CATEGORY_CODES = {"s": "Stock", "stock": "Stock", "so": "StockOption",
                   "stockoption": "StockOption", "fu": "Future", "future": "Future",
                   "idx": "Index", "index": "Index", "fo": "FutureOption",
                   "futureoption": "FutureOption", "co": "CurrencyOption",
                   "currencyoption": "CurrencyOption", "mf": "MutualFund",
                   "mutualfund": "MutualFund", "mmf": "MoneyMarketFund",
                   "moneymarketfund": "MoneyMarketFund", "io": "IndexOption",
                   "indexoption": "IndexOption", "b": "Bond", "bond": "Bond", "fx": "Forex",
                   "forex": "Forex"}
_FILTER = re.compile(r"^\s*(Category|Country|Currency|Exchange)\s+(eq|neq)\s+'([^']*)'\s*$",
                     re.IGNORECASE)


def v2_error(status: int, message: str) -> web.Response:
    return web.json_response({"TraceId": str(uuid.uuid4()), "StatusCode": status,
                              "Message": message}, status=status)


def _authorized(request: web.Request) -> web.Response | None:
    request.app[ENGINE].start_clock()
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        return v2_error(401, "Unauthorized: send the access token as 'Authorization: Bearer ...'.")
    return None


def display_type(info: SymbolInfo) -> int:
    """v2's DisplayType code for the symbol's price format."""
    if info.style is PriceStyle.FRACTION:
        return 12  # 1/32
    if info.style is PriceStyle.SUBFRACTION:
        return 17  # 32nds and halves
    return {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6}.get(info.wire_decimals, 23)


def definition(info: SymbolInfo) -> dict:
    """One SymbolSuggest/SymbolSearch item."""
    increment = 1 / info.ticks_per_point
    unit = 10 ** -info.wire_decimals if info.style is PriceStyle.DECIMAL else increment
    out = {
        "Category": _CATEGORIES[info.asset_type], "Country": "US", "Currency": info.currency,
        "Description": info.description or info.symbol, "DisplayType": display_type(info),
        "Error": "", "Exchange": info.exchange, "ExchangeID": _exchange_id(info.exchange),
        "ExpirationDate": f"{info.expiration}T00:00:00Z" if info.expiration else "",
        "ExpirationType": ({"Weekly": "W", "Monthly": "M"}[expiration_type(info.expiration)]
                           if info.is_option else ""),
        "FutureType": info.future_type, "MinMove": round(increment / unit),
        "Name": info.symbol, "OptionType": ({"Call": "Calls", "Put": "Puts"}[info.option_type]
                                            if info.option_type else ""),
        "PointValue": float(info.point_value), "Root": info.root or info.symbol,
        "StrikePrice": info.strike,
    }
    return out


def _exchange_id(name: str) -> int:
    return sum(ord(c) for c in name) % 1000


def _apply_filter(items: list[SymbolInfo], text: str | None) -> list[SymbolInfo]:
    if text is None:
        return items
    match = _FILTER.match(text)
    if match is None:
        raise ValueError(f"Invalid $filter '{text}'. Expected e.g. Category eq 'Stock' "
                         "(fields Category, Country, Currency, Exchange; operators eq, neq).")
    field, op, value = match.group(1).capitalize(), match.group(2).lower(), match.group(3)

    def get(info: SymbolInfo) -> str:
        item = definition(info)
        return str(item["Country" if field == "Country" else field])

    wanted = op == "eq"
    return [i for i in items if (get(i).lower() == value.lower()
                                 or (field == "Country" and value.lower() == "united states"
                                     and get(i) == "US")) == wanted]


async def suggest(request: web.Request) -> web.Response:
    if (denied := _authorized(request)) is not None:
        return denied
    text = request.match_info["text"].strip().upper()
    top_text = request.query.get("$top")
    try:
        top = None if top_text is None else int(top_text)
        if top is not None and top < 1:
            raise ValueError
    except ValueError:
        return v2_error(400, f"Invalid $top '{top_text}'. Expected a whole number of at least 1.")
    candidates = [i for i in SYMBOLS.values() if not i.is_option and (
        i.symbol.startswith(text) or text in (i.description or "").upper())]
    candidates.sort(key=lambda i: (not i.symbol.startswith(text), len(i.symbol), i.symbol))
    try:
        candidates = _apply_filter(candidates, request.query.get("$filter"))
    except ValueError as exc:
        return v2_error(400, str(exc))
    return web.json_response([definition(i) for i in candidates[:top or 20]])


def _criteria(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split("&"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"Invalid criteria '{part}'. Expected Key=Value pairs joined by &, "
                             "e.g. N=AAPL&C=Stock.")
        out[key.strip().lower()] = value.strip()
    return out


async def search(request: web.Request) -> web.Response:
    if (denied := _authorized(request)) is not None:
        return denied
    try:
        criteria = _criteria(request.match_info["criteria"])
        code = criteria.get("c", "so" if "r" in criteria and "n" not in criteria else "s")
        category = _CATEGORY_CODES.get(code.lower())
        if category is None:
            raise ValueError(f"Invalid category '{criteria.get('c')}'. Valid values are e.g. "
                             "Stock (S), StockOption (SO), Future (FU), Index (IDX).")
    except ValueError as exc:
        return v2_error(400, str(exc))
    name = criteria.get("n", "").upper()
    desc = criteria.get("desc", "").upper()
    root = criteria.get("r", "").upper()
    if category == "StockOption":
        if not root:
            return v2_error(400, "Option lookups need R (the underlying root), e.g. C=SO&R=AAPL.")
        kinds = {"both": ("Call", "Put"), "call": ("Call",), "put": ("Put",)}
        option_type = kinds.get(criteria.get("ot", "both").lower())
        if option_type is None:
            return v2_error(400, f"Invalid OT '{criteria['ot']}'. Valid values are Both, Call, "
                                 "Put.")
        try:
            exd = int(criteria.get("exd", "3"))
        except ValueError:
            exd = 0
        if exd < 1:
            return v2_error(400, f"Invalid Exd '{criteria['exd']}'. Expected a whole number of "
                                 "at least 1 (how many expirations to list).")
        dates = OPTION_EXPIRATIONS[:max(1, exd)]
        found = [i for i in SYMBOLS.values() if i.is_option and i.underlying == root
                 and i.option_type in option_type and i.expiration in dates]
    else:
        wanted = {"Stock": AssetType.STOCK, "Future": AssetType.FUTURE,
                  "Index": AssetType.INDEX}.get(category)
        found = [i for i in SYMBOLS.values() if i.asset_type is wanted
                 and (not name or name in i.symbol)
                 and (not desc or desc in (i.description or "").upper())
                 and (not root or i.root == root)]
    if not found:
        return v2_error(404, "No symbols match the criteria.")
    return web.json_response([definition(i) for i in found])


class TickBarFeed(Feed):
    """`barsback` closed tick bars of `interval` trades each, then bars as trades arrive."""

    kind = "tickbars"
    media_type = V2_STREAM_MEDIA_TYPE

    def __init__(self, engine, state: SymbolState, interval: int, bars_back: int) -> None:
        super().__init__(engine)
        self.state = state
        self.interval = interval
        self.bars_back = bars_back
        self.count = 0
        self.volume = 0
        self.step = 0

    def _bar(self, close: int, volume: int, status: int, epoch: float) -> bytes:
        return encode({"Close": float(self.state.info.price_text(close)), "Status": status,
                       "TimeStamp": f"/Date({int(epoch * 1000)})/", "TotalVolume": volume})

    def start(self) -> list[bytes]:
        clock = self.engine.clock
        self.step = clock.step
        state = self.state
        rng = rng_for(self.engine.market.seed, "tickbars", state.symbol, self.interval)
        price = state.last
        history = []
        epoch = clock.market_epoch()
        for _ in range(self.bars_back):  # backwards from the current price
            volume = sum(max(1, state.lot) * rng.randint(1, 5) for _ in range(self.interval))
            history.append((price, volume, epoch))
            price = max(1, price + rng.choice((-1, 0, 1)))
            epoch -= self.interval * rng.uniform(0.2, 2.0)
        # Status bits: NEW (1) + HISTORICAL_DATA (4) + STANDARD_CLOSE (8).
        return [self._bar(c, v, 13, e) for c, v, e in reversed(history)]

    def poll(self) -> list[bytes]:
        market = self.engine.market
        now = self.engine.clock.step
        out: list[bytes] = []
        while self.step < now:
            self.step += 1
            record = market.record(self.step)
            trades = record.trades.get(self.state.symbol) if record is not None else None
            for price, size, _direction in trades or ():
                self.count += 1
                self.volume += size
                closed = self.count >= self.interval
                # NEW + REAL_TIME_DATA, plus STANDARD_CLOSE when the interval is complete.
                out.append(self._bar(price, self.volume, 3 | (8 if closed else 0),
                                     self.engine.clock.market_epoch(self.step)))
                if closed:
                    self.count = self.volume = 0
        return out


async def stream_tick_bars(request: web.Request) -> web.StreamResponse:
    if (denied := _authorized(request)) is not None:
        return denied
    engine = request.app[ENGINE]
    symbol = request.match_info["symbol"].strip().upper()
    numbers = {}
    for name, top in (("interval", MAX_TICK_INTERVAL), ("barsBack", MAX_TICK_BARS_BACK)):
        text = request.match_info[name]
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= top:
            return v2_error(400, f"Invalid {name} '{text}'. It must be a whole number from 1 to "
                                 f"{top}.")
        numbers[name] = value
    state = engine.market.states.get(symbol)
    if state is None:
        return v2_error(404, f"Invalid symbol '{symbol}'.")
    feed = TickBarFeed(engine, state, numbers["interval"], numbers["barsBack"])
    return await serve_http_stream(request, engine, feed)


ROUTES = [
    web.get("/v2/data/symbols/suggest/{text}", suggest, name="v2-suggest"),
    web.get("/v2/data/symbols/search/{criteria}", search, name="v2-search"),
    web.get("/v2/stream/tickbars/{symbol}/{interval}/{barsBack}", stream_tick_bars,
            name="v2-tickbars"),
]
