"""The real dashboard under a pseudo-terminal, stopped and continued from outside, still quits on q.

Textual's driver restarted application mode on every SIGCONT, so after `kill -STOP`/`kill -CONT`
two input threads read stdin: one of them blocked in read() after the next key and `q` then
waited for it forever; the terminal modes it restored at the end were the raw ones.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")

WIDTH, HEIGHT = 120, 40
FIRST_FRAME = b"DEMO"  # the status bar's demo badge: the dashboard is on screen
ALT_SCREEN_ON = b"\x1b[?1049h"  # written each time application mode starts
STOP_CONTINUE_ROUNDS = 3  # as reported: three stops, each left two more threads behind
WAIT = 30.0  # generous: a loaded 2-core machine


MODE_QUERY = re.compile(rb"\x1b\[\?(\d+)\$p")  # DECRQM: the app asks whether a mode is known


class PtyReader:
    """The terminal's side of the pty, on a thread: it keeps the app's output (the app blocks when
    nobody reads it) and answers the mode queries the app sends each time it starts, as a real
    terminal does ("not recognised"). Those answers are input arriving at the app unasked."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.data = bytearray()
        self.scanned = 0  # output before this offset has been searched for queries
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drain, name="pty-reader", daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed its side
                return
            if not chunk:
                return
            with self.lock:
                self.data += chunk
                queries = list(MODE_QUERY.finditer(self.data, self.scanned))
                # a query cut in two by the read is found whole next time
                self.scanned = max([len(self.data) - 16, *(q.end() for q in queries)])
            for query in queries:
                os.write(self.master, b"\x1b[?" + query.group(1) + b";0$y")

    def count(self, needle: bytes) -> int:
        with self.lock:
            return self.data.count(needle)

    def wait_for(self, needle: bytes, times: int = 1, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while self.count(needle) < times:
            if time.monotonic() > deadline:
                with self.lock:
                    tail = bytes(self.data[-400:])
                raise AssertionError(f"{needle!r} not seen {times} time(s) in {timeout} s; "
                                     f"output ends {tail!r}")
            time.sleep(0.05)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def _env(tmp_path: Path) -> dict[str, str]:
    """Defaults only: empty config and XDG directories under tmp_path, a 256-colour terminal."""
    env = dict(os.environ)
    env.update({
        "TSDASH_CONFIG": str(tmp_path / "config" / "config.toml"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color", "COLUMNS": str(WIDTH), "LINES": str(HEIGHT),
    })
    for name in ("TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_ALLOW_SIGNALS"):
        env.pop(name, None)
    return env


@pytest.mark.timeout(300)  # every wait below is bounded; this only backs them up
def test_q_quits_after_the_process_was_stopped_and_continued(tmp_path: Path) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    modes_before = termios.tcgetattr(slave)
    proc = subprocess.Popen([sys.executable, "-m", "tsdash", "--demo"], stdin=slave, stdout=slave,
                            stderr=slave, env=_env(tmp_path), cwd=tmp_path,
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
