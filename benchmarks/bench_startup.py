"""Start-up: process start to the first full frame of ``tsdash --demo``, and ``import tsdash.api``.

    python benchmarks/bench_startup.py [--short] [--runs 5] [--mode pty,headless]

First full frame, defined: the first frame composed once all six panels are live and show data
(checked at each repaint tick and each frame): every watchlist symbol has a quote with ``Last`` and a painted row, the
chart has bars, the tape has a print, orders and positions have their snapshot (with rows), the
balances have an account. "Frame" = the app's driver was flushed after writing a screen update
(the moment the escape sequences are written; the driver class is wrapped, Textual's public seam).

How it is measured: a fresh interpreter per run, spawned by this script; the time origin is
``time.monotonic()`` taken by this script just before the spawn (CLOCK_MONOTONIC is system-wide,
so the child's stamps compare directly). The child is a few lines that patch ``TsdashApp`` in
the child process only (``__init__`` and ``tick`` are wrapped, and the driver's ``flush``, to record stamps;
nothing in tsdash is edited or configured for this), then:

* ``pty``: run the real command, ``tsdash.cli.main(["--demo"])`` (what ``python -m tsdash --demo``
  does), with stdin/stdout on a pseudo-terminal of ``--size`` (the real Linux driver, real escape
  sequences written; this script drains the pty);
* ``headless``: build the app with ``tsdash.ui.launch.prepare`` (settings, connector), as the
  command does, and run it under ``App.run_test(size=...)``.

The patch is applied when the command itself first imports ``tsdash.ui.app`` (an import hook), so
modules load in the product's order: settings and connector first, then Textual.
``--compare DIR`` measures another checkout (an older commit in a worktree) in the same run, its
runs interleaved with this checkout's: this machine's speed varies by tens of percent from hour
to hour, so figures from different runs do not compare, but columns of one run do.

Both use an empty temporary config/XDG directories (defaults, as on a fresh install). Also
reported per run: interpreter up (first line of the child), imports done, app constructed,
first frame (banners "connecting"), connected, the process's CPU seconds (all threads) at the
first and at the first full frame, and the /proc/self/stat start time as a check of the origin
(10 ms resolution).

``import tsdash.api`` alone: ``time.perf_counter()`` around the import in a fresh interpreter
(``--import-runs`` times, median), and whether ``textual`` or ``tsdash.ui`` got loaded; for
context the same for ``tsdash.ui.app`` and an empty interpreter, and the top entries of
``python -X importtime -c "import tsdash.api"``.

Targets: first full frame < 1.0 s (median of the pty runs); ``import tsdash.api`` < 150 ms and no
textual.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, ROOT, Terminal, print_table, verdict  # noqa: E402

CHILD = r'''
import time
_T = {"start": time.monotonic()}
import os, sys, json
def _proc_age():
    """Seconds since this process started, from /proc (10 ms resolution)."""
    with open("/proc/self/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    start = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    with open("/proc/uptime") as fh:
        uptime = float(fh.read().split()[0])
    return uptime - start
_T["proc_age_at_start"] = _proc_age()
sys.path.insert(0, os.environ["TSDASH_BENCH_ROOT"])
mode = sys.argv[1]
_state = {"full": False, "done": None}
_apps = []  # the app, once constructed
_CPU = {}  # process CPU seconds (all threads) at the first and the first full frame

def _full(app):
    p = app.panels
    if any(panel.state != "live" for panel in p.values()):
        return False
    q = p["quotes"]
    symbols = q.model.symbols
    if not symbols or any("Last" not in q.model.quotes[s] for s in symbols):
        return False
    if len(q.table.rendered) < len(symbols):
        return False
    if not len(p["bars"].model) or not len(p["tape"].model):
        return False
    for key in ("orders", "positions"):
        if not p[key].model.snapshots or not len(p[key].model) or not p[key].table.rendered:
            return False
    return bool(len(p["balances"].model) and p["balances"].table.rendered)

def _note_full(app, now):
    if not _state["full"] and _full(app):
        _state["full"] = True
        _T["full_tick"] = now

def _write():
    with open(os.environ["TSDASH_BENCH_OUT"], "w") as fh:
        json.dump({**_T, "cpu": _CPU}, fh)

def _on_frame(app):
    now = time.monotonic()
    if "first_frame" not in _T:
        _T["first_frame"] = now
        _CPU["first_frame"] = time.process_time()
    _note_full(app, now)  # also outside a tick: a stream's first data is painted at once
    if _state["full"] and "full_frame" not in _T:
        _T["full_frame"] = now
        _CPU["full_frame"] = time.process_time()
        _write()
        if _state["done"] is not None:
            _state["done"].set()
        else:
            app.exit(0)

def _framing(driver_class):
    """The app's own driver, whose flush() (once per frame written) stamps the frame."""
    class _Framing(driver_class):
        def flush(self):
            super().flush()
            _on_frame(_apps[-1])
    return _Framing


def _patch(_App):
    """Wrap the app's __init__, tick and its driver's flush with the probes (called on import)."""
    _init = _App.__init__
    def __init__(self, *a, **k):
        _init(self, *a, **k)
        _T.setdefault("constructed", time.monotonic())
        _apps.append(self)
        if mode == "pty":  # the real driver; headless: see _run (run_test(headless=False))
            self.driver_class = _framing(self.driver_class)
    _App.__init__ = __init__

    _tick = _App.tick
    def tick(self):
        _tick(self)
        if "connected" not in _T and self.connection is not None:
            _T["connected"] = time.monotonic()
        _note_full(self, time.monotonic())
    _App.tick = tick


class _PatchOnImport:
    """Patch TsdashApp the moment the command itself imports tsdash.ui.app, so that the
    imports happen in the product's own order (the settings and the connector come before
    textual)."""

    def find_spec(self, name, path, target=None):
        if name != "tsdash.ui.app":
            return None
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run_module = spec.loader.exec_module
        def exec_module(module):
            run_module(module)
            _T["imported"] = time.monotonic()
            _patch(module.TsdashApp)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _PatchOnImport())

if mode == "pty":
    from tsdash.cli import main as _cli_main
    sys.exit(_cli_main(["--demo"]))
else:
    import argparse, asyncio
    w, h = (int(x) for x in sys.argv[2].split("x"))
    def _prepare():
        try:
            from tsdash.ui.launch import prepare
        except ImportError:  # a checkout from before prepare() (--compare)
            from tsdash.config import load_settings
            from tsdash.ui.connection import choose_connector
            settings = load_settings(None)
            return settings, choose_connector(settings, demo=True)
        try:
            from tsdash.ui.launch import LaunchOptions
        except ImportError:  # prepare() took the parsed command line then
            return prepare(argparse.Namespace(demo=True))
        return prepare(LaunchOptions(demo=True))
    async def _run():
        _state["done"] = asyncio.Event()
        settings, connector = _prepare()
        from tsdash.ui.app import TsdashApp
        app = TsdashApp(settings, connector=connector)
        # no terminal, but not headless: Textual writes each frame's escape sequences to the
        # driver, as on a terminal, and its flush() stamps the frame
        from textual.drivers.headless_driver import HeadlessDriver
        class _Frames(HeadlessDriver):
            @property
            def is_headless(self):
                return False
            def write(self, data):
                pass
        app.driver_class = _framing(_Frames)
        async with app.run_test(headless=False, size=(w, h)):
            await asyncio.wait_for(_state["done"].wait(), 60)
    asyncio.run(_run())
'''

IMPORT_CHILD = r'''
import sys, time
t0 = time.perf_counter()
import {module}
dt = time.perf_counter() - t0
import json
print(json.dumps({{"seconds": dt, "textual": "textual" in sys.modules,
                  "tsdash.ui": any(m == "tsdash.ui" or m.startswith("tsdash.ui.") for m in sys.modules),
                  "aiohttp": "aiohttp" in sys.modules, "modules": len(sys.modules)}}))
'''


def _env(tmp: str, out: str, root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "TSDASH_BENCH_ROOT": str(root), "TSDASH_BENCH_OUT": out,
        "TSDASH_CONFIG": os.path.join(tmp, "config", "config.toml"),
        "XDG_CONFIG_HOME": os.path.join(tmp, "config"), "XDG_STATE_HOME": os.path.join(tmp, "state"),
        "XDG_DATA_HOME": os.path.join(tmp, "data"), "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
        "TERM": "xterm-256color", "COLORTERM": "truecolor",
    })
    env.pop("TEXTUAL", None)
    return env


def run_once(mode: str, size: str, timeout: float = 60.0, root: Path = ROOT) -> dict:
    tmp = tempfile.mkdtemp(prefix="tsdash-startup-")
    out = os.path.join(tmp, "result.json")
    env = _env(tmp, out, root)
    width, height = (int(x) for x in size.split("x"))
    args = [PYTHON, "-c", CHILD, mode, size]
    terminal = Terminal(width, height) if mode == "pty" else None
    if terminal is not None:
        t_spawn = time.monotonic()
        proc = subprocess.Popen(args, stdin=terminal.slave, stdout=terminal.slave,
                                stderr=terminal.slave, env=env, start_new_session=True, cwd=tmp)
        terminal.start()
    else:
        t_spawn = time.monotonic()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=tmp)
    try:
        deadline = time.monotonic() + timeout
        while not os.path.exists(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        if terminal is not None:
            terminal.close()
    if not os.path.exists(out):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{mode} run produced no result (exit {proc.returncode}) {err[-2000:]}")
    with open(out) as fh:
        stamps = json.load(fh)
    result = {k: v - t_spawn for k, v in stamps.items() if k not in ("proc_age_at_start", "cpu")}
    result["cpu"] = stamps["cpu"]
    # /proc check: the child's first line ran proc_age_at_start after its process started
    result["proc_origin_error"] = (stamps["start"] - t_spawn) - stamps["proc_age_at_start"]
    result["bytes_written"] = terminal.written if terminal is not None else 0
    return result


def import_time(module: str, runs: int) -> dict:
    code = IMPORT_CHILD.format(module=module) if module else \
        "import time,json;print(json.dumps({'seconds':0,'textual':False,'tsdash.ui':False," \
        "'aiohttp':False,'modules':0}))"
    seconds, walls, last = [], [], {}
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(runs):
        t0 = time.monotonic()
        proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env,
                              cwd=str(ROOT), check=True)
        walls.append(time.monotonic() - t0)
        last = json.loads(proc.stdout.strip().splitlines()[-1])
        seconds.append(last["seconds"])
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds),
            "wall_median": statistics.median(walls), **{k: last[k] for k in
                                                        ("textual", "tsdash.ui", "aiohttp",
                                                         "modules")}}


def importtime_top(module: str, n: int = 8) -> list[tuple[int, int, str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([PYTHON, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, env=env, cwd=str(ROOT), check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, rest = line.split(":", 1)
        self_us, cum_us, name = (x.strip() for x in rest.split("|"))
        rows.append((int(cum_us), int(self_us), name))
    top_level = [r for r in rows if not r[2].startswith(" ")]
    return sorted(top_level, reverse=True)[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="2 runs per mode, 5 import runs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--import-runs", type=int, default=10)
    parser.add_argument("--mode", default="pty,headless")
    parser.add_argument("--size", default="160x50", help="terminal size WxH")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--compare", action="append", default=[], metavar="DIR",
                        help="another checkout (e.g. `git worktree add /tmp/old REV`) measured "
                             "in the same run, its runs interleaved with this one's")
    args = parser.parse_args(argv)
    if args.short:
        args.runs, args.import_runs = 2, 5

    # each column: a mode, and the checkout when comparing; runs alternate between checkouts
    # so that a machine that slows down or speeds up mid-run weighs on all of them alike
    roots = [("", ROOT)] + [(f" {Path(d).name}", Path(d).resolve()) for d in args.compare]
    results: dict = {"frames": {}, "imports": {}}
    for mode in args.mode.split(","):
        columns = {f"{mode}{name}": root for name, root in roots}
        for column, root in columns.items():
            run_once(mode, args.size, root=root)  # warm the page cache / .pyc files
            results["frames"][column] = []
        order = list(columns.items())
        for round_no in range(args.runs):
            # each round starts with the next checkout, so none always runs first (or last)
            shift = round_no % len(order)
            for column, root in order[shift:] + order[:shift]:
                results["frames"][column].append(run_once(mode, args.size, root=root))

    print(f"First full frame of tsdash --demo ({args.size}, {args.runs} runs per column; seconds "
          "from spawn, median [min-max])")
    rows = []
    stages = [("start", "interpreter up"), ("imported", "tsdash.ui.app imported"),
              ("constructed", "app constructed"), ("first_frame", "first frame"),
              ("connected", "connected (sim + client)"), ("full_tick", "all panels have data"),
              ("full_frame", "FIRST FULL FRAME")]
    for key, label in stages:
        row = [label]
        for mode in results["frames"]:
            values = [r[key] for r in results["frames"][mode] if key in r]
            row.append(f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"
                       if values else "—")
        rows.append(row)
    for key, label in (("first_frame", "CPU s at first frame"),
                       ("full_frame", "CPU s at FIRST FULL FRAME")):
        row = [label]
        for mode in results["frames"]:
            values = [r["cpu"][key] for r in results["frames"][mode]]
            row.append(f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]")
        rows.append(row)
    errors = [r["proc_origin_error"] for runs in results["frames"].values() for r in runs]
    print_table(["stage", *results["frames"]], rows)
    print(f"origin check: spawn-based vs /proc/self/stat start differ by "
          f"{statistics.median(errors) * 1000:+.0f} ms (median; /proc has 10 ms resolution)")
    print()

    for label, module in (("empty interpreter", ""), ("import tsdash.api", "tsdash.api"),
                          ("import tsdash.ui.app", "tsdash.ui.app")):
        results["imports"][label] = import_time(module, args.import_runs)
    rows = []
    for label, r in results["imports"].items():
        rows.append([label, f"{r['median'] * 1000:.1f}", f"{r['min'] * 1000:.1f}",
                     f"{r['wall_median'] * 1000:.0f}", str(r["modules"]),
                     "yes" if r["textual"] else "no", "yes" if r["tsdash.ui"] else "no",
                     "yes" if r["aiohttp"] else "no"])
    print_table(["", "import ms (median)", "min ms", "whole process ms", "modules",
                 "textual?", "tsdash.ui?", "aiohttp?"], rows,
                title=f"Imports (fresh interpreter, {args.import_runs} runs)")
    print()
    top = importtime_top("tsdash.api")
    print_table(["cumulative ms", "self ms", "module"],
                [[f"{c / 1000:.1f}", f"{s / 1000:.1f}", n] for c, s, n in top],
                title="python -X importtime -c 'import tsdash.api' (top level, by cumulative)")
    print()

    pty_runs = results["frames"].get("pty") or next(iter(results["frames"].values()))
    full = statistics.median(r["full_frame"] for r in pty_runs)
    api = results["imports"]["import tsdash.api"]
    ok_frame = full < 1.0
    ok_import = api["median"] < 0.150 and not api["textual"] and not api["tsdash.ui"]
    print_table(["target", "result", "measured"], [
        ["first full frame < 1.0 s", verdict(ok_frame),
         f"{full:.3f} s (median, {'pty' if 'pty' in results['frames'] else 'headless'})"],
        ["import tsdash.api < 150 ms, no textual", verdict(ok_import),
         f"{api['median'] * 1000:.1f} ms, textual loaded: {api['textual']}"],
    ], title="Targets")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print()
    print("all targets met" if ok_frame and ok_import else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
