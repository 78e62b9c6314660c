"""Orders, positions and balances tables follow snapshots, deletions and per-account rows (fake
client)."""

from __future__ import annotations

from ui_fakes import cell_text, make_app, started


async def test_orders_table_is_replaced_by_a_new_snapshot(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        orders = client.latest("orders")
        await orders.snapshot(
            {"OrderID": "1", "Status": "OPN", "OpenedDateTime": "2026-11-25T14:00:00Z",
             "Legs": [{"Symbol": "AAPL", "BuyOrSell": "Buy", "QuantityOrdered": "10",
                       "ExecQuantity": "0"}]},
            {"OrderID": "2", "Status": "FLL", "OpenedDateTime": "2026-11-25T14:01:00Z"},
        )
        app.tick()
        table = app.panels["orders"].table
        assert table.ordered_keys() == ["2", "1"]  # newest first
        assert cell_text(table, "1", "status") == "Sent"
        await orders.push({"OrderID": "1", "Status": "CAN", "StatusDescription": "Canceled"})
        app.tick()
        assert cell_text(table, "1", "status") == "Canceled"
        # reconnect: a snapshot without order 1
        await orders.snapshot({"OrderID": "2", "Status": "FLL"},
                              {"OrderID": "3", "Status": "REJ",
                               "OpenedDateTime": "2026-11-25T14:02:00Z"})
        app.tick()
        assert sorted(table.ordered_keys()) == ["2", "3"]
        assert "1 filled" in app.panels["orders"].detail_text()


async def test_positions_deleted_and_total_line(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        positions = client.latest("positions")
        await positions.snapshot(
            {"PositionID": "p1", "Symbol": "AAPL", "Quantity": "10", "LongShort": "Long",
             "UnrealizedProfitLoss": "25", "TotalCost": "1000"},
            {"PositionID": "p2", "Symbol": "MSFT", "Quantity": "5", "LongShort": "Short",
             "UnrealizedProfitLoss": "-5", "TotalCost": "500"},
        )
        app.tick()
        panel = app.panels["positions"]
        table = panel.table
        assert table.ordered_keys() == ["p1", "p2"]
        assert cell_text(table, "p2", "qty") == "-5"
        assert cell_text(table, "p1", "pnlp") == "+2.50%"
        total = str(panel.query_one(".positions-total").render())
        assert "+20.00" in total
        await positions.push({"PositionID": "p1", "Deleted": True})
        app.tick()
        assert table.ordered_keys() == ["p2"]
        assert "-5.00" in str(panel.query_one(".positions-total").render())


async def test_balances_rows_per_account(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        balances = client.latest("balances")
        await balances.push({"AccountID": "A1", "CashBalance": "1000", "Equity": "1500",
                             "BuyingPower": "3000", "MarketValue": "500",
                             "TodaysProfitLoss": "-12.5"})
        await balances.push({"AccountID": "A2", "CashBalance": "5"})
        app.tick()
        table = app.panels["balances"].table
        assert table.ordered_keys() == ["A1", "A2"]
        assert cell_text(table, "A1", "equity") == "1,500.00"
        assert cell_text(table, "A1", "today") == "-12.50"
