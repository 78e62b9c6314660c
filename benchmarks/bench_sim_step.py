"""CPU of one simulator step (the in-process simulator of ``tsdash --demo`` runs ten a second).

    python benchmarks/bench_sim_step.py [--steps 1000] [--rounds 3] [--vs-ref REV | --no-ref]

A fixed-clock ``Engine`` (seed 1, demo trader on) is advanced ``--steps`` steps per round after a
100-step warm-up; each step, the lines of the demo's default watchlist are read as a quote stream
reads them. Figure: the best round's process CPU per step, in a fresh interpreter per checkout
and round (``--vs-ref``: a ``git worktree`` of REV, its rounds interleaved with this checkout's).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import DEFAULT_REF, PYTHON, ROOT, print_table, ref_checkout  # noqa: E402

CHILD = r"""
import json, sys, time
from tsdash.config import DEFAULT_WATCHLISTS, Settings
from tsdash.sim.engine import Engine
steps = int(sys.argv[1])
symbols = DEFAULT_WATCHLISTS[Settings().default_watchlist]
engine = Engine(seed=1, clock="fixed")
market = engine.market
engine.advance(100)
t0 = time.process_time()
read = 0
for _ in range(steps):
    engine.advance(1)
    lines = market.record(engine.clock.step).lines
    for symbol in symbols:
        if symbol in lines:
            read += len(lines[symbol])
print(json.dumps({"ms_per_step": (time.process_time() - t0) / steps * 1000, "lines": read}))
"""


def run(root: Path, python: str, steps: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run([python, "-c", CHILD, str(steps)], capture_output=True, text=True,
                         env=env, cwd=str(root), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--vs-ref", default=DEFAULT_REF, metavar="REV")
    parser.add_argument("--no-ref", action="store_true")
    args = parser.parse_args(argv)
    sides = [("new", ROOT, PYTHON)]
    if not args.no_ref:
        ref = ref_checkout(args.vs_ref)
        sides.append((f"old ({ref.sha[:7]})", ref.root, str(ref.python)))
    results: dict[str, list[dict]] = {name: [] for name, _, _ in sides}
    for round_no in range(args.rounds):
        shift = round_no % len(sides)
        for name, root, python in sides[shift:] + sides[:shift]:
            results[name].append(run(root, python, args.steps))
    rows = []
    for name, runs in results.items():
        best = min(r["ms_per_step"] for r in runs)
        rows.append([name, " ".join(f"{r['ms_per_step']:.3f}" for r in runs), f"{best:.3f}",
                     f"{best * 10 / 1000:.4f}", str(runs[0]["lines"])])
    print_table(["checkout", "ms/step per round", "best ms/step", "CPU s/s at 10 steps/s",
                 "watchlist lines read"], rows,
                title=f"Simulator step, fixed clock, {args.steps} steps per round")
    return 0


if __name__ == "__main__":
    sys.exit(main())
