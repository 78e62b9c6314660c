"""tsdash snapshot writes an SVG and refuses a bad size."""

from __future__ import annotations

import pytest

from ui_helpers import args
from tsdash.ui import snapshot


def test_snapshot_command_writes_an_svg(private_dirs):
    out = private_dirs / "shots" / "dash.svg"
    status = snapshot.run_snapshot(args(command="snapshot", out=str(out), after=0.2,
                                        size="100x30", demo=True))
    assert status == 0
    text = out.read_text()
    assert text.startswith("<svg") and "Quotes" in text and "DEMO" in text


@pytest.mark.parametrize("size", ["12x", "5x5", "axb"])
def test_snapshot_rejects_a_bad_size(private_dirs, size, capsys):
    assert snapshot.run_snapshot(args(out=str(private_dirs / "x.svg"), after=0, size=size)) == 2
    assert "--size" in capsys.readouterr().err
