"""Shared pieces of the end-to-end benchmarks: the simulator process, a connector pointed at it,
the dashboard's instrumentation, /proc readers, percentiles and the printed tables.

Nothing here changes tsdash: the instrumentation wraps attributes of one app *instance*
(``quotes.on_data``, ``quotes.render_row``, the quote table's ``sync``, ``app.tick``,
``app.action_next_panel``) in the benchmark process, and gives it a driver of its own
(``app.driver_class``, Textual's public seam) whose ``flush`` stamps each frame. Only Textual's
public API is used.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import fcntl
import json
import math
import os
import pty
import resource
import struct
import subprocess
import sys
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# the checkout under test; a --vs-ref worker points it at the reference checkout's worktree
ROOT = Path(os.environ.get("TSDASH_BENCH_APP_ROOT") or HERE.parent).resolve()
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tsdash.ui.connection import (  # noqa: E402
    Connection,
    Connector,
    EnvironmentLabel,
    client_options,
)

PYTHON = sys.executable
monotonic = time.monotonic


# -------------------------------------------------------------------------------------------------
# numbers


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x (0 for fewer than two points)."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return 0.0
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def proc_status_kb(field_name: str, pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tcp_queues(port: int) -> dict[str, int]:
    """Kernel socket queues of the TCP connections to ``port`` on this host (from /proc/net/tcp):
    ``server_tx`` = bytes the server wrote that the client's kernel has not acknowledged,
    ``client_rx`` = bytes in the client's receive buffer that the app has not read yet."""
    out = {"server_tx": 0, "client_rx": 0, "connections": 0}
    hexport = f"{port:04X}"
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as fh:
                next(fh)
                for line in fh:
                    parts = line.split()
                    local, remote, state = parts[1], parts[2], parts[3]
                    if state != "01":  # ESTABLISHED
                        continue
                    tx, rx = (int(x, 16) for x in parts[4].split(":"))
                    if local.endswith(":" + hexport):
                        out["server_tx"] += tx
                        out["connections"] += 1
                    elif remote.endswith(":" + hexport):
                        out["client_rx"] += rx
        except OSError:
            continue
    return out


def fmt_num(value: Any, spec: str = ",.0f", none: str = "—") -> str:
    if value is None:
        return none
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "MISSED")


def print_table(headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    if title:
        print(title)
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                     for i, (h, w) in enumerate(zip(headers, widths)))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))


# -------------------------------------------------------------------------------------------------
# the simulator in its own process


class SimProcess:
    """``benchmarks/simrunner.py`` as a child process; its stats lines are collected as they come.
    """

    def __init__(self, quote_rate: float | None, *, seed: int = 1, stats: float = 0.5,
                 extra: list[str] | None = None, keep_stats: int | None = None) -> None:
        self.quote_rate = quote_rate
        self.seed = seed
        self.stats_interval = stats
        self.extra = extra or []
        self.proc: asyncio.subprocess.Process | None = None
        self.ready: dict[str, Any] = {}
        # without series; keep_stats bounds it for long runs (the soak)
        self.stats: Any = collections.deque(maxlen=keep_stats) if keep_stats else []
        self.series: list[tuple[float, int]] = []  # (monotonic, sent so far), one per batch
        self._reader: asyncio.Task | None = None

    async def start(self) -> SimProcess:
        # always this checkout's simulator on this checkout's interpreter (the same load for a
        # --vs-ref comparison)
        python = os.environ.get("TSDASH_BENCH_SIM_PYTHON") or PYTHON
        args = [python, str(HERE / "simrunner.py"), "--seed", str(self.seed),
                "--stats", str(self.stats_interval), *self.extra]
        if self.quote_rate:
            args += ["--quote-rate", str(self.quote_rate)]
        self.proc = await asyncio.create_subprocess_exec(
            *args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
            limit=16 * 1024 * 1024)
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 30)
        if not line:
            raise RuntimeError("the simulator process exited before it was ready")
        self.ready = json.loads(line)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                return
            msg = json.loads(line)
            if msg.get("event") != "stats":
                continue
            self.series.extend((t, n) for t, n in msg.pop("series", ()))
            self.stats.append(msg)

    @property
    def base_url(self) -> str:
        return self.ready["base_url"]

    @property
    def token_url(self) -> str:
        return self.ready["token_url"]

    @property
    def port(self) -> int:
        return int(self.ready["port"])

    @property
    def pid(self) -> int:
        return int(self.ready["pid"])

    @property
    def last(self) -> dict[str, Any]:
        return self.stats[-1] if self.stats else {}

    def sent_at(self, t: float) -> float:
        """Messages the paced feed had produced by monotonic time ``t`` (from the batch series)."""
        series = self.series
        if not series:
            return 0.0
        i = bisect.bisect_right(series, (t, float("inf")))
        return float(series[i - 1][1]) if i else 0.0

    def time_of(self, count: int) -> float | None:
        """When the paced feed produced its ``count``-th message (None if not yet)."""
        series = self.series
        counts = [n for _, n in series] if len(series) < 64 else None
        if counts is not None:
            i = bisect.bisect_left(counts, count)
        else:
            lo, hi = 0, len(series)
            while lo < hi:
                mid = (lo + hi) // 2
                if series[mid][1] < count:
                    lo = mid + 1
                else:
                    hi = mid
            i = lo
        return series[i][0] if i < len(series) else None

    async def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None:
            try:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.terminate()
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (TimeoutError, asyncio.CancelledError):
                self._reader.cancel()


# -------------------------------------------------------------------------------------------------
# the dashboard, pointed at that simulator


class BenchConnector(Connector):
    """A Connector (tsdash.ui.connection) for a simulator running in another process."""

    environment = EnvironmentLabel.SIM

    def __init__(self, base_url: str, token_url: str) -> None:
        self.base_url = base_url
        self.token_url = token_url

    async def connect(self, settings: Any) -> Any:
        from tsdash.api import TokenManager, TradeStationClient
        from tsdash.sim.auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

        tokens = TokenManager(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                              refresh_token=DEMO_REFRESH_TOKEN, token_url=self.token_url)
        client = TradeStationClient(base_url=self.base_url, token_manager=tokens,
                                    **client_options(settings))
        return Connection(client, EnvironmentLabel.SIM)


def watchlist(n: int = 100) -> list[str]:
    from tsdash.sim.universe import SYMBOLS

    return list(SYMBOLS)[:n]


def bench_settings(symbols: list[str], tmpdir: str, repaint_hz: int = 8) -> Any:
    from tsdash.config import BarsSettings, Settings

    return Settings(watchlists={"bench": list(symbols)}, default_watchlist="bench",
                    bars=BarsSettings(symbol="SPY"), repaint_hz=repaint_hz,
                    path=Path(tmpdir) / "config.toml")


@dataclass
class Probe:
    """What the instrumentation records (monotonic times)."""

    delivered: int = 0
    delivered_series: list[tuple[float, int]] = field(default_factory=list)  # every 64th
    recv: dict[str, float] = field(default_factory=dict)  # symbol -> newest message's time
    pending: dict[str, float] = field(default_factory=dict)  # rendered, not yet on screen
    staleness: list[tuple[float, float]] = field(default_factory=list)  # (frame time, age)
    cell_updates: int = 0
    ticks: list[tuple[float, int, float]] = field(default_factory=list)  # (t, cells, seconds)
    frames: list[float] = field(default_factory=list)
    tty_bytes: int = 0  # escape sequences the frames made
    key_pressed: float | None = None
    key_handled: float | None = None
    key_waiting_frame: bool = False
    keys: list[tuple[float, float, float | None]] = field(default_factory=list)
    # (pressed at, handled after s, on screen after s)
    loop_lag: list[tuple[float, float]] = field(default_factory=list)


def frame_driver(probe: Probe, on_frame: Any) -> type:
    """A driver class for ``App.run_test(headless=False)``: no terminal, but not headless either,
    so Textual turns every frame into escape sequences and writes them, as on a terminal (the
    frame costs what it costs there); ``flush()`` comes once per frame written: its time stamps
    the frame. The bytes are counted, then dropped."""
    from textual.drivers.headless_driver import HeadlessDriver

    class FrameDriver(HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            probe.tty_bytes += len(data)

        def flush(self) -> None:
            on_frame()

    return FrameDriver


class Terminal:
    """A pseudo-terminal of ``width`` x ``height`` to give a child as stdin, stdout and stderr.
    A thread drains it and counts the bytes (a child writing to a full pty would block)."""

    def __init__(self, width: int, height: int) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.written = 0
        self.first_output = threading.Event()

    def start(self) -> None:
        """Once the child is spawned: close this process's copy of its end, start draining."""
        os.close(self.slave)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.written += len(data)
            self.first_output.set()

    def close(self) -> None:
        os.close(self.master)


def instrument(app: Any, *, ansi: bool = True) -> Probe:
    """Wrap the data path of one TsdashApp instance, and give it the probe's driver; call before
    ``app.run_test(headless=False, ...)`` (``headless=not ansi`` with ``--no-ansi``: then the
    frames are stamped by ``post_display_hook`` and no escape sequences are made)."""
    probe = Probe()
    quotes = app.quotes_panel
    apply = quotes.on_data
    recv = probe.recv
    series = probe.delivered_series

    def on_data(msg: dict) -> None:
        now = monotonic()
        n = probe.delivered = probe.delivered + 1
        symbol = msg.get("Symbol")
        if symbol is not None:
            recv[symbol] = now
        if not n & 63:
            series.append((now, n))
        apply(msg)

    quotes.on_data = on_data  # read by panel.callbacks() when the subscription opens

    render_row = quotes.render_row
    pending = probe.pending

    def render_row_probe(symbol: str, tick: int):
        at = recv.get(symbol)
        if at is not None:
            pending[symbol] = at
        return render_row(symbol, tick)

    quotes.render_row = render_row_probe

    tick = app.tick

    def tick_probe() -> None:
        before = probe.cell_updates
        t0 = monotonic()
        tick()
        t1 = monotonic()
        probe.ticks.append((t1, probe.cell_updates - before, t1 - t0))

    app.tick = tick_probe  # set_interval(self.tick) reads it on mount

    def on_frame() -> None:
        now = monotonic()
        probe.frames.append(now)
        if pending:
            for at in pending.values():
                probe.staleness.append((now, now - at))
            pending.clear()
        if probe.key_waiting_frame and probe.key_pressed is not None:
            probe.key_waiting_frame = False
            handled = probe.key_handled
            probe.keys.append((probe.key_pressed,
                               (handled - probe.key_pressed) if handled else float("nan"),
                               now - probe.key_pressed))
            probe.key_pressed = None

    if ansi:
        app.driver_class = frame_driver(probe, on_frame)
    else:
        app.post_display_hook = on_frame  # after each screen update, nothing written

    next_panel = app.action_next_panel

    def next_panel_probe() -> None:
        if probe.key_pressed is not None and probe.key_handled is None:
            probe.key_handled = monotonic()
            probe.key_waiting_frame = True
        next_panel()

    app.action_next_panel = next_panel_probe
    return probe


def instrument_table(app: Any, probe: Probe) -> None:
    """Count the quote table's changed cells (call once the app is mounted): the cells each
    ``LiveTable.sync`` added or replaced (its ``changed_cells`` counter), or in the code before
    issue 13 the cells its DataTable was given (``update_cell``, ``add_row``)."""
    table = app.quotes_panel.table
    if not hasattr(table, "changed_cells"):  # the code before issue 13 (--vs-ref): DataTable's
        update_cell, add_row = table.update_cell, table.add_row  # update_cell and add_row

        def update_cell_probe(*args: Any, **kwargs: Any) -> Any:
            probe.cell_updates += 1
            return update_cell(*args, **kwargs)

        def add_row_probe(*cells: Any, **kwargs: Any) -> Any:
            probe.cell_updates += len(cells)
            return add_row(*cells, **kwargs)

        table.update_cell, table.add_row = update_cell_probe, add_row_probe
        return
    sync = table.sync

    def sync_probe(*args: Any, **kwargs: Any) -> Any:
        before = table.changed_cells
        structure = sync(*args, **kwargs)
        probe.cell_updates += table.changed_cells - before
        return structure

    table.sync = sync_probe


async def press_every(pilot: Any, probe: Probe, key: str, period: float,
                      stop: asyncio.Event) -> None:
    """Press ``key`` every ``period`` seconds (``pilot`` is only used for its app); the probes on
    the action and the next frame record when it was handled."""
    loop = asyncio.get_running_loop()
    next_at = loop.time() + period
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, next_at - loop.time()))
            return
        except TimeoutError:
            pass
        next_at += period
        if probe.key_pressed is not None:  # the previous one never showed: record it as lost
            probe.keys.append((probe.key_pressed, float("nan"), float("nan")))
        probe.key_handled = None
        probe.key_waiting_frame = False
        probe.key_pressed = monotonic()
        send_key(pilot.app, key)


def send_key(app: Any, key: str) -> None:
    """Post one key event to the app, as a driver's input thread does (``Pilot.press`` minus its
    waiting for the screen to settle, which under a constant stream can take seconds)."""
    from textual import events

    char = {"tab": "\t", "enter": "\r", "space": " "}.get(key, key if len(key) == 1 else None)
    app.post_message(events.Key(key, char))


async def watch_loop_lag(probe: Probe, stop: asyncio.Event, interval: float = 0.05) -> None:
    """How late a 50 ms sleep wakes up: the event loop's responsiveness."""
    while not stop.is_set():
        t0 = monotonic()
        await asyncio.sleep(interval)
        t1 = monotonic()
        probe.loop_lag.append((t1, max(0.0, t1 - t0 - interval)))


async def wait_for(predicate, timeout: float, what: str, step: float = 0.05) -> None:
    deadline = monotonic() + timeout
    while not predicate():
        if monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(step)


def run_worker(script: Path, args: list[str], timeout: float,
               ref: RefCheckout | None = None) -> dict[str, Any]:
    """Run ``script --worker ...`` in a fresh interpreter; its last stdout line is JSON.

    With ``ref`` the worker runs on the reference checkout's virtualenv with that checkout's
    ``tsdash`` first on the path; the benchmark's own code (this file, the simulator process)
    stays this checkout's, so both sides are measured the same way against the same load."""
    env = dict(os.environ)
    python = PYTHON
    if ref is not None:
        python = str(ref.python)
        env["TSDASH_BENCH_APP_ROOT"] = str(ref.root)
        env["TSDASH_BENCH_SIM_PYTHON"] = PYTHON
    proc = subprocess.run([python, str(script), "--worker", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-4000:])
        sys.stderr.write(proc.stderr[-8000:])
        raise RuntimeError(f"worker {script.name} {' '.join(args)} failed "
                           f"(exit {proc.returncode})")
    return json.loads(lines[-1])


# -------------------------------------------------------------------------------------------------
# the code before a change, measured in the same run


DEFAULT_REF = "652a0da"  # main before issue 13's work


@dataclass
class RefCheckout:
    """A ``git worktree`` of an older revision with its own virtualenv."""

    rev: str
    sha: str
    root: Path
    python: Path


def ref_checkout(rev: str, *, log: Any = sys.stderr) -> RefCheckout:
    """A worktree of ``rev`` in the temp dir with ``.venv`` (``pip install -e``, offline cache
    is enough), made once per revision and reused by later runs. Remove it with
    ``git worktree remove --force DIR``."""
    import tempfile

    repo = HERE.parent
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", rev + "^{commit}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    root = Path(tempfile.gettempdir()) / f"tsdash-bench-ref-{sha[:12]}"
    python = root / ".venv" / "bin" / "python"
    if not (root / ".git").exists():
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], check=True)
        print(f"... git worktree add {root} {sha[:12]}", file=log, flush=True)
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", str(root), sha],
                       check=True, capture_output=True)
    ready = root / ".venv" / ".tsdash-bench-ready"
    if not ready.exists():
        print(f"... virtualenv for {sha[:12]} (pip install -e)", file=log, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(root / ".venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(root)],
                       check=True, capture_output=True)
        ready.write_text(sha + "\n")
    return RefCheckout(rev=rev, sha=sha, root=root, python=python)


def ratio_verdict(new: float | None, old: float | None, factor: float) -> tuple[str, str]:
    """``new <= old / factor``: the verdict and the measured ratio as text."""
    if new is None or old is None or old <= 0:
        return "n/a", "—"
    return verdict(new <= old / factor), f"new/old = {new / old:.2f} (budget <= {1 / factor:.2f})"
