"""The dashboard on a signed-in account: which connector, refused and rotated refresh tokens.

The account is the simulator's sign-in and API, reached the way a user tries the flow offline:
``TSDASH_SIGNIN_URL`` and ``TSDASH_API_URL`` point the sim/live environment at it.
"""

from __future__ import annotations

import argparse
import logging

import pytest
from ui_helpers import frozen_clock, wait_for

from tsdash.config import Settings
from tsdash.credentials import load_login, save_login
from tsdash.sim import start_simulator
from tsdash.ui import launch
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import AccountConnector, DemoConnector, SignInRequired, choose_connector

REFRESH = "rt-of-the-user-0123456789"
SECRET = "s3cret-value"


@pytest.fixture
def private_dirs(tmp_path, monkeypatch):
    """Config, data and state under tmp_path (XDG), so nothing touches the real home."""
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    for var in ("TSDASH_CONFIG", "TS_CLIENT_SECRET", "TSDASH_API_URL", "TSDASH_SIGNIN_URL"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def sim_settings(private_dirs, env: str = "sim") -> Settings:
    return Settings(environment=env, path=private_dirs / "config.toml", repaint_hz=20)


def environ_for(sim) -> dict[str, str]:
    return {"TS_CLIENT_SECRET": SECRET, "TSDASH_API_URL": sim.base_url,
            "TSDASH_SIGNIN_URL": sim.root_url}


# -- choosing ---------------------------------------------------------------------------------


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


# -- against the simulator's sign-in and API ---------------------------------------------------


@pytest.fixture
async def account_sim():
    simulator = await start_simulator(port=0, seed=5, heartbeat_interval=0.5,
                                      rotate_refresh_tokens=True)
    try:
        yield simulator
    finally:
        await simulator.stop()


def account_app(private_dirs, sim) -> TsdashApp:
    """The app as `tsdash` builds it for environment "sim", signed in with REFRESH."""
    save_login("sim", "my-client", REFRESH)
    settings = sim_settings(private_dirs)
    connector = choose_connector(settings, environ=environ_for(sim))
    return TsdashApp(settings, connector=connector, clock=frozen_clock, balance_interval=3600)


def all_live(app) -> bool:
    return app.connection is not None and all(p.state == "live" for p in app.panels.values())


async def test_signed_in_account_streams_and_keeps_the_rotated_token(private_dirs,
                                                                     account_sim):
    app = account_app(private_dirs, account_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: all_live(app), 10, "every panel live on the account")
        assert app.environment == "SIM"
        assert app.status_info().environment == "SIM"
        # the simulator rotated the refresh token on the first refresh and revoked the old one
        stored = load_login("sim")
        assert stored is not None and stored.client_id == "my-client"
        assert stored.refresh_token != REFRESH
        assert account_sim.is_revoked(REFRESH)
        assert not account_sim.is_revoked(stored.refresh_token)
        await pilot.press("q")
    assert app.return_code == 0 and app.exit_message is None


async def test_a_sign_in_refused_mid_session_is_fixed_by_login_then_r(private_dirs,
                                                                      account_sim):
    app = account_app(private_dirs, account_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: all_live(app), 10, "live")
        # the sign-in is revoked at TradeStation and the access token runs out
        account_sim.revoke_token(load_login("sim").refresh_token)
        account_sim.expire_tokens()
        await pilot.press("R")
        await wait_for(pilot, lambda: all(p.state == "failed" for p in app.panels.values()),
                       10, "every panel failed")
        app.tick()
        quotes = app.quotes_panel
        assert "tsdash login" in quotes.error and "press r" in quotes.banner_text()[0]
        assert app.is_running  # what is on screen stays readable
        # `tsdash login` in another terminal stores a new refresh token; R picks it up
        save_login("sim", "my-client", "rt-from-a-new-login")
        await pilot.press("R")
        await wait_for(pilot, lambda: all_live(app), 10, "every panel live again")
        assert notified_with(app, "Using the new TradeStation sign-in")
        # the new token was used (the simulator rotated it, and the rotation was stored)
        assert account_sim.is_revoked("rt-from-a-new-login")
        assert load_login("sim").refresh_token not in (REFRESH, "rt-from-a-new-login")
        await pilot.press("q")


async def test_a_second_process_does_not_sign_the_dashboard_out(private_dirs, account_sim):
    """`tsdash snapshot` (its own connector and TokenManager) rotates the stored refresh token,
    which revokes the dashboard's copy; the dashboard's next refresh uses the stored one."""
    app = account_app(private_dirs, account_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: all_live(app), 10, "every panel live on the account")
        tokens = app.connection.client.token_manager
        settings = sim_settings(private_dirs)
        other = await choose_connector(settings, environ=environ_for(account_sim)).connect(settings)
        await other.close()
        assert account_sim.is_revoked(tokens.refresh_token)  # the dashboard's copy is dead
        refreshes = tokens.refresh_count
        # every access token runs out and the quote stream is sent away: its reconnect gets a
        # 401 and needs a refresh
        account_sim.expire_tokens()
        account_sim.faults.goaway(stream="quotes")
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: tokens.refresh_count > refreshes or quotes.state == "failed",
                       10, "the refresh after the GoAway")
        await wait_for(pilot, lambda: quotes.state in ("live", "failed"), 10, "quotes settled")
        assert quotes.state == "live", quotes.error
        assert not tokens.sign_in_refused
        stored = load_login("sim").refresh_token
        assert stored == tokens.refresh_token and not account_sim.is_revoked(stored)
        await pilot.press("q")


def notified_with(app, text: str) -> bool:
    return any(text in n.message for n in app.notices)


async def test_refused_refresh_token_ends_the_app_with_run_tsdash_login(private_dirs,
                                                                        account_sim, caplog):
    caplog.set_level(logging.DEBUG)
    save_login("sim", "my-client", REFRESH)
    account_sim.revoke_token(REFRESH)  # signed out elsewhere, or revoked at TradeStation
    settings = sim_settings(private_dirs)
    connector = choose_connector(settings, environ=environ_for(account_sim))
    app = TsdashApp(settings, connector=connector, clock=frozen_clock, balance_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.exit_message is not None, 10, "the app to end")
        await wait_for(pilot, lambda: not app.is_running or app.return_code is not None, 5,
                       "exit")
    assert app.return_code == 1
    message = app.exit_message
    assert message.startswith("the stored sign-in for sim no longer works: "
                              "TradeStation refused the refresh token (HTTP 403)")
    assert "tsdash login --env sim" in message
    assert REFRESH not in message and SECRET not in message
    assert REFRESH not in caplog.text and SECRET not in caplog.text
    # nothing was subscribed: the app ended before any panel opened a stream
    assert all(p.sub is None for p in app.panels.values())
    assert account_sim.open_streams == 0


def test_snapshot_without_a_sign_in_says_so(private_dirs, capsys):
    from tsdash.ui.snapshot import run_snapshot

    (private_dirs / "c.toml").write_text('environment = "live"\n')
    out = private_dirs / "shot.svg"
    args = argparse.Namespace(demo=False, config=str(private_dirs / "c.toml"), log_level=None,
                              command="snapshot", out=str(out), after=0, size="100x30")
    assert run_snapshot(args) == 1
    assert "tsdash login --env live" in capsys.readouterr().err
    assert not out.exists()


async def test_snapshot_of_a_refused_sign_in_writes_nothing(private_dirs, account_sim):
    from tsdash.ui.snapshot import take_snapshot

    save_login("sim", "my-client", REFRESH)
    account_sim.revoke_token(REFRESH)
    settings = sim_settings(private_dirs)
    app = TsdashApp(settings, connector=choose_connector(settings, environ=environ_for(account_sim)))
    out = private_dirs / "shot.svg"
    assert await take_snapshot(app, out, size=(100, 30), after=0) is None
    assert not out.exists()
    assert "tsdash login --env sim" in app.exit_message
