"""`tsdash alerts list` prints the config's rules with their saved state, in columns, without
the dashboard (no Textual); `tsdash alerts path` prints where notifications are written
(issue 15)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from tsdash.alerts.state import RuleState, RuleStates
from tsdash.cli import main
from tsdash.config import load_settings

RULES = """\
[[alerts]]
symbol = "AAPL"
above = 230.0

[[alerts]]
symbol = "BRK.B"
change_pct_below = -2.5

[[alerts]]
symbol = "MSFT"
volume_above = 1000000
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_prints_each_rule_armed_in_columns(capsys, write_config) -> None:
    path = write_config(RULES)
    assert run(capsys, "--config", str(path), "alerts", "list") == (0, (
        "AAPL   last at or above 230        armed\n"
        "BRK.B  change % at or below -2.5%  armed\n"
        "MSFT   volume at or above 1000000  armed\n"), "")


@pytest.fixture
def trading_day(monkeypatch):
    """The trading day the saved states below were written on (a rule fired on an earlier day
    is read as armed again)."""
    import tsdash.alerts.state as state

    real = state.exchange_date

    def on_that_day(moment=None):
        return date(2026, 12, 1) if moment is None else real(moment)

    monkeypatch.setattr(state, "exchange_date", on_that_day)


def test_list_says_when_a_rule_fired_and_what_re_arms_it(capsys, write_config, isolated_dirs,
                                                          trading_day) -> None:
    path = write_config(RULES)
    rules = load_settings(path).alerts
    RuleStates().save({
        "AAPL above 230": RuleState(False, "2026-12-01T14:02:11.482Z", 231.2),
        "BRK.B change_pct_below -2.5": RuleState(False, "2026-12-01T15:30:00.000Z", -2.61234),
        "MSFT volume_above 1000000": RuleState(True, "2026-11-30T14:00:00.000Z", 1200000.0),
    }, rules)
    assert (isolated_dirs["STATE"] / "tsdash").is_dir()  # the state folder of the XDG env
    status, out, err = run(capsys, "--config", str(path), "alerts", "list")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "AAPL   last at or above 230        fired 2026-12-01 14:02:11 UTC at 231.2, "
        "re-arms when last is below 230",
        "BRK.B  change % at or below -2.5%  fired 2026-12-01 15:30:00 UTC at -2.61%, "
        "re-arms when change % is above -2.5%",
        "MSFT   volume at or above 1000000  armed",  # fired once, armed again since
    ]


def test_a_rule_fired_on_an_earlier_trading_day_lists_as_armed(capsys, write_config,
                                                                 trading_day) -> None:
    path = write_config('[[alerts]]\nsymbol = "AAPL"\nabove = 230.0\n')
    RuleStates().save({"AAPL above 230": RuleState(False, "2026-11-30T20:59:00.000Z", 231.2)},
                      load_settings(path).alerts)
    assert run(capsys, "--config", str(path), "alerts", "list")[1] == (
        "AAPL  last at or above 230  armed\n")


def test_a_state_saved_for_another_rule_does_not_apply(capsys, write_config) -> None:
    path = write_config('[[alerts]]\nsymbol = "AAPL"\nabove = 231.0\n')
    state_file = RuleStates().path
    state_file.parent.mkdir(parents=True)
    state_file.write_text(json.dumps({"rules": {"AAPL above 230": {
        "armed": False, "fired_at": "2026-12-01T14:02:11Z", "fired_value": 231.2}}}))
    assert run(capsys, "--config", str(path), "alerts", "list")[1] == (
        "AAPL  last at or above 231  armed\n")


def test_list_with_no_rules_says_where_to_add_them(capsys, write_config) -> None:
    path = write_config('theme = "tsdash-dark"\n')
    status, out, err = run(capsys, "--config", str(path), "alerts", "list")
    assert (status, err) == (0, "")
    assert out.count("\n") == 1
    assert out.startswith(f"no alert rules: add [[alerts]] tables to {path} ")


def test_list_follows_tsdash_config_and_the_default_location(capsys, write_config, monkeypatch,
                                                             isolated_dirs, linux_only) -> None:
    default = isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    assert f"to {default} " in run(capsys, "alerts", "list")[1]  # no file: no rules
    monkeypatch.setenv("TSDASH_CONFIG", str(write_config(RULES, name="env.toml")))
    assert run(capsys, "alerts", "list")[1].startswith("AAPL ")


def test_list_with_a_bad_rule_exits_2_with_the_message(write_config, tmp_path) -> None:
    path = write_config('[[alerts]]\nsymbol = "AA PL"\nabove = 230.0\n')
    done = subprocess.run([sys.executable, "-m", "tsdash.cli", "--config", str(path), "alerts",
                           "list"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        f'tsdash: config error in {path}: key "alerts[0].symbol" (the 1st [[alerts]] table): '
        "symbol 'AA PL': a symbol cannot contain spaces")
    assert done.stderr.count("\n") == 1  # no traceback


def test_path_prints_the_journal_in_the_state_folder(capsys, isolated_dirs, linux_only) -> None:
    assert run(capsys, "alerts", "path") == (
        0, f"{isolated_dirs['STATE'] / 'tsdash' / 'alerts.jsonl'}\n", "")


def test_alerts_needs_an_action(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["alerts"])
    assert info.value.code == 2
    assert "the following arguments are required: ACTION" in capsys.readouterr().err


def test_alerts_list_loads_no_textual(write_config, tmp_path) -> None:
    path = write_config(RULES)
    code = ("import sys\n"
            "from tsdash.cli import main\n"
            f"status = main(['--config', {str(path)!r}, 'alerts', 'list'])\n"
            "print([m for m in sys.modules if m.split('.')[0] == 'textual'"
            " or m.startswith('tsdash.ui')], status)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, check=True)
    assert done.stdout.splitlines()[-1] == "[] 0"
