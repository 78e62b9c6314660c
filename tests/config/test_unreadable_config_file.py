"""A config file that cannot be read is a load error naming the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsdash.config import ConfigError, load_settings


def test_load_error_is_an_exception_with_path(write_config) -> None:
    path = write_config('environment = "paper"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.path == path
    assert info.value.key == "environment"
    assert isinstance(info.value, Exception)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="found a directory"):
        load_settings(tmp_path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b'theme = "ok"\n\xff\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(path) in str(info.value)
    assert "line 2" in str(info.value)
    assert "UTF-8" in str(info.value)
