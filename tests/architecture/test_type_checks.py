"""The seams are typed, and the types are checked: mypy is part of the test suite (CI runs only
the README's test command), strict on the service layer, default settings on the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api as mypy

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("target", "flags"), [
    ("tsdash/api", ["--strict"]),
    ("tsdash/alerts", ["--strict"]),
    ("tsdash", []),
], ids=["api-strict", "alerts-strict", "whole-package"])
def test_mypy_finds_no_error(target: str, flags: list[str], tmp_path_factory) -> None:
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    out, err, status = mypy.run([*flags, "--cache-dir", str(cache), "--no-error-summary",
                                 "--config-file", str(ROOT / "pyproject.toml"),
                                 str(ROOT / target)])
    assert status == 0, f"mypy {' '.join(flags)} {target}:\n{out}{err}"
