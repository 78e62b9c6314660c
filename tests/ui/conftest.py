"""Fixtures for the dashboard tests: settings in a temp dir, the app with a fake client or the sim."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tsdash.config import Settings

FROZEN = 1000.0


def frozen_clock() -> float:
    return FROZEN


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings whose file lives in tmp_path (saving the theme never touches $HOME)."""
    return Settings(path=tmp_path / "config.toml")


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 5.0,
                   what: str = "condition") -> None:
    """Poll ``condition`` (pumping the app) until true; fail with ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)
