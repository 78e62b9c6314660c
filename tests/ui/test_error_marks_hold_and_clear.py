"""The models keep TradeStation's per-symbol and per-account errors for as long as they hold."""

from __future__ import annotations

from tsdash.ui.models import BalancesModel, PositionsModel, QuoteModel


def test_a_quote_after_a_symbol_error_clears_it_and_silence_keeps_it():
    model = QuoteModel(["AAPL", "MSFT"])
    version = model.errors_version
    model.set_error("AAPL", "FAILED")
    model.set_error("MSFT", "FAILED, NOT ENTITLED")
    assert model.errors_version > version
    model.take_changes()
    version = model.errors_version
    model.apply({"Symbol": "AAPL", "Last": "230.1"})
    assert model.errors == {"MSFT": "FAILED, NOT ENTITLED"}
    assert model.errors_version > version and model.take_changes().dirty == {"AAPL"}
    model.apply({"Symbol": "NVDA", "Last": "1"})  # not in the list: nothing changes
    assert model.errors == {"MSFT": "FAILED, NOT ENTITLED"}


def test_a_balance_error_holds_until_the_accounts_balance_arrives():
    model = BalancesModel()
    model.apply({"AccountID": "A1", "Equity": "10"})
    model.set_account_error("A2", "Failed: down")
    version = model.errors_version
    model.set_account_error("A2", "Failed: down")  # reported again on the next poll
    assert model.errors_version == version
    model.apply({"AccountID": "A1", "Equity": "11"})
    assert model.account_errors == {"A2": "Failed: down"}, "another account's data"
    model.apply({"AccountID": "A2", "Equity": "5"})
    assert model.account_errors == {} and model.errors_version > version


def test_a_snapshot_without_the_error_ends_it_and_one_that_repeats_it_keeps_it():
    model = PositionsModel()
    model.begin_snapshot()
    model.set_account_error("A1", "Failed: down")
    model.apply({"PositionID": "1", "AccountID": "A2", "Symbol": "MSFT"})
    model.end_snapshot()
    assert model.account_errors == {"A1": "Failed: down"}
    model.apply({"PositionID": "1", "Last": "400"})  # a change without AccountID
    assert model.account_errors == {"A1": "Failed: down"}
    model.begin_snapshot()
    model.set_account_error("A1", "Failed: down")  # the new connection says it again
    model.end_snapshot()
    assert model.account_errors == {"A1": "Failed: down"}
    model.begin_snapshot()
    model.apply({"PositionID": "1", "AccountID": "A2", "Symbol": "MSFT"})
    model.end_snapshot()
    assert model.account_errors == {}
