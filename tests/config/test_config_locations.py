from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tsdash import locations


def test_default_config_file_honours_xdg_config_home(isolated_dirs, linux_only) -> None:
    expected = isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    assert locations.default_config_file() == expected
    assert locations.config_file() == expected
    assert locations.config_file_and_source() == (expected, "default")


def test_locations_follow_the_environment_at_call_time(tmp_path, monkeypatch, linux_only) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert locations.config_file() == tmp_path / "elsewhere" / "tsdash" / "config.toml"


def test_data_log_and_state_locations(isolated_dirs, linux_only) -> None:
    assert locations.data_dir() == isolated_dirs["DATA"] / "tsdash"
    assert locations.token_file() == isolated_dirs["DATA"] / "tsdash" / "token.json"
    assert locations.log_file().parent == locations.log_dir()
    assert locations.log_file().name == "tsdash.log"
    assert isolated_dirs["STATE"] in locations.log_dir().parents
    assert locations.state_file() == isolated_dirs["STATE"] / "tsdash" / "state.json"


def test_env_var_beats_default(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TSDASH_CONFIG", str(tmp_path / "env.toml"))
    assert locations.config_file_and_source() == (tmp_path / "env.toml", "TSDASH_CONFIG")


def test_explicit_path_beats_env_var(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TSDASH_CONFIG", str(tmp_path / "env.toml"))
    assert locations.config_file_and_source(tmp_path / "cli.toml") == (
        tmp_path / "cli.toml",
        "--config",
    )
    assert locations.config_file(str(tmp_path / "cli.toml")) == tmp_path / "cli.toml"


def test_empty_env_var_counts_as_unset(monkeypatch) -> None:
    monkeypatch.setenv("TSDASH_CONFIG", "")
    assert locations.config_file_and_source()[1] == "default"


def test_tilde_is_expanded(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert locations.config_file("~/my.toml") == tmp_path / "my.toml"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_write_private_file_is_0600_and_creates_directory(tmp_path) -> None:
    target = tmp_path / "new" / "dir" / "token.json"
    locations.write_private_file(target, '{"refresh_token": "x"}')
    assert target.read_text() == '{"refresh_token": "x"}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) & 0o077 == 0
    # Overwriting an existing, looser file tightens it too.
    target.chmod(0o644)
    locations.write_private_file(target, b"two")
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_write_keeps_the_existing_mode(tmp_path) -> None:
    target = tmp_path / "c.toml"
    target.write_text("old")
    target.chmod(0o640)
    locations.atomic_write(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch) -> None:
    target = tmp_path / "c.toml"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        locations.atomic_write(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


def test_functions_return_paths() -> None:
    for func in (locations.config_dir, locations.default_config_file, locations.config_file,
                 locations.data_dir, locations.token_file, locations.log_dir,
                 locations.log_file, locations.state_dir, locations.state_file):
        assert isinstance(func(), Path), func
