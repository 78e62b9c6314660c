"""The real dashboard under a pseudo-terminal: a reader playing the terminal's part, and the
environment of a first run (an empty config, XDG folders under the test's tmp_path)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

WIDTH, HEIGHT = 120, 40
WAIT = 30.0  # generous: a loaded 2-core machine
FIRST_FRAME = b"DEMO"  # the status bar's demo badge: the dashboard is on screen


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


def dashboard_env(tmp_path: Path, width: int = WIDTH, height: int = HEIGHT) -> dict[str, str]:
    """Defaults only: empty config and XDG directories under tmp_path, a 256-colour terminal."""
    env = dict(os.environ)
    env.update({
        "TSDASH_CONFIG": str(tmp_path / "config" / "config.toml"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color", "COLUMNS": str(width), "LINES": str(height),
    })
    for name in ("TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_ALLOW_SIGNALS"):
        env.pop(name, None)
    return env


@contextlib.contextmanager
def dashboard_in_pty(tmp_path: Path, env: dict[str, str],
                     width: int = WIDTH, height: int = HEIGHT
                     ) -> Iterator[tuple[subprocess.Popen[bytes], PtyReader, int]]:
    """``tsdash --demo`` on a pseudo-terminal of its own with ``env``; yields the process, the
    reader of everything it wrote, and the terminal's side (write keys to it). Quit with q at
    the end (killed if it will not)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "tsdash", "--demo"], stdin=slave,
                            stdout=slave, stderr=slave, env=env, cwd=tmp_path,
                            start_new_session=True)
    reader = PtyReader(master)
    try:
        yield proc, reader, master
    finally:
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                os.write(master, b"q")
            try:
                proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        reader.close()
        os.close(master)
        os.close(slave)
