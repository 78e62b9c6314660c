"""[[alerts]] rules and [notifications] are checked like every other key: valid rules load as
AlertRule values, and each mistake is one ConfigError naming the key (``alerts[0].above``), what
was wrong and what to do; `tsdash` with a bad rule exits 2 with that message (issue 15)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tsdash.alerts.rules import AlertRule, Condition
from tsdash.config import NOTIFICATION_EVENTS, ConfigError, NotificationSettings, load_settings


def error_for(write_config, text: str) -> ConfigError:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"config error in {path}: "), message
    assert "\n" not in message
    return info.value


RULES = """\
theme = "tsdash-dark"

[[alerts]]
symbol = "AAPL"
above = 230.0

[[alerts]]
symbol = "MSFT"
below = 400

[[alerts]]
symbol = "BRK.B"
change_pct_above = 2.5

[[alerts]]
symbol = "$SPX.X"
change_pct_below = -1.5

[[alerts]]
symbol = "AAPL 261218C230"
volume_above = 1000000
"""


def test_valid_rules_load_as_alert_rules_in_file_order(write_config) -> None:
    settings = load_settings(write_config(RULES))
    assert settings.alerts == [
        AlertRule("AAPL", Condition.ABOVE, 230.0),
        AlertRule("MSFT", Condition.BELOW, 400.0),
        AlertRule("BRK.B", Condition.CHANGE_PCT_ABOVE, 2.5),
        AlertRule("$SPX.X", Condition.CHANGE_PCT_BELOW, -1.5),
        AlertRule("AAPL 261218C230", Condition.VOLUME_ABOVE, 1_000_000.0),
    ]


def test_no_rules_and_default_notifications_without_the_keys(write_config) -> None:
    settings = load_settings(write_config('theme = "tsdash-dark"\n'))
    assert settings.alerts == []
    assert settings.notifications == NotificationSettings(
        bell=True, desktop=False, events=["alert", "fill", "reject", "cancel", "stream"])
    assert list(NOTIFICATION_EVENTS) == ["alert", "fill", "reject", "cancel", "stream"]


def test_notifications_are_read(write_config) -> None:
    settings = load_settings(write_config(
        '[notifications]\nbell = false\ndesktop = true\nevents = ["Fill", "reject"]\n'))
    assert settings.notifications == NotificationSettings(False, True, ["fill", "reject"])


def test_an_empty_events_list_means_nothing_notifies(write_config) -> None:
    assert load_settings(write_config("[notifications]\nevents = []\n")).notifications.events \
        == []


@pytest.mark.parametrize(("table", "key", "says"), [
    # two conditions: the second is named, and how to write two rules
    ('symbol = "AAPL"\nabove = 230.0\nbelow = 200.0', "alerts[0].below",
     "an alert has exactly one condition, this one has above and below: make it two "
     "[[alerts]] entries"),
    # none: the table itself is at fault, and the conditions are listed
    ('symbol = "AAPL"', "alerts[0]",
     "an alert needs one condition: above, below, change_pct_above, change_pct_below, "
     "volume_above"),
    ('symbol = "AAPL"\nvolume_above = -5', "alerts[0].volume_above",
     "volume_above must be a volume (a number greater than 0), not -5"),
    ('symbol = "AA PL"\nabove = 230.0', "alerts[0].symbol",
     "symbol 'AA PL': a symbol cannot contain spaces"),
    ('symbol = "AAPL"\nabove = "230"', "alerts[0].above",
     "above must be a price (a number) written without quotes, not '230'"),
    ("above = 230.0", "alerts[0].symbol", 'an alert needs a symbol, e.g. symbol = "AAPL"'),
])
def test_a_bad_rule_names_its_key_and_what_to_do(write_config, table, key, says) -> None:
    error = error_for(write_config, f"[[alerts]]\n{table}\n")
    assert error.key == key
    assert f'key "{key}" (the 1st [[alerts]] table): {says}' in str(error)


def test_the_index_counts_the_tables_from_zero_as_elsewhere(write_config) -> None:
    text = '[[alerts]]\nsymbol = "AAPL"\nabove = 1.0\n\n[[alerts]]\nsymbol = "MSFT"\n'
    error = error_for(write_config, text)
    assert error.key == "alerts[1]"
    assert '"alerts[1]" (the 2nd [[alerts]] table)' in str(error)


def test_an_unknown_key_in_a_rule_is_named_with_a_suggestion(write_config) -> None:
    error = error_for(write_config,
                      '[[alerts]]\nsymbol = "AAPL"\nabove = 1.0\n[[alerts]]\nsymbol = "MSFT"\n'
                      "abov = 2.0\n")
    assert error.key == "alerts[1].abov"
    assert str(error).endswith(
        'unknown key "alerts[1].abov" (did you mean "alerts[1].above"?); expected one of: '
        "symbol, above, below, change_pct_above, change_pct_below, volume_above")


@pytest.mark.parametrize(("text", "key", "found"), [
    ('alerts = ["AAPL"]\n', "alerts[0]", '"AAPL" (a string)'),
    ('alerts = [{ symbol = "AAPL", above = 1.0 }, 5]\n', "alerts[1]", "5 (an integer)"),
    ('[alerts]\nsymbol = "AAPL"\nabove = 1.0\n', "alerts", "a table"),
    ("alerts = 3\n", "alerts", "3 (an integer)"),
])
def test_an_entry_that_is_not_a_table_is_named(write_config, text, key, found) -> None:
    error = error_for(write_config, text)
    assert error.key == key
    assert f'key "{key}": expected ' in str(error)
    assert "[[alerts]]" in str(error)
    assert str(error).endswith(f"found {found}")


def test_the_same_rule_twice_is_refused_naming_both(write_config) -> None:
    text = ('[[alerts]]\nsymbol = "AAPL"\nabove = 230\n\n[[alerts]]\nsymbol = "MSFT"\nabove = 1\n'
            '\n[[alerts]]\nsymbol = "AAPL"\nabove = 230.0\n')
    error = error_for(write_config, text)
    assert error.key == "alerts[2]"
    assert str(error).endswith(
        'key "alerts[2]" (the 3rd [[alerts]] table): the same alert as "alerts[0]" (the 1st), '
        "AAPL last at or above 230; delete one of the two")


def test_an_unknown_event_is_named_with_the_names_and_a_suggestion(write_config) -> None:
    error = error_for(write_config, '[notifications]\nevents = ["alert", "fil"]\n')
    assert error.key == "notifications.events[1]"
    assert str(error).endswith(
        'key "notifications.events[1]": expected one of "alert", "fill", "reject", "cancel" or '
        '"stream", found "fil" (a string); did you mean "fill"?')


@pytest.mark.parametrize(("text", "key", "found"), [
    ('[notifications]\nevents = "alert"\n', "notifications.events", '"alert" (a string)'),
    ('[notifications]\nevents = [1]\n', "notifications.events[0]", "1 (an integer)"),
    ('[notifications]\nevents = ["fill", "fill"]\n', "notifications.events[1]",
     '"fill" (a string); "fill" is already in the list'),
    ('[notifications]\nbell = "yes"\n', "notifications.bell", '"yes" (a string)'),
    ('[notifications]\ndesktop = 1\n', "notifications.desktop", "1 (an integer)"),
])
def test_bad_notification_settings_are_named(write_config, text, key, found) -> None:
    error = error_for(write_config, text)
    assert error.key == key
    assert str(error).endswith(found)


def test_a_notification_key_at_the_top_says_where_it_belongs(write_config) -> None:
    error = error_for(write_config, "bell = false\n")
    assert 'did you mean "notifications.bell"? it belongs in the [notifications] table' \
        in str(error)


def test_the_dashboard_with_a_bad_rule_exits_2_with_the_message(write_config, tmp_path) -> None:
    path = write_config('[[alerts]]\nsymbol = "AAPL"\nabove = 230.0\nbelow = 200.0\n')
    done = subprocess.run([sys.executable, "-m", "tsdash.cli", "--config", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f'tsdash: config error in {path}: key "alerts[0].below" (the 1st [[alerts]] table): an '
        "alert has exactly one condition, this one has above and below: make it two [[alerts]] "
        "entries\n")
