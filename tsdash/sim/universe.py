"""The simulator's universe: stocks and ETFs, indices, futures, stock options and crypto pairs.

Static data on purpose: the same symbols and anchor prices on every run, so a seed alone decides the
market. Anchor prices are rough levels, not quotes; the model wanders around them. Every price in
the model is a whole number of the symbol's own increment ("ticks": cents for a stock, quarter
points for @ES, 32nds for @US), so a price can never fall between two valid ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from enum import StrEnum

# ETFs first, then large and mid caps. "SYMBOL:price".
_ETFS = """
SPY:598.40 QQQ:521.70 IWM:226.10 DIA:441.30 VOO:550.20 VTI:294.60 IVV:601.10 EFA:80.40 EEM:44.20
XLF:49.80 XLK:236.50 XLE:91.30 XLV:146.20 XLY:214.80 XLP:80.10 XLI:138.60 XLU:79.40 XLB:89.70
XLRE:42.10 XLC:98.30 GLD:245.60 SLV:29.80 TLT:91.40 IEF:94.70 HYG:79.20 LQD:108.90 SMH:248.30
ARKK:58.40 KRE:61.20 XBI:94.80 VNQ:91.10 VEA:50.70 VWO:44.90 AGG:97.60 BND:72.80 USO:76.40
UNG:14.20 TQQQ:82.50 SQQQ:7.85 SOXL:31.20 UVXY:19.80 VXX:45.30 SCHD:28.90 JEPI:58.70 RSP:181.40
MDY:585.20 IJH:64.90 IJR:119.80 VUG:412.30 VTV:175.60
"""

_STOCKS = """
AAPL:228.50 MSFT:415.30 NVDA:138.20 AMZN:205.70 GOOGL:176.40 GOOG:177.90 META:585.10 TSLA:338.60
BRK.B:472.80 AVGO:172.40 JPM:241.30 LLY:802.50 V:309.70 UNH:585.40 XOM:119.80 MA:527.40
JNJ:152.60 PG:171.90 HD:411.20 COST:934.80 ABBV:176.30 MRK:99.70 ORCL:186.40 CVX:160.20
WMT:91.60 KO:62.40 PEP:154.70 BAC:46.30 NFLX:877.40 CRM:332.80 AMD:137.90 ADBE:493.60
TMO:532.10 LIN:462.90 MCD:296.40 CSCO:59.20 ACN:360.70 ABT:116.80 WFC:71.60 DHR:238.90
INTU:648.30 TXN:201.40 DIS:113.20 VZ:42.80 PM:124.60 QCOM:161.30 CAT:389.70 IBM:222.50
AMGN:286.40 NOW:1031.50 NEE:74.10 GE:177.60 UNP:236.80 PFE:26.40 SPGI:520.30 ISRG:533.20
RTX:121.70 LOW:268.40 HON:223.10 T:22.70 AMAT:176.90 BKNG:4970.20 GS:578.60 UBER:71.80
BLK:1021.40 AXP:298.50 ELV:405.70 SYK:382.90 MS:131.40 PLD:114.60 MDT:87.90 LMT:531.20
TJX:121.50 SCHW:79.60 VRTX:471.30 ADP:303.40 C:69.80 BMY:58.10 DE:432.70 GILD:90.80
MMC:226.50 ADI:217.40 LRCX:72.30 SBUX:97.60 CB:285.10 MU:102.40 REGN:760.30 PANW:387.10
BA:154.80 MDLZ:64.20 CI:322.60 KLAC:651.90 SO:86.30 INTC:22.90 ETN:343.80 BSX:90.40
PGR:250.70 SHW:388.20 CMG:59.40 DUK:112.80 ZTS:178.30 ANET:388.60 SNPS:519.40 EQIX:937.20
CDNS:298.70 MO:56.90 ICE:160.20 CL:92.30 WM:218.60 ITW:265.80 APH:69.70 MCK:603.40
TT:411.50 FI:205.30 CME:231.40 PYPL:86.90 USB:50.70 MAR:279.60 PNC:204.30 NOC:487.10
GD:276.40 ABNB:135.80 CSX:34.60 EOG:132.40 MMM:131.20 EMR:126.30 ORLY:1223.50 APD:318.60
TGT:133.70 ECL:241.90 NSC:256.70 ROP:552.30 FDX:282.10 AJG:301.80 COF:179.50 WELL:133.40
MPC:163.90 PSX:134.60 SLB:42.60 CARR:74.30 AZO:3160.40 HCA:327.80 AON:376.50 NXPI:231.70
PCAR:111.60 OXY:52.30 MET:85.40 AFL:110.20 TFC:45.60 ADSK:298.40 SRE:84.70 AIG:76.90
KMB:134.80 MCHP:64.30 DHI:156.40 PSA:338.60 ROST:147.20 SPG:176.80 FTNT:79.40 TRV:254.60
GM:53.70 F:10.90 PLTR:61.80 COIN:293.40 MSTR:387.20 SHOP:108.60 SNOW:167.30 CRWD:358.90
DDOG:142.60 NET:109.40 ZS:198.70 MRVL:112.30 SMCI:36.80 ARM:143.20 DELL:127.40 HPQ:36.20
HPE:21.30 WDC:67.40 STX:98.60 ON:62.70 MPWR:612.30 TSM:201.40 ASML:714.80 SAP:248.90
BABA:86.40 PDD:101.70 JD:37.20 NIO:4.62 RIVN:12.80 LCID:2.78 SOFI:15.90 HOOD:38.40
AFRM:64.20 UPST:71.30 ROKU:77.90 SPOT:468.30 TTD:123.40 RBLX:58.60 U:22.40 DKNG:42.10
LYFT:13.60 DASH:172.40 PINS:31.80 SNAP:11.20 ZM:82.60 DOCU:92.10 OKTA:78.40 TWLO:107.20
MDB:273.60 TEAM:251.80 WDAY:262.30 HUBS:712.40 ETSY:55.60 EBAY:64.70 W:46.20 CHWY:34.90
BBY:88.60 DG:77.40 DLTR:71.30 KR:61.80 CVS:54.70 WBA:9.40 MRNA:40.20 BIIB:152.30
CAH:122.40 HUM:267.80 CNC:60.40 DAL:64.30 UAL:98.70 AAL:17.20 LUV:33.60 CCL:25.80
RCL:240.30 NCLH:27.40 MGM:35.60 WYNN:88.90 LVS:51.30 HLT:252.40 H:156.30 EXPE:183.60
NKE:76.90 LULU:386.40 DECK:206.70 CROX:109.80 ULTA:421.30 EL:71.40 KHC:30.60 GIS:62.80
HSY:168.40 K:80.70 CPB:41.20 SJM:112.30 CAG:27.40 STZ:232.10 TAP:58.90 KDP:32.40
MNST:53.20 CLX:163.80 CHD:107.60 ADM:51.40 BG:79.30 TSN:59.60 HRL:31.20 DOW:40.60
DD:78.40 LYB:76.30 NUE:123.40 STLD:129.80 FCX:42.70 NEM:41.30 AA:39.20 X:37.80
CLF:11.40 VALE:9.80 RIO:60.70 BHP:50.90 HAL:28.40 BKR:43.80 DVN:35.60 FANG:176.20
APA:22.30 MRO:28.40 KMI:27.80 WMB:56.40 OKE:108.70 ET:19.20 EPD:32.10 LNG:218.60
ENPH:66.80 FSLR:187.30 SEDG:16.40 RUN:10.70 PLUG:2.21 CHPT:1.34 BE:24.60
"""


# Under a dollar: priced in ten-thousandths, as TradeStation quotes sub-penny stocks.
_PENNY = "SNDL:0.8412 MULN:0.1375 ZOM:0.0864 IDEX:0.3129 GNUS:0.6720"


class AssetType(StrEnum):
    """TradeStation's AssetType values for the classes the simulator serves."""

    STOCK = "STOCK"
    INDEX = "INDEX"
    FUTURE = "FUTURE"
    STOCKOPTION = "STOCKOPTION"
    # TradeStation sends CRYPTO for BTCUSD, although the OpenAPI document's AssetType enum
    # omits it.
    CRYPTO = "CRYPTO"


class PriceStyle(StrEnum):
    DECIMAL = "Decimal"
    FRACTION = "Fraction"
    SUBFRACTION = "SubFraction"


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """Static facts about one symbol; the model derives its behaviour from these.

    Prices in the model are ticks: `price * ticks_per_point` (an increment of 1/ticks_per_point).
    """

    symbol: str
    price: float  # anchor price level, in points (dollars for a stock)
    is_etf: bool
    volatility: float  # daily volatility as a fraction
    avg_volume: int  # average daily volume, in lots of `lot`
    events_per_second: float  # how often the default market updates it
    spread_cents: int  # typical quoted spread in ticks (cents for a stock; 0 for an index)
    asset_type: AssetType = AssetType.STOCK
    ticks_per_point: int = 100  # 1 / the price increment
    wire_decimals: int = 2  # decimals of prices on the wire
    style: PriceStyle = PriceStyle.DECIMAL
    fraction: int = 0  # Fraction/SubFraction denominators
    sub_fraction: int = 0
    point_value: str = "1"
    lot: int = 100  # typical quote/trade size unit (shares come in hundreds)
    quantity_decimals: int = 0
    description: str = ""
    exchange: str = "NASDAQ"
    root: str = ""
    underlying: str = ""
    expiration: str = ""  # YYYY-MM-DD for futures and options
    future_type: str = ""
    option_type: str = ""  # "Call" / "Put"
    strike: float = 0.0
    tradable: bool = True
    session: str = "US equities 09:30-16:00 ET"
    currency: str = "USD"
    country: str = "United States"
    alias_of: str = ""  # a continuous future quotes as its front contract

    @property
    def increment_text(self) -> str:
        return _decimal_text(1, self.ticks_per_point)

    @property
    def is_option(self) -> bool:
        return self.asset_type is AssetType.STOCKOPTION

    def price_text(self, ticks: int) -> str:
        """A price in ticks as TradeStation's decimal string ("6012.25", "1.08345", "117.15625")."""
        return fixed_text(ticks * (10 ** self.wire_decimals // self.ticks_per_point),
                          self.wire_decimals)

    def to_ticks(self, price: float) -> int:
        """The nearest valid price, in ticks."""
        return round(price * self.ticks_per_point)

    def detail(self) -> dict:
        """The SymbolDetail of GET /v3/marketdata/symbols, field for field."""
        fmt: dict = {"Format": str(self.style)}
        if self.style is PriceStyle.DECIMAL:
            fmt["Decimals"] = str(self.wire_decimals)
        else:
            fmt["Fraction"] = str(self.fraction)
            if self.style is PriceStyle.SUBFRACTION:
                fmt["SubFraction"] = str(self.sub_fraction)
        fmt.update(IncrementStyle="Simple", Increment=self.increment_text,
                   PointValue=self.point_value)
        qty_increment = _decimal_text(1, 10 ** self.quantity_decimals)
        out: dict = {
            "AssetType": str(self.asset_type),
            "Country": self.country,
            "Currency": self.currency,
            "Description": self.description or self.symbol,
            "Exchange": self.exchange,
        }
        if self.expiration:
            out["ExpirationDate"] = self.expiration + "T00:00:00Z"
        if self.future_type:
            out["FutureType"] = self.future_type
        if self.option_type:
            out["OptionType"] = self.option_type.upper()  # CallPut: "CALL" or "PUT"
        out["PriceFormat"] = fmt
        out["QuantityFormat"] = {
            "Format": "Decimal", "Decimals": str(self.quantity_decimals),
            "IncrementStyle": "Simple", "Increment": qty_increment,
            "MinimumTradeQuantity": qty_increment,
        }
        out["Root"] = self.root or self.symbol
        if self.option_type:
            out["StrikePrice"] = _strike_text(self.strike)
        out["Symbol"] = self.symbol
        if self.underlying:
            out["Underlying"] = self.underlying
        return out


def fixed_text(units: int, decimals: int) -> str:
    """`units` of 10**-decimals as a decimal string with exactly `decimals` places."""
    if decimals == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    scale = 10 ** decimals
    whole, part = divmod(abs(units), scale)
    return f"{sign}{whole}.{part:0{decimals}d}"


def _decimal_text(numerator: int, denominator: int) -> str:
    """An exact decimal for numerator/denominator (the denominators here are 2**a * 5**b)."""
    decimals = 0
    while (numerator * 10 ** decimals) % denominator:
        decimals += 1
    return fixed_text(numerator * 10 ** decimals // denominator, decimals)


def _strike_text(strike: float) -> str:
    return str(int(strike)) if strike == int(strike) else f"{strike:g}"


_HIGH_VOL = {"TSLA": 0.042, "NVDA": 0.035, "AMD": 0.034, "COIN": 0.055, "MSTR": 0.065,
             "PLTR": 0.045, "SMCI": 0.06, "RIVN": 0.05, "LCID": 0.05, "NIO": 0.05, "UPST": 0.06,
             "AFRM": 0.05, "HOOD": 0.05, "SOFI": 0.04, "TQQQ": 0.045, "SQQQ": 0.045, "SOXL": 0.07,
             "UVXY": 0.07, "VXX": 0.05, "PLUG": 0.07, "CHPT": 0.07, "ARM": 0.045, "SNOW": 0.04,
             "CRWD": 0.035}
_MOST_ACTIVE = set("SPY QQQ IWM DIA AAPL MSFT NVDA AMZN GOOGL META TSLA AMD NFLX JPM BAC XLF TLT "
                   "GLD AVGO PLTR COIN SMH TQQQ SQQQ INTC F SOFI".split())
_NAMES = {"SPY": "SPDR S&P 500 ETF Trust", "QQQ": "Invesco QQQ Trust", "AAPL": "Apple Inc",
          "MSFT": "Microsoft Corp", "NVDA": "NVIDIA Corp", "TSLA": "Tesla Inc",
          "AMZN": "Amazon.com Inc", "META": "Meta Platforms Inc", "IWM": "iShares Russell 2000 ETF"}
_NYSE_ETFS = {"SPY", "IWM", "DIA", "VOO", "VTI", "IVV", "GLD", "SLV"}


def _stocks() -> dict[str, SymbolInfo]:
    out: dict[str, SymbolInfo] = {}
    for block, is_etf in ((_ETFS, True), (_STOCKS, False)):
        for item in block.split():
            sym, _, price_text = item.partition(":")
            price = float(price_text)
            active = sym in _MOST_ACTIVE
            vol = _HIGH_VOL.get(sym, 0.011 if is_etf else 0.019)
            # Dollar volume shrinks down the list; cheap names trade more shares.
            dollar_volume = (9e9 if active else 1.2e9) * (1.5 if is_etf and active else 1.0)
            out[sym] = SymbolInfo(
                symbol=sym,
                price=price,
                is_etf=is_etf,
                volatility=vol,
                avg_volume=max(200_000, int(dollar_volume / price)),
                events_per_second=5.0 if active else 2.5,
                spread_cents=max(1, round(price * 100 * (0.2 if active else 1.5) / 10_000)),
                description=_NAMES.get(sym, f"{sym} {'ETF' if is_etf else 'Common Stock'}"),
                exchange="NYSE Arca" if sym in _NYSE_ETFS else "NASDAQ",
            )
    for item in _PENNY.split():
        sym, _, price_text = item.partition(":")
        price = float(price_text)
        out[sym] = SymbolInfo(
            symbol=sym, price=price, is_etf=False, volatility=0.08,
            avg_volume=int(2e7 / max(price, 0.05)), events_per_second=2.5,
            spread_cents=max(1, round(price * 10_000 * 0.004)), ticks_per_point=10_000,
            wire_decimals=4, description=f"{sym} Common Stock", exchange="NASDAQ")
    return out


def _indices() -> dict[str, SymbolInfo]:
    rows = (("$SPX.X", 6021.60, 0.009, "S&P 500 Index"),
            ("$NDX.X", 21195.40, 0.012, "Nasdaq-100 Index"),
            ("$VIX.X", 14.82, 0.06, "CBOE Volatility Index"),
            ("$DJI", 44860.30, 0.008, "Dow Jones Industrial Average"))
    return {sym: SymbolInfo(
        symbol=sym, price=price, is_etf=False, volatility=vol, avg_volume=0,
        events_per_second=2.0, spread_cents=0, asset_type=AssetType.INDEX, lot=0,
        description=name, exchange="CBOE" if "VIX" in sym or "SPX" in sym else "NASDAQ",
        root=sym, tradable=False, session="US indices 09:30-16:15 ET")
        for sym, price, vol, name in rows}


# Futures: root, continuous symbol, contract prefix, name, exchange, anchor, ticks per point,
# wire decimals, style, fraction, sub-fraction, point value, daily vol, contract months, session.
_FUTURES = (
    ("ES", "@ES", "ES", "E-mini S&P 500", "CME", 6032.75, 4, 2, PriceStyle.DECIMAL, 0, 0, "50",
     0.009, "HMUZ", "CME Globex 17:00-16:00 CT"),
    ("NQ", "@NQ", "NQ", "E-mini Nasdaq-100", "CME", 21240.50, 4, 2, PriceStyle.DECIMAL, 0, 0,
     "20", 0.012, "HMUZ", "CME Globex 17:00-16:00 CT"),
    ("CL", "@CL", "CL", "Crude Oil", "NYMEX", 68.74, 100, 2, PriceStyle.DECIMAL, 0, 0, "1000",
     0.02, "FGHJKMNQUVXZ", "CME Globex 17:00-16:00 CT"),
    ("GC", "@GC", "GC", "Gold", "COMEX", 2658.40, 10, 1, PriceStyle.DECIMAL, 0, 0, "100",
     0.01, "GJMQVZ", "CME Globex 17:00-16:00 CT"),
    ("EU", "@EU", "6E", "Euro FX", "CME", 1.05825, 20_000, 5, PriceStyle.DECIMAL, 0, 0,
     "125000", 0.005, "HMUZ", "CME Globex 17:00-16:00 CT"),
    ("US", "@US", "US", "U.S. Treasury Bond", "CBOT", 117.5, 32, 5, PriceStyle.FRACTION, 32, 0,
     "1000", 0.007, "HMUZ", "CBOT Globex 17:00-16:00 CT"),
    ("TY", "@TY", "TY", "10 Yr U.S. Treasury Notes", "CBOT", 110.515625, 64, 6,
     PriceStyle.SUBFRACTION, 32, 2, "1000", 0.004, "HMUZ", "CBOT Globex 17:00-16:00 CT"),
)
_MONTH_CODES = "FGHJKMNQUVXZ"
# The universe's "today": contracts and option expirations are listed from here (static data).
REFERENCE_DATE = datetime(2026, 11, 25, tzinfo=UTC)


def _third_friday(year: int, month: int) -> datetime:
    first = datetime(year, month, 1, tzinfo=UTC)
    return first.replace(day=1 + (4 - first.weekday()) % 7 + 14)


def _futures() -> dict[str, SymbolInfo]:
    out: dict[str, SymbolInfo] = {}
    for (root, continuous, prefix, name, exchange, price, tpp, decimals, style, frac, sub, pv, vol,
         months, session) in _FUTURES:
        contracts: list[tuple[str, datetime]] = []
        year, month = REFERENCE_DATE.year, REFERENCE_DATE.month
        while len(contracts) < 4:
            code = _MONTH_CODES[month - 1]
            expiry = _third_friday(year, month)
            if code in months and expiry > REFERENCE_DATE:
                contracts.append((f"{prefix}{code}{year % 100:02d}", expiry))
            month += 1
            if month > 12:
                month, year = 1, year + 1
        future = partial(SymbolInfo, is_etf=False, volatility=vol, events_per_second=4.0,
                         spread_cents=1, asset_type=AssetType.FUTURE, ticks_per_point=tpp,
                         wire_decimals=decimals, style=style, fraction=frac, sub_fraction=sub,
                         point_value=pv, lot=1, exchange=exchange, root=prefix,
                         future_type="Electronic", session=session)
        for index, (sym, expiry) in enumerate(contracts):
            month_name = expiry.strftime("%b%y")
            # Later months trade at a small carry premium (or discount) to the front one.
            level = round(price * (1 + 0.004 * index) * tpp) / tpp
            out[sym] = future(symbol=sym, price=level,
                              avg_volume=int(900_000 / (1 + 3 * index)),
                              description=f"{name} {month_name}",
                              expiration=(expiry.strftime("%Y-%m-%d")))
        front, expiry = contracts[0]
        out[continuous] = future(
            symbol=continuous, price=price, avg_volume=900_000,
            description=f"{name} Continuous Contract [{expiry.strftime('%b%y')}]",
            underlying=front, alias_of=front)
    return out


_CRYPTO = (("BTCUSD", 96_850.00, "Bitcoin"), ("ETHUSD", 3_612.40, "Ethereum"),
           ("LTCUSD", 102.35, "Litecoin"), ("BCHUSD", 468.20, "Bitcoin Cash"),
           ("SOLUSD", 238.60, "Solana"))


def _crypto() -> dict[str, SymbolInfo]:
    return {sym: SymbolInfo(
        symbol=sym, price=price, is_etf=False, volatility=0.035, avg_volume=40_000,
        events_per_second=3.0, spread_cents=max(1, round(price * 100 * 0.0002)),
        asset_type=AssetType.CRYPTO, lot=1, quantity_decimals=8,
        description=f"{name} / US Dollar", exchange="Crypto", root=sym[:-3],
        session="24 hours, 7 days", tradable=False)  # quoted, but "they cannot be traded"
        for sym, price, name in _CRYPTO}


# Stock options: underlyings, strike step, strikes each side of the anchor.
OPTION_UNDERLYINGS = {"AAPL": 5.0, "SPY": 5.0, "TSLA": 10.0, "NVDA": 5.0}
OPTION_STRIKES_EACH_SIDE = 6
OPTION_EXPIRATIONS = ("2026-11-27", "2026-12-04", "2026-12-18", "2027-01-15", "2027-03-19")


def option_symbol(underlying: str, expiration: str, call: bool, strike: float) -> str:
    """TradeStation's option symbol: "AAPL 261218C230"."""
    return (f"{underlying} {expiration[2:4]}{expiration[5:7]}{expiration[8:10]}"
            f"{'C' if call else 'P'}{_strike_text(strike)}")


def _options(stocks: dict[str, SymbolInfo]) -> dict[str, SymbolInfo]:
    out: dict[str, SymbolInfo] = {}
    for und, step in OPTION_UNDERLYINGS.items():
        base = stocks[und]
        center = round(base.price / step) * step
        strikes = [center + step * k for k in range(-OPTION_STRIKES_EACH_SIDE,
                                                    OPTION_STRIKES_EACH_SIDE + 1)]
        for expiration in OPTION_EXPIRATIONS:
            for strike in strikes:
                for call in (True, False):
                    sym = option_symbol(und, expiration, call, strike)
                    out[sym] = SymbolInfo(
                        symbol=sym, price=0.0, is_etf=False,
                        volatility=base.volatility * math.sqrt(252), avg_volume=5_000,
                        events_per_second=0.0, spread_cents=1,
                        asset_type=AssetType.STOCKOPTION, lot=1, point_value="100",
                        description=(f"{und} {expiration} {_strike_text(strike)} "
                                     f"{'Call' if call else 'Put'}"),
                        exchange="OPRA", root=und, underlying=und, expiration=expiration,
                        option_type="Call" if call else "Put", strike=strike)
    return out


def _parse() -> dict[str, SymbolInfo]:
    stocks = _stocks()
    return {**stocks, **_indices(), **_futures(), **_crypto(), **_options(stocks)}


SYMBOLS: dict[str, SymbolInfo] = _parse()


def lookup(symbol: str) -> SymbolInfo | None:
    """The symbol's facts, or None for a symbol TradeStation would call invalid."""
    return SYMBOLS.get(symbol)
