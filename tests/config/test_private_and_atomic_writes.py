"""Private files are 0600, and atomic writes keep the mode and leave the old file on failure."""

from __future__ import annotations

import os
import stat

import pytest

from tsdash import locations


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
