"""A save goes through a temp file and rename, keeps the mode, and a failure leaves the old file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import tomli_w

from tsdash import config
from tsdash.config import ConfigError, load_settings
from config_helpers import EXISTING, files_in


def test_failed_dump_leaves_the_old_file_intact(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)
    settings.add_symbol("tech", "NVDA")

    def broken_dumps(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tomli_w, "dumps", broken_dumps)
    with pytest.raises(RuntimeError):
        settings.save_watchlists()
    assert path.read_text() == EXISTING
    assert files_in(tmp_path) == ["config.toml"]


def test_failed_write_leaves_the_old_file_intact(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    settings = load_settings(path)

    real_fsync = os.fsync
    calls = []

    def broken_fsync(fd):
        calls.append(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ConfigError) as info:
        settings.save_theme("other")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert calls, "the write must fsync before renaming"
    assert str(path) in str(info.value)
    assert "No space left on device" in str(info.value)
    assert path.read_text() == EXISTING
    assert files_in(tmp_path) == ["config.toml"]


def test_write_goes_through_a_temp_file_and_rename(write_config, tmp_path, monkeypatch) -> None:
    path = write_config(EXISTING)
    replaced = []
    real_replace = os.replace

    def spy_replace(src, dst):
        # At the moment of the rename, the new content is complete in the temp file
        # (same directory) and the target still holds the old content.
        assert os.path.dirname(os.path.abspath(src)) == str(tmp_path)
        assert 'theme = "new"' in Path(src).read_text()
        assert Path(dst).read_text() == EXISTING
        replaced.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy_replace)
    load_settings(path).save_theme("new")
    assert len(replaced) == 1
    assert files_in(tmp_path) == ["config.toml"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_the_file_mode(write_config) -> None:
    path = write_config(EXISTING)
    path.chmod(0o600)
    load_settings(path).save_theme("x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
