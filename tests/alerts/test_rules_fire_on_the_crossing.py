"""A rule fires when its condition becomes true (also on the first quote), once; it arms again
only after a quote shows the condition false; a quote seen twice, or a restart, fires nothing."""

from __future__ import annotations

import pytest

from tsdash.alerts.rules import Condition, make_rule
from tsdash.alerts.state import RuleStates, RuleStatus
from tsdash.alerts.watch import AlertWatcher


def quotes(symbol: str, field: str, values) -> list[dict]:
    return [{"Symbol": symbol, field: str(v)} for v in values]


def fired(watcher: AlertWatcher, messages) -> list[int]:
    """The indexes of the messages that fired a rule."""
    return [i for i, message in enumerate(messages) if watcher.on_quote(message)]


@pytest.mark.parametrize(("condition", "level", "field", "values", "expected"), [
    # crossing up, staying up (no repeat), dropping below (arms), touching again (fires)
    (Condition.ABOVE, 100, "Last", [99, 99.5, 100, 101, 102, 99.9, 99, 100.0, 103], [2, 7]),
    (Condition.BELOW, 50, "Last", [51, 50.01, 50, 49, 50.5, 52, 49.99], [2, 6]),
    (Condition.VOLUME_ABOVE, 1000, "Volume", [10, 500, 999, 1000, 1500, 2500], [3]),
])
def test_fires_once_at_each_crossing(condition, level, field, values, expected):
    watcher = AlertWatcher([make_rule("ABC", condition, level)])
    assert fired(watcher, quotes("ABC", field, values)) == expected


def test_change_percent_fires_from_net_change_and_last():
    watcher = AlertWatcher([make_rule("ABC", "change_pct_above", 2),
                            make_rule("ABC", "change_pct_below", -1)])
    messages = [{"Symbol": "ABC", "Last": "100", "NetChange": "0"},          # 0 %
                {"Symbol": "ABC", "Last": "102", "NetChange": "2"},          # +2.04 %: above
                {"Symbol": "ABC", "Last": "103", "NetChange": "3"},          # still above
                {"Symbol": "ABC", "Last": "99", "NetChange": "-1"},          # -1.0 %: below
                {"Symbol": "ABC", "Last": "103", "NetChange": "3"}]          # above again
    out = [[n.details["rule"] for n in watcher.on_quote(m)] for m in messages]
    assert out == [[], ["ABC change_pct_above 2"], [], ["ABC change_pct_below -1"],
                   ["ABC change_pct_above 2"]]


def test_fires_on_the_first_quote_when_it_already_holds():
    watcher = AlertWatcher([make_rule("ABC", "above", 10)])
    (notification,) = watcher.on_quote({"Symbol": "ABC", "Last": "12.50", "Bid": "12.49"})
    assert notification.kind == "alert" and notification.symbol == "ABC"
    # the level is written like the price beside it
    assert notification.text == "ABC last 12.50, at or above 10.00"
    assert notification.details == {"rule": "ABC above 10", "condition": "above",
                                    "level": 10.0, "value": 12.5}


def test_deltas_without_the_field_change_nothing():
    watcher = AlertWatcher([make_rule("ABC", "above", 10)])
    assert fired(watcher, [{"Symbol": "ABC", "Bid": "11"}, {"Symbol": "ABC", "Last": "11"},
                           {"Symbol": "ABC", "Ask": "9"}, {"Symbol": "ABC", "Volume": "5"}]) == [1]


def test_a_reconnect_resending_the_quote_does_not_fire_again():
    watcher = AlertWatcher([make_rule("ABC", "above", 10)])
    snapshot = {"Symbol": "ABC", "Last": "11", "Bid": "10.9", "Volume": "100"}
    assert watcher.on_quote(snapshot)
    # the stream reconnects and TradeStation sends the full quote again, twice (two streams)
    assert not watcher.on_quote(dict(snapshot))
    assert not watcher.on_quote(dict(snapshot))


def test_other_symbols_are_ignored():
    watcher = AlertWatcher([make_rule("ABC", "above", 10)])
    assert not watcher.on_quote({"Symbol": "XYZ", "Last": "50"})
    assert not watcher.on_quote({"Last": "50"})
    assert watcher.symbols == ["ABC"]


def test_a_restart_does_not_fire_a_rule_that_already_fired(tmp_path):
    store = RuleStates(tmp_path / "alerts-state.json")
    rule = make_rule("ABC", "above", 10)
    first = AlertWatcher([rule], store)
    assert first.on_quote({"Symbol": "ABC", "Last": "11"})
    assert first.state(rule).status is RuleStatus.FIRED

    restarted = AlertWatcher([rule], RuleStates(store.path))
    assert restarted.state(rule).status is RuleStatus.FIRED
    assert restarted.state(rule).fired_at == first.state(rule).fired_at
    assert not restarted.on_quote({"Symbol": "ABC", "Last": "11.5"})
    # false once, then true: that is a new crossing
    assert not restarted.on_quote({"Symbol": "ABC", "Last": "9"})
    assert RuleStates(store.path).load()[rule.id].armed
    assert restarted.on_quote({"Symbol": "ABC", "Last": "10"})


def test_a_damaged_state_file_leaves_every_rule_armed(tmp_path):
    path = tmp_path / "alerts-state.json"
    path.write_text("{not json")
    watcher = AlertWatcher([make_rule("ABC", "above", 10)], RuleStates(path))
    assert watcher.on_quote({"Symbol": "ABC", "Last": "11"})
    assert RuleStates(path).load()["ABC above 10"].armed is False


def test_rearm_by_hand_fires_at_the_next_quote_that_holds():
    rule = make_rule("ABC", "below", 5)
    watcher = AlertWatcher([rule])
    assert watcher.on_quote({"Symbol": "ABC", "Last": "4"})
    assert not watcher.on_quote({"Symbol": "ABC", "Last": "3.9"})
    watcher.rearm(rule)
    assert watcher.state(rule).status is RuleStatus.ARMED
    assert watcher.on_quote({"Symbol": "ABC", "Last": "3.8"})


def test_changing_the_rules_keeps_the_state_of_those_kept():
    keep, drop = make_rule("ABC", "above", 10), make_rule("XYZ", "below", 1)
    watcher = AlertWatcher([keep, drop])
    assert watcher.on_quote({"Symbol": "ABC", "Last": "11"})
    added = make_rule("ABC", "above", 20)
    watcher.set_rules([keep, added])
    assert watcher.symbols == ["ABC"]
    assert watcher.state(keep).status is RuleStatus.FIRED
    # the new rule is judged on the quote already merged, at the next message
    assert [n.details["rule"] for n in watcher.on_quote({"Symbol": "ABC", "Last": "21"})] == [
        "ABC above 20"]


def test_an_unwritable_state_file_is_reported_and_the_session_goes_on(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    watcher = AlertWatcher([make_rule("ABC", "above", 10)],
                           RuleStates(blocker / "sub" / "alerts-state.json"))
    assert watcher.on_quote({"Symbol": "ABC", "Last": "11"})
    assert watcher.save_error and "not saved" in watcher.save_error
    assert not watcher.on_quote({"Symbol": "ABC", "Last": "12"})


def test_a_rule_deleted_and_set_again_starts_armed(tmp_path):
    store = RuleStates(tmp_path / "alerts-state.json")
    rule = make_rule("ABC", "above", 10)
    watcher = AlertWatcher([rule], store)
    assert watcher.on_quote({"Symbol": "ABC", "Last": "11"})
    watcher.set_rules([])
    assert RuleStates(store.path).load() == {}  # forgotten on disk too
    watcher.set_rules([rule])
    assert watcher.state(rule).status is RuleStatus.ARMED
    assert watcher.on_quote({"Symbol": "ABC", "Last": "11.5"})


def test_a_rule_fired_on_an_earlier_trading_day_is_armed_again_at_start(tmp_path):
    from datetime import datetime, timedelta, timezone

    from tsdash.alerts.state import RuleState

    store = RuleStates(tmp_path / "alerts-state.json")
    earlier, today = make_rule("ABC", "change_pct_above", 2), make_rule("XYZ", "above", 10)
    two_days_ago = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat()
    store.save({earlier.id: RuleState(False, two_days_ago, 2.5),
                today.id: RuleState(False, datetime.now(timezone.utc).isoformat(), 11.0)},
               [earlier, today])
    watcher = AlertWatcher([earlier, today], RuleStates(store.path))
    assert watcher.state(earlier).status is RuleStatus.ARMED  # a new day: news again
    assert watcher.state(earlier).fired_at == two_days_ago  # when it last fired, still shown
    assert watcher.state(today).status is RuleStatus.FIRED  # a restart the same day: not
