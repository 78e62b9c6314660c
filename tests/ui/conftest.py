"""Fixtures for the dashboard tests: settings, private XDG dirs, a token-rotating simulator (helpers
live in ui_helpers.py, the fake client in ui_fakes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsdash.config import Settings
from tsdash.sim import start_simulator


@pytest.fixture(autouse=True)
def private_state(tmp_path_factory, monkeypatch):
    """Every dashboard test keeps its state (alert journal, rule states) in a folder of its
    own: a fill in one test is not in another's history, nor in the real home."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings whose file lives in tmp_path (saving the theme never touches $HOME)."""
    return Settings(path=tmp_path / "config.toml")


@pytest.fixture
def private_dirs(tmp_path, monkeypatch):
    """Config, data and state under tmp_path (XDG), so nothing touches the real home."""
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    for var in ("TSDASH_CONFIG", "TS_CLIENT_SECRET", "TSDASH_API_URL", "TSDASH_SIGNIN_URL"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture
async def account_sim():
    simulator = await start_simulator(port=0, seed=5, heartbeat_interval=0.5,
                                      rotate_refresh_tokens=True)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
def quick_arm(monkeypatch):
    """A ticket's Send arms soon after its preview (the delay itself has its own test)."""
    from tsdash.ui.screens.order_ticket import OrderTicketScreen

    monkeypatch.setattr(OrderTicketScreen, "ARM_DELAY", 0.05)
