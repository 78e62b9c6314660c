"""Where config, data, log and state files live, following XDG and $TSDASH_CONFIG."""

from __future__ import annotations

from pathlib import Path

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


def test_functions_return_paths() -> None:
    for func in (locations.config_dir, locations.default_config_file, locations.config_file,
                 locations.data_dir, locations.token_file, locations.log_dir,
                 locations.log_file, locations.state_dir, locations.state_file):
        assert isinstance(func(), Path), func
