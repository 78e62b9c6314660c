"""Every config test runs with its own XDG directories and no TSDASH_CONFIG, so nothing reads or
writes the real ~/.config, ~/.local/share or ~/.local/state."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    dirs = {
        name: tmp_path / "xdg" / name.lower()
        for name in ("CONFIG", "DATA", "STATE", "CACHE")
    }
    for name, path in dirs.items():
        monkeypatch.setenv(f"XDG_{name}_HOME", str(path))
    monkeypatch.delenv("TSDASH_CONFIG", raising=False)
    return dirs


@pytest.fixture
def linux_only() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("XDG directories are a Linux convention")


@pytest.fixture
def write_config(tmp_path: Path):
    """write_config(text) -> path of a config file holding text."""

    def write(text: str, name: str = "config.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def clean_logging():
    """Undo setup_logging after a test: handlers, root level, warnings capture."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    from tsdash.logs import teardown_logging

    teardown_logging()
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
