"""Starting the dashboard: when a sign-in is needed, what it says, and why the app ended."""

from __future__ import annotations

import argparse

import pytest
from ui_helpers import REFRESH, SECRET, sim_settings

from tsdash.credentials import save_login
from tsdash.ui import launch
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import AccountConnector, DemoConnector, SignInRequired, choose_connector


def test_demo_environment_or_flag_needs_no_sign_in(private_dirs):
    assert isinstance(choose_connector(sim_settings(private_dirs, "demo"), environ={}),
                      DemoConnector)
    assert isinstance(choose_connector(sim_settings(private_dirs), demo=True, environ={}),
                      DemoConnector)


def test_no_stored_sign_in_says_run_tsdash_login(private_dirs):
    with pytest.raises(SignInRequired) as caught:
        choose_connector(sim_settings(private_dirs, "live"), environ={"TS_CLIENT_SECRET": "x"})
    message = str(caught.value)
    assert "tsdash login --env live" in message and "config.toml" in message


def test_a_broken_token_file_says_what_to_do(private_dirs):
    from tsdash.locations import token_file

    token_file().parent.mkdir(parents=True)
    token_file().write_text("{not json")
    with pytest.raises(SignInRequired, match="tsdash login"):
        choose_connector(sim_settings(private_dirs), environ={"TS_CLIENT_SECRET": "x"})


def test_the_secret_comes_from_the_environment_or_the_prompt(private_dirs):
    save_login("live", "my-client", REFRESH)
    settings = sim_settings(private_dirs, "live")
    connector = choose_connector(settings, environ={"TS_CLIENT_SECRET": SECRET})
    assert isinstance(connector, AccountConnector) and connector.environment == "LIVE"
    assert SECRET not in repr(connector) and REFRESH not in repr(connector)

    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return f"  {SECRET}\n"

    connector = choose_connector(settings, environ={}, ask_secret=ask)
    assert isinstance(connector, AccountConnector)
    assert connector._client_secret == SECRET
    assert len(asked) == 1 and "my-client" in asked[0]

    with pytest.raises(SignInRequired, match="TS_CLIENT_SECRET"):
        choose_connector(settings, environ={})  # no terminal to ask on
    with pytest.raises(SignInRequired, match="TS_CLIENT_SECRET"):
        choose_connector(settings, environ={}, ask_secret=lambda _prompt: "")


def test_launcher_prints_the_sign_in_message_and_returns_1(private_dirs, capsys, monkeypatch):
    (private_dirs / "c.toml").write_text('environment = "sim"\n')
    monkeypatch.setattr(TsdashApp, "run", lambda self: pytest.fail("the app must not start"))
    args = argparse.Namespace(demo=False, config=str(private_dirs / "c.toml"), log_level=None,
                              command=None)
    assert launch.run_dashboard(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("tsdash: not signed in to TradeStation sim")
    assert "Traceback" not in err


def test_launcher_prints_why_the_app_ended(private_dirs, capsys, monkeypatch):
    def run(self):
        self.exit_message = "the stored sign-in for sim no longer works: x. Run `tsdash login`"
        return 1

    monkeypatch.setattr(TsdashApp, "run", run)
    args = argparse.Namespace(demo=True, config=None, log_level=None, command=None)
    assert launch.run_dashboard(args) == 1
    assert "sign-in for sim no longer works" in capsys.readouterr().err
