"""run_dashboard / run_snapshot, demo-or-account choice, command palette, theme file errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ui_helpers import frozen_clock, wait_for
from ui_fakes import FakeConnector
from tsdash.ui import launch, snapshot
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import DemoConnector
from tsdash.ui.themes import load_themes


@pytest.fixture
def private_dirs(tmp_path, monkeypatch):
    """Config, data and state under tmp_path (XDG), so nothing touches the real home."""
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.delenv("TSDASH_CONFIG", raising=False)
    monkeypatch.delenv("TS_CLIENT_SECRET", raising=False)
    return tmp_path


def args(**kw):
    base = {"demo": False, "config": None, "log_level": None, "command": None}
    return argparse.Namespace(**{**base, **kw})


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


def test_snapshot_command_writes_an_svg(private_dirs):
    out = private_dirs / "shots" / "dash.svg"
    status = snapshot.run_snapshot(args(command="snapshot", out=str(out), after=0.2,
                                        size="100x30", demo=True))
    assert status == 0
    text = out.read_text()
    assert text.startswith("<svg") and "Quotes" in text and "DEMO" in text


@pytest.mark.parametrize("size", ["12x", "5x5", "axb"])
def test_snapshot_rejects_a_bad_size(private_dirs, size, capsys):
    assert snapshot.run_snapshot(args(out=str(private_dirs / "x.svg"), after=0, size=size)) == 2
    assert "--size" in capsys.readouterr().err


async def test_command_palette_runs_dashboard_commands(settings):
    connector = FakeConnector()
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="live")
        names = list(settings.watchlists)
        await pilot.press("ctrl+p")
        await pilot.press(*"next watchlist")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.quotes_panel.active == names[1], what="switched")


async def test_the_palettes_chart_command_marks_the_row_and_moves_bars_and_tape(settings):
    connector = FakeConnector()
    client = connector.client
    app = TsdashApp(settings, connector=connector, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="live")
        symbol = [s for s in app.quotes_panel.model.symbols if s != app.bars_panel.symbol][0]
        await pilot.press("ctrl+p")
        await pilot.press(*f"chart {symbol.lower()}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: client.latest("tape").params["symbol"] == symbol
                       and client.latest("bars").params["symbol"] == symbol, what="followed")
        assert app.quotes_panel.selected == symbol
        assert app.bars_panel.symbol == app.tape_panel.symbol == symbol


async def test_a_broken_theme_file_is_skipped_with_a_notice(settings, tmp_path, monkeypatch):
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "nope"\n')
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    monkeypatch.setattr("tsdash.ui.app.load_themes", lambda: load_themes([themes]))
    settings.theme = "broken"
    app = TsdashApp(settings, connector=FakeConnector(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "tsdash-dark"  # the fallback
        messages = [n.message for n in app.notices]
        assert any("broken.toml" in m for m in messages)
        assert any("'broken' not found" in m for m in messages)
        assert app.dashboard_themes == ["tsdash-dark", "mine"]


def test_themes_are_packaged_next_to_the_code_or_in_the_checkout():
    from tsdash.ui.themes import theme_dirs

    found = {Path(str(d)).name for d in theme_dirs()}
    assert found == {"themes"}
