"""Fixtures for the dashboard tests (helpers live in ui_helpers.py, the fake client in ui_fakes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsdash.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings whose file lives in tmp_path (saving the theme never touches $HOME)."""
    return Settings(path=tmp_path / "config.toml")
