"""Every price on the dashboard is shown by its symbol's own format (design.md "Symbols and
prices"): the Euro FX future to five places, a bond future in 32nds, in the quotes, the chart,
the tape, orders and positions. Before a symbol's details arrive its prices keep the old rule;
when they arrive only that symbol's rows are repainted, with the new digits."""

from __future__ import annotations

import asyncio
import logging

from ui_fakes import FakeConnector
from ui_helpers import frozen_clock, wait_for

from tsdash.api.errors import StreamConnectionError
from tsdash.config import BarsSettings, Settings
from tsdash.ui.app import TsdashApp

KINDS = ("quotes", "bars", "tape", "orders", "positions", "balances")
TIME = "2026-11-25T14:30:00Z"

EURO = {"AssetType": "FUTURE", "Symbol": "6EZ26", "Description": "Euro FX Dec 2026",
        "PriceFormat": {"Format": "Decimal", "Decimals": "5", "IncrementStyle": "Simple",
                        "Increment": "0.00005", "PointValue": "125000"}}
BOND = {"AssetType": "FUTURE", "Symbol": "@US", "Description": "30 Yr U.S. Treasury Bond",
        "PriceFormat": {"Format": "Fraction", "Fraction": "32", "IncrementStyle": "Simple",
                        "Increment": "0.03125", "PointValue": "1000"}}
NOTE = {"AssetType": "FUTURE", "Symbol": "@FV", "Description": "5 Yr U.S. Treasury Note",
        "PriceFormat": {"Format": "SubFraction", "Fraction": "32", "SubFraction": "4",
                        "IncrementStyle": "Simple", "Increment": "0.0078125",
                        "PointValue": "1000"}}


def make_app(tmp_path, symbols=("6EZ26", "@US", "@FV", "AAPL"), chart="@US"):
    settings = Settings(path=tmp_path / "config.toml", watchlists={"mixed": list(symbols)},
                        default_watchlist="mixed", bars=BarsSettings(symbol=chart))
    connector = FakeConnector()
    client = connector.client
    client.symbol_details = {"6EZ26": EURO, "@US": BOND, "@FV": NOTE}  # AAPL: none
    return TsdashApp(settings, connector=connector, clock=frozen_clock), client


async def started(pilot, client):
    await wait_for(pilot, lambda: {s.kind for s in client.open} >= set(KINDS), what="streams")
    app = pilot.app
    await wait_for(pilot, lambda: all(p.state == "live" for p in app.panels.values()),
                   what="live panels")


def cell(table, row: str, column: str) -> str:
    return table.get_cell(row, column).plain.strip()


def row_of(panel, symbol: str) -> dict[str, str]:
    table = panel.table
    return {key: cell(table, symbol, key)
            for key in ("last", "chg", "bid", "ask", "high", "low", "chgp")}


async def details_in(pilot, app, symbols) -> None:
    await wait_for(pilot, lambda: all(s in app.symbol_details.details for s in symbols),
                   what="symbol details")
    app.tick()
    await pilot.pause()


EURO_QUOTE = {"Symbol": "6EZ26", "Last": "1.08345", "NetChange": "0.00012", "Bid": "1.0834",
              "Ask": "1.08350", "High": "1.085", "Low": "1.08", "PreviousClose": "1.08333",
              "TradeTime": TIME}
BOND_QUOTE = {"Symbol": "@US", "Last": "117.5", "NetChange": "-0.03125", "Bid": "117.46875",
              "Ask": "117.5", "High": "118.03125", "Low": "116.96875", "TradeTime": TIME}
NOTE_QUOTE = {"Symbol": "@FV", "Last": "110.515625", "NetChange": "0.0078125",
              "Bid": "110.5078125", "Ask": "110.515625", "High": "110.5234375",
              "Low": "110.5", "TradeTime": TIME}
STOCK_QUOTE = {"Symbol": "AAPL", "Last": "1234.5", "NetChange": "1.5", "Bid": "1234.49",
               "Ask": "1234.51", "High": "1240", "Low": "1230", "TradeTime": TIME}


async def test_quotes_before_and_after_their_details_arrive(tmp_path):
    app, client = make_app(tmp_path)
    gate = client.details_gate = asyncio.Event()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        quotes = app.quotes_panel
        await client.latest("quotes").push(EURO_QUOTE, BOND_QUOTE, NOTE_QUOTE, STOCK_QUOTE)
        app.tick()
        await pilot.pause()
        # no details yet: the old rule
        assert row_of(quotes, "6EZ26")["last"] == "1.08" and row_of(quotes, "6EZ26")["chg"] \
            == "+0.00"
        assert row_of(quotes, "@US")["last"] == "117.50"
        await wait_for(pilot, lambda: client.details_calls, what="the details asked for")
        asked = {s for call in client.details_calls for s in call}
        assert {"6EZ26", "@US", "@FV", "AAPL"} <= asked

        painted: list[str] = []
        render_row = quotes.render_row

        def spy(symbol, tick):
            painted.append(symbol)
            return render_row(symbol, tick)

        quotes.render_row = spy  # type: ignore[method-assign]
        app.tick()
        assert painted == []  # nothing changed: nothing repainted while the details are away
        gate.set()
        await details_in(pilot, app, ["6EZ26", "@US", "@FV"])
        # only the rows whose details arrived were repainted, once each
        assert sorted(painted) == ["6EZ26", "@FV", "@US"]
        assert row_of(quotes, "6EZ26") == {"last": "1.08345", "chg": "+0.00012",
                                           "bid": "1.08340", "ask": "1.08350",
                                           "high": "1.08500", "low": "1.08000",
                                           "chgp": "+0.01%"}
        assert row_of(quotes, "@US") == {"last": "117'16", "chg": "-0'01", "bid": "117'15",
                                         "ask": "117'16", "high": "118'01", "low": "116'31",
                                         "chgp": "-0.03%"}
        assert row_of(quotes, "@FV")["last"] == "110'165"
        assert row_of(quotes, "@FV")["bid"] == "110'162"
        assert row_of(quotes, "@FV")["high"] == "110'167"
        # no details for AAPL: the old rule stays
        assert row_of(quotes, "AAPL")["last"] == "1,234.50"
        # later deltas keep the new digits
        await client.latest("quotes").push({"Symbol": "6EZ26", "Last": "1.0836"},
                                           {"Symbol": "@US", "Last": "117.53125"})
        app.tick()
        await pilot.pause()
        assert row_of(quotes, "6EZ26")["last"] == "1.08360"
        assert row_of(quotes, "@US")["last"] == "117'17"
        # asked once: a symbol is not asked for again
        app.tick()
        await pilot.pause()
        assert sorted(s for call in client.details_calls for s in call) == sorted(asked)


def chart_text(app) -> list[str]:
    chart = app.bars_panel.chart
    width, height = chart.size
    return ["".join(seg.text for seg in line) for line in chart.draw(width, height)]


async def test_the_chart_tape_orders_and_positions_take_the_format(tmp_path):
    app, client = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await client.latest("bars").push(
            {"Open": "117.03125", "High": "117.5", "Low": "116.96875", "Close": "117.46875",
             "TotalVolume": "1200", "TimeStamp": "2026-11-25T14:29:00Z", "Epoch": 1},
            {"Open": "117.46875", "High": "117.5", "Low": "117.4375", "Close": "117.5",
             "TotalVolume": "900", "TimeStamp": "2026-11-25T14:30:00Z", "Epoch": 2})
        await client.latest("tape").push({"Symbol": "@US", "Price": "117.5", "Size": "3",
                                          "Time": TIME, "Side": "buy"})
        await client.latest("orders").snapshot(
            {"OrderID": "1", "Status": "OPN", "OrderType": "Limit", "LimitPrice": "117.03125",
             "OpenedDateTime": TIME, "Legs": [{"Symbol": "@US", "BuyOrSell": "Buy",
                                               "QuantityOrdered": "1", "ExecQuantity": "0"}]},
            {"OrderID": "2", "Status": "FLL", "OrderType": "Market", "FilledPrice": "1.08345",
             "OpenedDateTime": TIME, "Legs": [{"Symbol": "6EZ26", "BuyOrSell": "Sell",
                                               "QuantityOrdered": "1", "ExecQuantity": "1"}]})
        await client.latest("positions").snapshot(
            {"PositionID": "p1", "Symbol": "@US", "Quantity": "1", "LongShort": "Long",
             "AveragePrice": "117.03125", "Last": "117.5", "MarketValue": "117500",
             "UnrealizedProfitLoss": "468.75", "TotalCost": "117031.25"},
            {"PositionID": "p2", "Symbol": "6EZ26", "Quantity": "1", "LongShort": "Short",
             "AveragePrice": "1.08345", "Last": "1.0836", "MarketValue": "135450",
             "UnrealizedProfitLoss": "-18.75", "TotalCost": "135431.25"})
        await details_in(pilot, app, ["6EZ26", "@US", "@FV"])
        await wait_for(pilot, lambda: not app.bars_panel.model.dirty, what="chart repainted")

        lines = chart_text(app)
        assert lines[0].startswith("O 117'15  H 117'16  L 117'14  C 117'16  V 900")
        tag = [line for line in lines if "◂" in line]
        assert tag and tag[0].rstrip().endswith("◂117'16")
        axis = [line.rstrip().rsplit(" ", 1)[-1] for line in lines[1:-1] if "'" in line]
        assert axis and all("'" in label and "." not in label for label in axis)

        tape = app.tape_panel.view
        assert "117'16" in "".join(seg.text for seg in tape.render_line(1))

        orders = app.panels["orders"].table
        assert cell(orders, "1", "price") == "117'01"
        assert cell(orders, "2", "price") == "1.08345"
        positions = app.panels["positions"].table
        assert (cell(positions, "p1", "avg"), cell(positions, "p1", "last")) == ("117'01",
                                                                                 "117'16")
        assert (cell(positions, "p2", "avg"), cell(positions, "p2", "last")) == ("1.08345",
                                                                                 "1.08360")
        # money stays money
        assert cell(positions, "p1", "value") == "117,500.00"
        assert cell(positions, "p1", "pnl") == "+468.75"


async def test_a_failed_details_call_keeps_the_old_rule_and_is_logged(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="tsdash.ui.symbols")
    app, client = make_app(tmp_path)
    client.details_error = StreamConnectionError("TradeStation did not answer in time")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        await client.latest("quotes").push(EURO_QUOTE)
        app.tick()
        await wait_for(pilot, lambda: any("did not answer" in r.getMessage()
                                          for r in caplog.records), what="the failure logged")
        app.tick()
        await pilot.pause()
        assert row_of(app.quotes_panel, "6EZ26")["last"] == "1.08"
        assert app.is_running and not app.symbol_details.due()  # asked again later, not now
        calls = len(client.details_calls)
        app.tick()
        await pilot.pause()
        assert len(client.details_calls) == calls


def widths(table) -> dict[str, int]:
    return table.column_widths()


async def test_columns_fit_the_new_digits_once_the_details_arrive(tmp_path):
    # a price shown first by the old rule ("12,345.50", with separators) widens its columns;
    # once the format arrives ("12345.50") they fit the new digits, as if it had come first
    stock = {"AssetType": "STOCK", "Symbol": "BKNG",
             "PriceFormat": {"Format": "Decimal", "Decimals": "2", "Increment": "0.01"}}
    quote = {"Symbol": "BKNG", "Last": "12345.5", "NetChange": "1.5", "Bid": "12345.49",
             "Ask": "12345.51", "High": "12400", "Low": "12300", "TradeTime": TIME}
    seen = {}
    for late in (False, True):
        app, client = make_app(tmp_path, symbols=("BKNG",), chart="BKNG")
        client.symbol_details = {"BKNG": stock}
        if late:
            gate = client.details_gate = asyncio.Event()
        async with app.run_test(size=(160, 48)) as pilot:
            await started(pilot, client)
            quotes = app.quotes_panel
            if not late:
                app.symbol_details.formatter("BKNG")  # wanted before the first quote
                app.tick()
                await details_in(pilot, app, ["BKNG"])
            await client.latest("quotes").push(quote)
            app.tick()
            await pilot.pause()
            if late:
                assert cell(quotes.table, "BKNG", "last") == "12,345.50"
                gate.set()
                await details_in(pilot, app, ["BKNG"])
                app.tick()
                await pilot.pause()
            assert cell(quotes.table, "BKNG", "last") == "12345.50"
            seen[late] = widths(quotes.table)
    assert seen[True] == seen[False]
