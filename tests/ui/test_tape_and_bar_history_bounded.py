"""The tape and bars models stay bounded, and a new connection's bars replace the history."""

from __future__ import annotations

from tsdash.ui.models import BarsModel, TapeModel


def test_tape_is_a_bounded_ring_newest_first():
    tape = TapeModel("AAPL", maxlen=50)
    for i in range(10_000):
        tape.apply({"Price": str(i), "Size": "1", "Side": "buy"})
    assert len(tape) == 50 and tape.maxlen == 50
    newest = list(tape.newest(3))
    assert [t["Price"] for t in newest] == ["9999", "9998", "9997"]
    tape.reset("MSFT")
    assert len(tape) == 0 and tape.symbol == "MSFT"


def test_bars_keyed_by_timestamp_update_in_place_and_stay_bounded():
    model = BarsModel("SPY", max_bars=5)
    for minute in range(8):
        model.apply({"TimeStamp": f"2026-11-25T14:{minute:02d}:00Z", "Close": "1"})
    assert len(model) == 5
    model.apply({"TimeStamp": "2026-11-25T14:07:00Z", "Close": "2"})  # the live bar again
    assert len(model) == 5 and model.last(1)[0]["Close"] == "2"
    model.apply({"TimeStamp": "2026-11-25T14:06:30Z", "Close": "3"})  # out of order
    stamps = [b["TimeStamp"] for b in model.last(10)]
    assert stamps == sorted(stamps) and len(stamps) == 5
    model.apply({"Epoch": 1, "Close": "4"})  # no TimeStamp: keyed by Epoch, never crashes
    model.apply({"TimeStamp": "garbage", "Close": "5"})  # ignored
    model.reset("QQQ")
    assert len(model) == 0 and model.symbol == "QQQ"


def bar_history(start_minute: int, count: int) -> list[dict]:
    """``count`` one-minute bars from 14:00 + ``start_minute`` (a server's barsback history)."""
    return [{"Epoch": 1_764_000_000_000 + (start_minute + i) * 60_000, "Close": str(i)}
            for i in range(count)]


def test_a_new_connections_bars_replace_the_history_from_its_first_bar():
    model = BarsModel("SPY", max_bars=600)
    for bar in bar_history(0, 120):
        model.apply(bar)
    model.new_history()  # a reconnect: the old chart stays until the new connection's first bar
    assert len(model) == 120
    # a restarted server: the same number of bars, its times shifted half a minute
    shifted = [{**bar, "Epoch": bar["Epoch"] + 30_000, "Close": "new"}
               for bar in bar_history(0, 120)]
    for bar in shifted:
        model.apply(bar)
    assert len(model) == 120  # not 240 with old and new interleaved
    assert all(bar["Close"] == "new" for bar in model.last(600))
    # live bars after the history update in place, as before
    model.apply({**shifted[-1], "Close": "live"})
    assert len(model) == 120 and model.last(1)[0]["Close"] == "live"
    # a reconnect to the same server (same times) gives the same history, not a doubled one
    model.new_history()
    for bar in shifted:
        model.apply(bar)
    assert len(model) == 120 and model.last(1)[0]["Close"] == "new"
    model.new_history()
    model.reset("QQQ")  # a new symbol starts empty; its first bar does not clear anything
    model.apply(bar_history(0, 1)[0])
    assert len(model) == 1
