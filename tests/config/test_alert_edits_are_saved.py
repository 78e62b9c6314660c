"""Alert rules added or deleted in the app are written into what the file holds NOW, as
``[[alerts]]`` tables, atomically, every other setting kept; a read-only or invalid file is left
alone (issue 15, as watchlist edits are saved: issue 11)."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tsdash.alerts.rules import AlertRule, Condition, make_rule
from tsdash.config import (
    AlertEdit,
    ConfigError,
    EditKind,
    apply_alert_edits,
    load_settings,
)
from config_helpers import EXISTING, files_in

AAPL_ABOVE = make_rule("AAPL", Condition.ABOVE, 230)
MSFT_VOLUME = make_rule("MSFT", Condition.VOLUME_ABOVE, 1_000_000)
SPY_DOWN = make_rule("SPY", Condition.CHANGE_PCT_BELOW, -2.5)

WITH_RULE = EXISTING + '\n[[alerts]]\nsymbol = "AAPL"\nabove = 230.0\n'


def add(rule: AlertRule) -> AlertEdit:
    return AlertEdit(EditKind.ADD, rule)


def remove(rule: AlertRule) -> AlertEdit:
    return AlertEdit(EditKind.REMOVE, rule)


def without_alerts(text: str) -> dict:
    data = tomllib.loads(text)
    data.pop("alerts", None)
    return data


def test_an_add_is_written_as_an_alerts_table_keeping_every_other_setting(write_config) -> None:
    path = write_config(EXISTING)
    session = load_settings(path)
    written = session.save_alert_edits([add(MSFT_VOLUME)])
    text = path.read_text()
    assert '\n[[alerts]]\nsymbol = "MSFT"\nvolume_above = 1000000.0\n' in text
    assert without_alerts(text) == tomllib.loads(EXISTING)
    assert written.alerts == [MSFT_VOLUME] == load_settings(path).alerts
    assert written == load_settings(path)
    assert session.alerts == []  # the session's own settings are not changed


def test_a_save_keeps_rules_added_to_the_file_by_hand(write_config) -> None:
    path = write_config(EXISTING)
    session = load_settings(path)                    # the dashboard read the file at start
    path.write_text(WITH_RULE)                      # then a rule was added in an editor
    written = session.save_alert_edits([add(SPY_DOWN)])  # then `!` added another
    assert load_settings(path).alerts == written.alerts == [AAPL_ABOVE, SPY_DOWN]


def test_a_removal_deletes_only_that_rule(write_config) -> None:
    path = write_config(WITH_RULE + '\n[[alerts]]\nsymbol = "MSFT"\nvolume_above = 1000000\n')
    load_settings(path).save_alert_edits([remove(AAPL_ABOVE)])
    assert load_settings(path).alerts == [MSFT_VOLUME]
    assert without_alerts(path.read_text()) == tomllib.loads(EXISTING)


def test_removing_the_last_rule_leaves_the_key_out(write_config) -> None:
    path = write_config(WITH_RULE)
    written = load_settings(path).save_alert_edits([remove(AAPL_ABOVE)])
    assert written.alerts == []
    assert "alerts" not in tomllib.loads(path.read_text())
    assert tomllib.loads(path.read_text()) == tomllib.loads(EXISTING)


def test_edits_that_no_longer_fit_are_skipped(write_config) -> None:
    path = write_config(WITH_RULE)
    session = load_settings(path)
    same_rule = make_rule("aapl", "above", "230.00")  # typed again in the app: the same id
    written = session.save_alert_edits([add(same_rule), remove(SPY_DOWN), add(MSFT_VOLUME),
                                        add(MSFT_VOLUME)])
    assert written.alerts == load_settings(path).alerts == [AAPL_ABOVE, MSFT_VOLUME]


def test_apply_alert_edits_in_order_on_a_copy() -> None:
    rules = [AAPL_ABOVE]
    assert apply_alert_edits(rules, [add(SPY_DOWN), remove(AAPL_ABOVE), add(AAPL_ABOVE)]) == [
        SPY_DOWN, AAPL_ABOVE]
    assert rules == [AAPL_ABOVE]


def test_a_missing_file_is_created_with_the_sessions_settings_and_the_rules(tmp_path) -> None:
    path = tmp_path / "new" / "config.toml"
    session = load_settings(path)
    session.add_symbol("etfs", "XLK")
    written = session.save_alert_edits([add(AAPL_ABOVE)])
    on_disk = load_settings(path)
    assert on_disk == written
    assert on_disk.alerts == [AAPL_ABOVE]
    assert on_disk.watchlists == session.watchlists
    assert session.alerts == []
    assert files_in(path.parent) == ["config.toml"]


def test_an_invalid_file_is_left_alone(write_config) -> None:
    broken = WITH_RULE.replace("above = 230.0", 'above = "230"')
    path = write_config(broken)
    session = load_settings(write_config(EXISTING, name="other.toml"))
    session.path = path
    with pytest.raises(ConfigError, match=r'key "alerts\[0\].above"'):
        session.save_alert_edits([add(MSFT_VOLUME)])
    assert path.read_text() == broken


def test_a_read_only_file_is_refused_and_left_alone(write_config) -> None:
    path = write_config(WITH_RULE)
    path.chmod(0o444)
    try:
        with pytest.raises(ConfigError) as info:
            load_settings(path).save_alert_edits([add(MSFT_VOLUME)])
        assert str(info.value).startswith(f"config file {path} is read-only (mode 0444)")
        assert path.read_text() == WITH_RULE
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    finally:
        path.chmod(0o644)


def test_the_write_goes_through_a_temp_file_and_rename(write_config, tmp_path,
                                                       monkeypatch) -> None:
    path = write_config(EXISTING)
    replaced = []
    real_replace = os.replace

    def spy_replace(src, dst):
        # at the rename, the new text is whole in a temp file of the same folder and the
        # config still holds the old text
        assert os.path.dirname(os.path.abspath(src)) == str(tmp_path)
        assert '[[alerts]]\nsymbol = "SPY"' in Path(src).read_text()
        assert Path(dst).read_text() == EXISTING
        replaced.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy_replace)
    load_settings(path).save_alert_edits([add(SPY_DOWN)])
    assert len(replaced) == 1
    assert files_in(tmp_path) == ["config.toml"]


def test_a_failed_write_leaves_the_old_file(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    session = load_settings(path)

    def broken_dumps(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tomli_w, "dumps", broken_dumps)
    with pytest.raises(RuntimeError):
        session.save_alert_edits([add(SPY_DOWN)])
    assert path.read_text() == EXISTING
    assert files_in(tmp_path) == ["config.toml"]


def test_rules_written_after_the_tables_stay_valid_for_a_later_save(write_config) -> None:
    # the [[alerts]] tables come last; a later save of another key must keep the file valid
    path = write_config(EXISTING)
    load_settings(path).save_alert_edits([add(AAPL_ABOVE), add(SPY_DOWN)])
    load_settings(path).save_theme("tsdash-light")
    settings = load_settings(path)
    assert (settings.theme, settings.alerts) == ("tsdash-light", [AAPL_ABOVE, SPY_DOWN])
    assert path.read_text().count("[[alerts]]") == 2
