"""The quotes model merges deltas by symbol, follows watchlist edits and marks refused symbols."""

from __future__ import annotations

from tsdash.ui.models import QuoteModel


def test_quote_deltas_merge_by_symbol():
    model = QuoteModel(["AAPL", "MSFT"], clock=lambda: 5.0)
    model.take_changes()
    model.apply({"Symbol": "AAPL", "Last": "100", "Bid": "99.9", "Ask": "100.1", "Volume": "10"})
    model.apply({"Symbol": "AAPL", "Last": "100.5"})  # a delta: only what changed
    assert model.quotes["AAPL"] == {"Symbol": "AAPL", "Last": "100.5", "Bid": "99.9",
                                    "Ask": "100.1", "Volume": "10"}
    changes = model.take_changes()
    assert changes.dirty == {"AAPL"} and not changes.reset
    assert not model.take_changes()  # nothing new since
    assert model.activity.messages == 2 and model.activity.last_at == 5.0


def test_quote_for_unknown_symbol_is_ignored_and_reset_replaces_watchlist():
    model = QuoteModel(["AAPL"])
    model.apply({"Symbol": "ZZZ", "Last": "1"})
    model.apply({"Last": "1"})  # no Symbol at all
    assert set(model.quotes) == {"AAPL"}
    model.reset(["spy", "QQQ", "SPY"])
    assert model.symbols == ["SPY", "QQQ"]
    changes = model.take_changes()
    assert changes.reset and changes.dirty == {"SPY", "QQQ"}


def test_an_edited_watchlist_keeps_the_quotes_it_still_has():
    model = QuoteModel(["AAPL", "MSFT", "BAD"])
    model.apply({"Symbol": "AAPL", "Last": "100"})
    model.apply({"Symbol": "MSFT", "Last": "400"})
    model.set_error("BAD", "FAILED, INVALID SYMBOL")
    model.take_changes()
    model.set_symbols(["AAPL", "ibm"])
    assert model.symbols == ["AAPL", "IBM"]
    assert model.quotes == {"AAPL": {"Symbol": "AAPL", "Last": "100"}, "IBM": {"Symbol": "IBM"}}
    assert model.errors == {}
    changes = model.take_changes()
    # the new row is painted; the repaint drops rows no longer in the model
    assert changes.dirty == {"IBM"} and changes.reset
    model.apply({"Symbol": "MSFT", "Last": "401"})  # a late message of the old stream
    assert "MSFT" not in model.quotes


def test_quote_symbol_error_marks_row():
    model = QuoteModel(["AAPL", "BAD"])
    model.take_changes()
    model.set_error("BAD", "FAILED, INVALID SYMBOL")
    assert model.errors == {"BAD": "FAILED, INVALID SYMBOL"}
    assert model.take_changes().dirty == {"BAD"}
