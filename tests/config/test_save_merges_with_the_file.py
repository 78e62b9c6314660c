"""A watchlist save writes its one change into what the file holds NOW: symbols and whole lists
added by hand in an editor while the dashboard ran are kept (issue 11, item 3)."""

from __future__ import annotations

import stat
import tomllib

import pytest

from tsdash.config import (
    ConfigError,
    EditKind,
    WatchlistEdit,
    apply_watchlist_edits,
    load_settings,
)

START = """\
theme = "tsdash-dark"

[watchlists]
tech = ["AAPL", "MSFT"]
etfs = ["SPY"]

[ui]
repaint_hz = 12
"""

EDITED_BY_HAND = """\
theme = "tsdash-dark"

[watchlists]
tech = ["AAPL", "MSFT", "NVDA"]
etfs = ["SPY"]
bonds = ["TLT", "IEF"]

[ui]
repaint_hz = 12
"""


def add(watchlist: str, symbol: str) -> WatchlistEdit:
    return WatchlistEdit(EditKind.ADD, watchlist, symbol)


def remove(watchlist: str, symbol: str) -> WatchlistEdit:
    return WatchlistEdit(EditKind.REMOVE, watchlist, symbol)


def test_an_add_keeps_what_was_added_to_the_file_by_hand(write_config) -> None:
    path = write_config(START)
    session = load_settings(path)          # the dashboard read the file at start
    path.write_text(EDITED_BY_HAND)        # then the file was edited in an editor
    session.add_symbol("tech", "IBM")      # then `a` added IBM in the app

    written = session.save_watchlist_edits([add("tech", "IBM")])

    data = tomllib.loads(path.read_text())
    assert data["watchlists"] == {"tech": ["AAPL", "MSFT", "NVDA", "IBM"], "etfs": ["SPY"],
                                  "bonds": ["TLT", "IEF"]}
    assert data["ui"] == {"repaint_hz": 12} and data["theme"] == "tsdash-dark"
    assert written.watchlists == data["watchlists"]
    assert session.watchlists == {"tech": ["AAPL", "MSFT", "IBM"], "etfs": ["SPY"]}  # untouched


def test_a_remove_keeps_what_was_added_to_the_file_by_hand(write_config) -> None:
    path = write_config(START)
    session = load_settings(path)
    path.write_text(EDITED_BY_HAND)
    session.save_watchlist_edits([remove("tech", "MSFT")])
    assert load_settings(path).watchlists == {"tech": ["AAPL", "NVDA"], "etfs": ["SPY"],
                                              "bonds": ["TLT", "IEF"]}


def test_an_invalid_file_is_not_written_over(write_config) -> None:
    path = write_config(START)
    session = load_settings(path)
    broken = START.replace('["SPY"]', '["SPY", "spy!"]')
    path.write_text(broken)
    with pytest.raises(ConfigError, match=r'watchlists\.etfs\[1\]'):
        session.save_watchlist_edits([add("tech", "IBM")])
    assert path.read_text() == broken


def test_a_missing_file_gets_the_sessions_watchlists(write_config, tmp_path) -> None:
    path = write_config(START)
    session = load_settings(path)
    session.add_symbol("tech", "IBM")
    path.unlink()  # deleted while the dashboard ran: the next save writes what is on screen
    session.save_watchlist_edits([add("tech", "IBM")])
    assert load_settings(path).watchlists == {"tech": ["AAPL", "MSFT", "IBM"], "etfs": ["SPY"]}


def test_the_file_mode_is_kept(write_config) -> None:
    path = write_config(START)
    path.chmod(0o640)
    load_settings(path).save_watchlist_edits([add("tech", "IBM")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_edits_that_no_longer_fit_are_skipped() -> None:
    lists = {"tech": ["AAPL"], "etfs": ["SPY", "QQQ"]}
    result = apply_watchlist_edits(lists, [
        add("tech", "AAPL"),       # already there
        remove("tech", "AAPL"),    # the last symbol of its list
        remove("etfs", "IWM"),     # gone
        remove("etfs", "QQQ"),
        add("gone", "IBM"),        # a list deleted meanwhile comes back with the symbol
    ])
    assert result == {"tech": ["AAPL"], "etfs": ["SPY"], "gone": ["IBM"]}
    assert lists == {"tech": ["AAPL"], "etfs": ["SPY", "QQQ"]}  # the input is not changed
