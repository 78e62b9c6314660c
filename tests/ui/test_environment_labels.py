"""The config's ``environment`` (demo, sim, live) and the word the status bar shows for it
(DEMO, SIM, LIVE) are two StrEnums, one derived from the other by name, so they cannot drift."""

from __future__ import annotations

from ui_helpers import REFRESH, SECRET, sim_settings

from tsdash.config import ENVIRONMENTS, Environment
from tsdash.credentials import save_login
from tsdash.ui.connection import DemoConnector, EnvironmentLabel, choose_connector


def test_every_config_environment_has_its_label():
    assert ENVIRONMENTS == ("demo", "sim", "live")
    assert {EnvironmentLabel.of(env): env.upper() for env in Environment} == {
        "DEMO": "DEMO", "SIM": "SIM", "LIVE": "LIVE"}
    assert set(EnvironmentLabel) == {EnvironmentLabel.of(env) for env in Environment}


def test_a_connector_shows_the_configs_environment(private_dirs):
    assert DemoConnector().environment is EnvironmentLabel.DEMO
    for env in (Environment.SIM, Environment.LIVE):
        save_login(env, "my-client", REFRESH)
        connector = choose_connector(sim_settings(private_dirs, env),
                                     environ={"TS_CLIENT_SECRET": SECRET})
        assert connector.environment is EnvironmentLabel.of(env)
