"""tsdash snapshot without a usable sign-in says so and writes nothing."""

from __future__ import annotations

import argparse

from ui_helpers import REFRESH, environ_for, sim_settings

from tsdash.credentials import save_login
from tsdash.ui.app import TsdashApp
from tsdash.ui.connection import choose_connector


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
