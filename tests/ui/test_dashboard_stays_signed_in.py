"""A signed-in dashboard keeps rotated tokens, survives other processes, and ends clearly on a
refused sign-in."""

from __future__ import annotations

import logging

from ui_helpers import REFRESH, SECRET, environ_for, frozen_clock, sim_settings, wait_for

from tsdash.credentials import load_login, save_login
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import choose_connector


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
