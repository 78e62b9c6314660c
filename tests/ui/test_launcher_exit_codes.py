"""The launcher's exit codes: 2 for a bad config or log level, else the app's own status."""

from __future__ import annotations

from ui_helpers import args
from tsdash.ui import launch
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import DemoConnector


def test_bad_config_prints_the_message_and_returns_2(private_dirs, capsys):
    bad = private_dirs / "bad.toml"
    bad.write_text("repaint_hz = [\n")
    assert launch.run_dashboard(args(config=str(bad), demo=True)) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "tsdash:" in err


def test_bad_log_level_returns_2(private_dirs, capsys):
    assert launch.run_dashboard(args(demo=True, log_level="LOUD")) == 2
    assert "--log-level" in capsys.readouterr().err


def test_run_dashboard_runs_the_app_and_returns_its_status(private_dirs, monkeypatch):
    seen = {}

    def fake_run(self):
        seen["connector"] = self.connector
        seen["settings"] = self.settings
        return 0

    monkeypatch.setattr(TsdashApp, "run", fake_run)
    assert launch.run_dashboard(args(demo=True)) == 0
    assert isinstance(seen["connector"], DemoConnector)
