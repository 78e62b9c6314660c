"""The real dashboard under a pseudo-terminal, stopped and continued from outside, still quits on q.

Textual's driver restarted application mode on every SIGCONT, so after `kill -STOP`/`kill -CONT`
two input threads read stdin: one of them blocked in read() after the next key and `q` then
waited for it forever; the terminal modes it restored at the end were the raw ones.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from pty_helpers import FIRST_FRAME, HEIGHT, WAIT, WIDTH, PtyReader, dashboard_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")

ALT_SCREEN_ON = b"\x1b[?1049h"  # written each time application mode starts
STOP_CONTINUE_ROUNDS = 3  # as reported: three stops, each left two more threads behind


@pytest.mark.timeout(300)  # every wait below is bounded; this only backs them up
def test_q_quits_after_the_process_was_stopped_and_continued(tmp_path: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    modes_before = termios.tcgetattr(slave)
    proc = subprocess.Popen([sys.executable, "-m", "tsdash", "--demo"], stdin=slave, stdout=slave,
                            stderr=slave, env=dashboard_env(tmp_path), cwd=tmp_path,
                            start_new_session=True)
    reader = PtyReader(master)
    try:
        reader.wait_for(FIRST_FRAME, timeout=60.0)  # start-up imports are slow under load
        for round_no in range(STOP_CONTINUE_ROUNDS):
            starts = reader.count(ALT_SCREEN_ON)
            proc.send_signal(signal.SIGSTOP)
            time.sleep(0.5)
            proc.send_signal(signal.SIGCONT)
            # application mode comes back (alternate screen again) before the next round
            reader.wait_for(ALT_SCREEN_ON, times=starts + 1)
            time.sleep(0.5)
        os.write(master, b"q")
        try:
            status = proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"q did not end the dashboard within {WAIT} s of a stop and continue")
        assert status == 0
        # the terminal is left as it was found (cooked: echo and line editing), not raw
        modes_after = termios.tcgetattr(slave)
        for flag in ("ECHO", "ICANON", "ISIG"):
            mask = getattr(termios, flag)
            assert modes_after[3] & mask == modes_before[3] & mask, f"{flag} not restored"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.close()
        os.close(master)
        os.close(slave)
