"""Every asset class: symbol details, quotes and bars in each instrument's own increments."""

from __future__ import annotations

import copy
from decimal import Decimal
from math import exp
from urllib.parse import quote as urlquote

import pytest
from sim_helpers import auth, data_only, read_messages, validate

# One symbol of each kind the design names, with the increment its prices must move in.
INCREMENTS = {
    "MSFT": "0.01", "SPY": "0.01", "SNDL": "0.0001", "$SPX.X": "0.01", "$VIX.X": "0.01",
    "$NDX.X": "0.01", "@ES": "0.25", "ESZ26": "0.25", "ESH27": "0.25", "@NQ": "0.25",
    "@CL": "0.01", "@GC": "0.1", "@EU": "0.00005", "6EZ26": "0.00005", "6EH27": "0.00005",
    "@US": "0.03125", "@TY": "0.015625", "AAPL 261218C230": "0.01", "SPY 261218P595": "0.01",
    "BTCUSD": "0.01", "ETHUSD": "0.01",
}
PRICE_FIELDS = ("Open", "High", "Low", "Close", "Last", "Bid", "Ask", "PreviousClose",
                "NetChange", "High52Week", "Low52Week")


def path_of(symbols) -> str:
    return ",".join(urlquote(s, safe="$@") for s in symbols)


def validate_details(body: dict) -> None:
    """SymbolDetailsResponse, strictly. TradeStation sends AssetType CRYPTO for crypto pairs,
    a value the document's AssetType enum omits; such a detail is checked with that one value
    set aside."""
    body = copy.deepcopy(body)
    for detail in body.get("Symbols", []):
        if detail.get("AssetType") == "CRYPTO":
            detail["AssetType"] = "UNKNOWN"
    validate(body, "SymbolDetailsResponse")


def assert_on_increment(symbol: str, message: dict) -> None:
    step = Decimal(INCREMENTS[symbol])
    for name in PRICE_FIELDS:
        if name in message:
            value = Decimal(message[name])
            assert value % step == 0, f"{symbol} {name}={message[name]} is not a multiple of {step}"


async def get_json(session, sim, path: str) -> tuple[int, dict]:
    async with session.get(sim.base_url + path, headers=auth(sim)) as resp:
        return resp.status, await resp.json()


async def test_symbol_details_for_every_asset_class(fixed_sim, session):
    status, body = await get_json(session, fixed_sim, f"/marketdata/symbols/{path_of(INCREMENTS)}")
    assert status == 200
    validate_details(body)
    assert body["Errors"] == []
    details = {d["Symbol"]: d for d in body["Symbols"]}
    assert list(details) == list(INCREMENTS)
    for symbol, increment in INCREMENTS.items():
        assert details[symbol]["PriceFormat"]["Increment"] == increment
    kinds = {s: d["AssetType"] for s, d in details.items()}
    assert kinds["MSFT"] == "STOCK" and kinds["$SPX.X"] == "INDEX" and kinds["@ES"] == "FUTURE"
    assert kinds["AAPL 261218C230"] == "STOCKOPTION" and kinds["BTCUSD"] == "CRYPTO"
    es = details["@ES"]
    assert es["PriceFormat"]["PointValue"] == "50" and es["Underlying"] == "ESZ26"
    assert es["Root"] == "ES" and es["FutureType"] == "Electronic"
    assert details["ESH27"]["ExpirationDate"] == "2027-03-19T00:00:00Z"
    assert details["6EZ26"]["PriceFormat"] == {
        "Format": "Decimal", "Decimals": "5", "IncrementStyle": "Simple", "Increment": "0.00005",
        "PointValue": "125000"}
    assert details["@US"]["PriceFormat"] == {
        "Format": "Fraction", "Fraction": "32", "IncrementStyle": "Simple",
        "Increment": "0.03125", "PointValue": "1000"}
    assert details["@TY"]["PriceFormat"] == {
        "Format": "SubFraction", "Fraction": "32", "SubFraction": "2",
        "IncrementStyle": "Simple", "Increment": "0.015625", "PointValue": "1000"}
    assert details["SNDL"]["PriceFormat"]["Decimals"] == "4"
    option = details["AAPL 261218C230"]
    assert (option["Underlying"], option["StrikePrice"], option["OptionType"]) == \
        ("AAPL", "230", "CALL")
    assert option["ExpirationDate"] == "2026-12-18T00:00:00Z"
    assert option["PriceFormat"]["PointValue"] == "100"
    assert details["BTCUSD"]["QuantityFormat"]["Decimals"] == "8"


async def test_symbol_details_list_unknown_symbols_in_errors(fixed_sim, session):
    status, body = await get_json(session, fixed_sim, "/marketdata/symbols/msft,NOSUCH,@ES")
    assert status == 200
    validate_details(body)
    assert [d["Symbol"] for d in body["Symbols"]] == ["MSFT", "@ES"]
    assert [e["Symbol"] for e in body["Errors"]] == ["NOSUCH"]
    assert body["Errors"][0]["Message"]


@pytest.mark.parametrize("path, words", [("/marketdata/symbols/" + ",".join(
    f"S{i}" for i in range(51)), "50"), ("/marketdata/symbols/,,", "symbol")])
async def test_symbol_details_bad_requests(fixed_sim, session, path, words):
    status, body = await get_json(session, fixed_sim, path)
    assert status == 400
    validate(body, "ErrorResponse")
    assert body["Error"] == "BadRequest" and words in body["Message"]


async def test_quote_snapshots_for_every_asset_class(fixed_sim, session):
    status, body = await get_json(session, fixed_sim, f"/marketdata/quotes/{path_of(INCREMENTS)}")
    assert status == 200
    validate(body, "QuoteSnapshot")
    assert [q["Symbol"] for q in body["Quotes"]] == list(INCREMENTS)
    for quote in body["Quotes"]:
        assert_on_increment(quote["Symbol"], quote)
    quotes = {q["Symbol"]: q for q in body["Quotes"]}
    # A continuous future quotes as its front contract; an index has no market of its own.
    assert {**quotes["@ES"], "Symbol": "ESZ26"} == quotes["ESZ26"]
    assert quotes["$SPX.X"]["Bid"] == quotes["$SPX.X"]["Ask"]
    assert quotes["$SPX.X"]["Volume"] == "0"


async def test_quote_stream_moves_every_class_in_its_own_increments(fixed_sim, session):
    sim = fixed_sim
    url = f"{sim.base_url}/marketdata/stream/quotes/{path_of(INCREMENTS)}"
    async with session.get(url, headers=auth(sim)) as resp:
        assert resp.status == 200
        first = await read_messages(resp, len(INCREMENTS))
        sim.advance(400)
        deltas = data_only(await read_messages(resp, 3000, timeout=2.0))
    assert [m["Symbol"] for m in first] == list(INCREMENTS)
    seen = set()
    for message in first + deltas:
        validate(message, "QuoteStream")
        assert_on_increment(message["Symbol"], message)
        seen.add(message["Symbol"])
    moved = {m["Symbol"] for m in deltas}
    assert {"@ES", "6EZ26", "@US", "@TY", "BTCUSD", "$SPX.X", "SNDL",
            "AAPL 261218C230"} <= moved


async def test_options_are_priced_off_their_underlying(fixed_sim, session):
    """Put-call parity holds within the quoted spreads, and deeper calls cost more."""
    symbols = ["AAPL", "AAPL 261218C230", "AAPL 261218P230", "AAPL 261218C220",
               "AAPL 261218C240"]
    status, body = await get_json(session, fixed_sim, f"/marketdata/quotes/{path_of(symbols)}")
    q = {x["Symbol"]: x for x in body["Quotes"]}

    def mid(s):
        return (float(q[s]["Bid"]) + float(q[s]["Ask"])) / 2

    spot = mid("AAPL")
    # The fixed clock stands at 2026-11-25 14:30Z; expiry 2026-12-18 21:00Z; rate 4 %.
    years = (23 * 86_400 + 6.5 * 3600) / (365 * 86_400)
    parity = mid("AAPL 261218C230") - mid("AAPL 261218P230") - (spot - 230 * exp(-0.04 * years))
    assert abs(parity) < 0.05
    assert mid("AAPL 261218C220") > mid("AAPL 261218C230") > mid("AAPL 261218C240")


async def test_bars_of_a_future_are_in_its_increments(fixed_sim, session):
    sim = fixed_sim
    for symbol in ("@ES", "6EZ26", "@TY", "SNDL"):
        path = f"/marketdata/barcharts/{urlquote(symbol, safe='@')}?unit=Minute&barsback=30"
        status, body = await get_json(session, sim, path)
        assert status == 200
        validate(body, "Bars")
        for bar in body["Bars"]:
            assert_on_increment(symbol, bar)
