"""CPU of ``tsdash --demo`` at its ordinary rates, on a pseudo-terminal, as a user runs it.

    python benchmarks/bench_demo_cpu.py [--seconds 30] [--rounds 3] [--vs-ref REV | --no-ref]

Each run spawns a fresh ``python -m tsdash --demo`` (the real command: the simulator runs in the
same process, so its CPU counts) on a pseudo-terminal of ``--size`` (default 160x48), with HOME
and the XDG directories in an empty temp dir (no user config: the demo's defaults). This script
drains the terminal. After the first frame (the first output) and ``--warmup`` seconds, it reads
utime+stime of the process (all its threads) and of its child processes, if any, from
``/proc/<pid>/stat`` at the start and end of a ``--seconds`` window: CPU s per wall s.

``--vs-ref REV`` (default: the code before issue 13, see ``harness.DEFAULT_REF``) measures a
``git worktree`` of REV (own virtualenv, made once in the temp dir) in the same run, the runs
of the two checkouts interleaved, since this machine's speed drifts. Budget: new <= old / 4.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    DEFAULT_REF,
    PYTHON,
    ROOT,
    RefCheckout,
    Terminal,
    print_table,
    ratio_verdict,
    ref_checkout,
)

TICKS = os.sysconf("SC_CLK_TCK")

# --profile: the real command under cProfile, switched on and off by signals so that only the
# measured window is profiled (the event loop runs in the main thread, where the handlers run)
PROFILED = r"""
import cProfile, os, signal, sys
from tsdash.cli import main
profile = cProfile.Profile()
def _on(*_):
    profile.enable()
def _off(*_):
    profile.disable()
    profile.dump_stats(os.environ["TSDASH_BENCH_PROFILE"])
    os._exit(0)
signal.signal(signal.SIGUSR1, _on)
signal.signal(signal.SIGUSR2, _off)
sys.exit(main(["--demo"]))
"""


def _cpu_of(pid: int) -> float:
    """utime + stime of one process (all threads), seconds; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # fields 14 and 15 of stat(5)


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    kids = [int(x) for x in fh.read().split()]
            except OSError:
                continue
            out.extend(kids)
            stack.extend(kids)
    return out


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of ``pid`` and each live descendant."""
    return {p: _cpu_of(p) for p in [pid, *_descendants(pid)]}


def run_once(root: Path, python: str, size: str, warmup: float, seconds: float,
             profile: str | None = None) -> dict:
    tmp = tempfile.mkdtemp(prefix="tsdash-democpu-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSDASH", "XDG_"))}
    env.pop("TEXTUAL", None)
    env.update({
        "HOME": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
        "XDG_STATE_HOME": os.path.join(tmp, "state"), "XDG_DATA_HOME": os.path.join(tmp, "data"),
        "XDG_CACHE_HOME": os.path.join(tmp, "cache"), "PYTHONPATH": str(root),
        "TERM": "xterm-256color", "COLORTERM": "truecolor",
    })
    width, height = (int(x) for x in size.split("x"))
    terminal = Terminal(width, height)
    command = [python, "-m", "tsdash", "--demo"]
    if profile:
        command = [python, "-c", PROFILED]
        env["TSDASH_BENCH_PROFILE"] = os.path.abspath(profile)
    t_spawn = time.monotonic()
    slave = terminal.slave
    proc = subprocess.Popen(command, stdin=slave, stdout=slave,
                            stderr=slave, env=env, start_new_session=True, cwd=tmp)
    terminal.start()
    try:
        if not terminal.first_output.wait(60):
            raise RuntimeError("tsdash --demo wrote nothing in 60 s")
        t_first = time.monotonic()
        time.sleep(warmup)
        if proc.poll() is not None:
            raise RuntimeError(f"tsdash --demo exited ({proc.returncode}) during the warm-up")
        if profile:
            os.kill(proc.pid, signal.SIGUSR1)
        t0, cpu0, w0 = time.monotonic(), tree_cpu(proc.pid), terminal.written
        time.sleep(seconds)
        t1, cpu1, w1 = time.monotonic(), tree_cpu(proc.pid), terminal.written
        if profile:
            os.kill(proc.pid, signal.SIGUSR2)
            proc.wait(timeout=30)
        elif proc.poll() is not None:
            raise RuntimeError(f"tsdash --demo exited ({proc.returncode}) during the window")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
        terminal.close()
    # a child present at both ends counts its difference; one born in the window all of its CPU
    cpu = sum(c - cpu0.get(p, 0.0) for p, c in cpu1.items())
    window = t1 - t0
    return {"cpu_per_s": cpu / window, "window": window, "first_output_s": t_first - t_spawn,
            "tty_bytes_per_s": (w1 - w0) / window, "processes": len(cpu1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds after the first output before the window")
    parser.add_argument("--rounds", type=int, default=3, help="runs per checkout")
    parser.add_argument("--size", default="160x48", help="terminal size WxH")
    parser.add_argument("--vs-ref", default=DEFAULT_REF, metavar="REV",
                        help="also measure this revision (a git worktree), interleaved")
    parser.add_argument("--no-ref", action="store_true", help="measure this checkout only")
    parser.add_argument("--short", action="store_true", help="10 s windows, 2 rounds")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--profile", metavar="FILE",
                        help="one run of this checkout under cProfile (the window only; its "
                        "figures include the profiler's cost): stats to FILE, top functions "
                        "printed")
    args = parser.parse_args(argv)
    if args.profile:
        r = run_once(ROOT, PYTHON, args.size, args.warmup, args.seconds, profile=args.profile)
        print(f"{r['cpu_per_s']:.3f} CPU s/s under cProfile; stats in {args.profile}")
        import pstats

        stats = pstats.Stats(args.profile)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        return 0
    if args.short:
        args.seconds, args.rounds = 10.0, 2

    sides: list[tuple[str, Path, str]] = [("new", ROOT, PYTHON)]
    ref: RefCheckout | None = None
    if not args.no_ref:
        ref = ref_checkout(args.vs_ref)
        sides.append((f"old ({ref.sha[:7]})", ref.root, str(ref.python)))

    results: dict[str, list[dict]] = {name: [] for name, _, _ in sides}
    for round_no in range(args.rounds):
        shift = round_no % len(sides)  # neither side always runs first
        for name, root, python in sides[shift:] + sides[:shift]:
            r = run_once(root, python, args.size, args.warmup, args.seconds)
            results[name].append(r)
            print(f"... round {round_no + 1} {name}: {r['cpu_per_s']:.3f} CPU s/s, "
                  f"{r['tty_bytes_per_s'] / 1024:.1f} KB/s to the terminal", file=sys.stderr,
                  flush=True)

    rows = []
    medians: dict[str, float] = {}
    for name, runs in results.items():
        cpus = [r["cpu_per_s"] for r in runs]
        medians[name] = statistics.median(cpus)
        rows.append([name, " ".join(f"{c:.3f}" for c in cpus), f"{medians[name]:.3f}",
                     f"{statistics.median(r['tty_bytes_per_s'] for r in runs) / 1024:.1f}",
                     f"{statistics.median(r['first_output_s'] for r in runs):.2f}",
                     str(max(r["processes"] for r in runs))])
    print_table(["checkout", "CPU s/s per run", "median", "tty KB/s", "first output s",
                 "processes"], rows,
                title=f"tsdash --demo on a {args.size} pty, {args.seconds:g} s windows after "
                      f"{args.warmup:g} s warm-up")
    print()
    new = medians["new"]
    targets = [["demo CPU <= 0.05 s/s (absolute guide)", "MET" if new <= 0.05 else "MISSED",
                f"{new:.3f} s/s"]]
    if ref is not None:
        old = medians[sides[1][0]]
        v, text = ratio_verdict(new, old, 4.0)
        targets.insert(0, ["demo CPU <= old / 4", v, f"{new:.3f} vs {old:.3f} s/s, {text}"])
    print_table(["target", "result", "measured"], targets, title="Targets")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
