"""tsdash init writes the starting config where the config is read, and overwrites only when
forced."""

from __future__ import annotations

import pytest

from tsdash import config
from tsdash.config import ConfigError, Settings, load_settings, write_starting_config


def test_write_starting_config_writes_the_template(tmp_path) -> None:
    target = tmp_path / "new" / "config.toml"
    assert write_starting_config(target) == target
    assert target.read_text(encoding="utf-8") == config.starting_config_text()
    assert load_settings(target) == Settings()


def test_write_starting_config_default_location(isolated_dirs, linux_only) -> None:
    written = write_starting_config()
    assert written == isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    assert written.read_text(encoding="utf-8") == config.starting_config_text()


def test_write_starting_config_follows_tsdash_config(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TSDASH_CONFIG", str(tmp_path / "env.toml"))
    assert write_starting_config() == tmp_path / "env.toml"
    assert (tmp_path / "env.toml").is_file()


def test_write_starting_config_refuses_to_overwrite(tmp_path) -> None:
    target = tmp_path / "config.toml"
    target.write_text('theme = "mine"\n')
    with pytest.raises(ConfigError) as info:
        write_starting_config(target)
    assert str(target) in str(info.value)
    assert "already exists" in str(info.value)
    assert "--force" in str(info.value)
    assert target.read_text() == 'theme = "mine"\n'


def test_write_starting_config_force_overwrites(tmp_path) -> None:
    target = tmp_path / "config.toml"
    target.write_text('theme = "mine"\n')
    write_starting_config(target, force=True)
    assert target.read_text(encoding="utf-8") == config.starting_config_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_write_starting_config_onto_a_directory(tmp_path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        write_starting_config(tmp_path, force=True)
