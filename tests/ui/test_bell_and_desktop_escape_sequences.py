"""The bell and the desktop notification reach the terminal as escape sequences, in the
dashboard's own output (the real app on a pseudo-terminal), and only when the config turns them
on: BEL for ``bell = true``, OSC 777 for ``desktop = true`` in a terminal that takes it."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest
from pty_helpers import FIRST_FRAME, WAIT, dashboard_env, dashboard_in_pty

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="ptys")

BEL = b"\x07"
#: an OSC sequence (Textual sets the pointer shape with one ending in BEL): not a bell
OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
OSC777 = b"\x1b]777;notify;tsdash: Alert;AAPL last "
#: an alert that holds from the first quote (the demo's AAPL trades far above 1)
RULE = '[[alerts]]\nsymbol = "AAPL"\nabove = 1\n'


def bells(output: bytes) -> int:
    """BEL characters written as a bell, not as the end of an escape sequence."""
    return OSC.sub(b"", output).count(BEL)


def run(tmp_path: Path, bell: bool, desktop: bool) -> tuple[bytes, list[dict]]:
    env = dashboard_env(tmp_path)
    env["TERM_PROGRAM"] = "WezTerm"  # a terminal that takes OSC 777
    config = Path(env["TSDASH_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[notifications]\nbell = {str(bell).lower()}\n"
                      f"desktop = {str(desktop).lower()}\n\n{RULE}")
    journal = tmp_path / "state" / "tsdash" / "alerts.jsonl"
    with dashboard_in_pty(tmp_path, env) as (proc, reader, _keys):
        reader.wait_for(FIRST_FRAME, timeout=60.0)
        deadline = time.monotonic() + WAIT
        while not (journal.exists() and journal.read_text().strip()):
            assert proc.poll() is None, "the dashboard ended"
            assert time.monotonic() < deadline, "the alert did not fire"
            time.sleep(0.1)
        time.sleep(1.0)  # what follows the journal line (toast, bell, desktop) is written
        with reader.lock:
            output = bytes(reader.data)
    return output, [json.loads(line) for line in journal.read_text().splitlines()]


@pytest.mark.timeout(300)
def test_bell_and_desktop_on(tmp_path):
    output, lines = run(tmp_path, bell=True, desktop=True)
    assert lines[0]["kind"] == "alert" and lines[0]["symbol"] == "AAPL"
    assert OSC777 in output
    sequence = output[output.index(OSC777):]
    assert sequence[:sequence.index(b"\x1b\\") + 2].decode().endswith(
        lines[0]["text"] + "\x1b\\")
    assert bells(output) >= 1


@pytest.mark.timeout(300)
def test_bell_and_desktop_off(tmp_path):
    output, lines = run(tmp_path, bell=False, desktop=False)
    assert lines[0]["kind"] == "alert"
    assert b"\x1b]777;" not in output and b"\x1b]9;" not in output
    assert bells(output) == 0
