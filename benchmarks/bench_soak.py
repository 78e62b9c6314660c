"""Soak: the dashboard for many minutes at 5k quote messages/s with every panel moving; memory
sampled every 10 s, and every buffer's length watched for growth without bound.

    python benchmarks/bench_soak.py [--minutes 10] [--rate 5000] [--interval 10]

The simulator runs in its own process (``benchmarks/simrunner.py``, demo trader on: orders,
positions and balances move) and pushes ``--rate`` quote deltas/s across a 100-symbol watchlist;
bars and time & sales follow SPY from the normal simulated market. The real ``TsdashApp`` runs
headless (``App.run_test``) in this process. Every ``--interval`` seconds it records RSS (VmRSS),
CPU, messages delivered, and the lengths of what the panels hold: the quote model and the quote
panel's per-symbol dicts, the quote table's rows and rendered cells, the T&S ring, the bars, the
orders/positions/balances rows and tables, the tables' drawn-line caches, asyncio tasks, workers,
and the gc's object count.

Report: RSS growth after the warm-up (``--warmup`` seconds, default 60; target < 5 MB) and its
slope, and for each buffer whether it stays bounded. A buffer "grows" when it is larger at the end
than at the end of the warm-up and still rising over the last half of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import (  # noqa: E402
    BenchConnector,
    SimProcess,
    cpu_seconds,
    monotonic,
    print_table,
    proc_status_kb,
    slope,
    verdict,
)

#: what bounds each buffer, where the code bounds it (filled in by caps(app) at run time)


def caps(app) -> dict[str, tuple[int, str]]:
    """Numeric bounds found in the running app: (cap, where it comes from)."""
    n = len(app.quotes_panel.model.symbols)
    out: dict[str, tuple[int, str]] = {
        key: (n, "watchlist size") for key in (
            "quotes.model", "quotes.model.dirty", "quotes._previous", "quotes._flash_due",
            "quotes.table.rows", "quotes.table.rendered")}
    out["quotes._flash"] = (3 * n, "3 flash columns per symbol")
    maxlen = app.tape_panel.model.prints.maxlen
    if maxlen:
        out["tape.prints"] = (maxlen, "deque maxlen")
    out["bars.bars"] = (app.bars_panel.model.max_bars, "BarsModel.max_bars")
    for key in ("orders", "positions", "balances"):
        cap = getattr(app.panels[key].model, "max_rows", None)
        if cap:
            for suffix in ("rows", "table.rows", "table.rendered"):
                # +50: the model trims in steps
                out[f"{key}.{suffix}"] = (cap + 50, f"{type(app.panels[key].model).__name__}"
                                                    ".max_rows")
    for key in ("quotes", "orders", "positions", "balances"):
        height = max(app.panels[key].table.size.height, 1)
        out[f"{key}.table.caches"] = (3 * height, "LiveTable: lines for three screens of rows")
    return out


def lengths(app) -> dict[str, int]:
    quotes = app.quotes_panel
    out = {
        "quotes.model": len(quotes.model.quotes),
        "quotes.model.dirty": len(quotes.model._dirty),
        "quotes._previous": len(quotes._previous),
        "quotes._flash": sum(len(v) for v in quotes._flash.values()),
        "quotes._flash_due": len(quotes._flash_due),
        "quotes.table.rows": quotes.table.row_count,
        "quotes.table.rendered": len(quotes.table.rendered),
        "tape.prints": len(app.tape_panel.model.prints),
        "bars.bars": len(app.bars_panel.model.bars),
    }
    for key in ("orders", "positions", "balances"):
        panel = app.panels[key]
        out[f"{key}.rows"] = len(panel.model.rows)
        out[f"{key}.table.rows"] = panel.table.row_count
        out[f"{key}.table.rendered"] = len(panel.table.rendered)
    for key in ("quotes", "orders", "positions", "balances"):
        table = app.panels[key].table
        out[f"{key}.table.caches"] = table.cached_lines  # drawn lines of rows near the screen
    out["asyncio.tasks"] = len(asyncio.all_tasks())
    out["app.workers"] = len(app.workers)
    client = app.client
    out["streams.active"] = client.stream_manager.active_count if client else 0
    out["gc.objects"] = len(gc.get_objects())
    out["py.blocks"] = sys.getallocatedblocks()  # live pymalloc blocks: Python heap, not RSS
    return out


async def soak(args: argparse.Namespace) -> dict:
    from tsdash.ui.app import TsdashApp

    duration = args.minutes * 60.0
    sim = await SimProcess(args.rate, stats=2.0, keep_stats=5).start()
    tmp = tempfile.mkdtemp(prefix="tsdash-soak-")
    samples: list[dict] = []
    try:
        settings = harness.bench_settings(harness.watchlist(100), tmp)
        app = TsdashApp(settings, connector=BenchConnector(sim.base_url, sim.token_url))
        probe = harness.instrument(app, ansi=not args.no_ansi)
        width, height = (int(x) for x in args.size.split("x"))
        async with app.run_test(headless=args.no_ansi, size=(width, height)):
            harness.instrument_table(app, probe)
            quotes = app.quotes_panel
            assert quotes is not None
            await harness.wait_for(lambda: quotes.state == "live"
                                   and probe.delivered > 100, 30, "the quote stream")
            await harness.wait_for(lambda: all(p.state == "live" for p in app.panels.values()),
                                   15, "every panel live")
            found_caps = caps(app)
            trim = None
            if args.malloc_trim:
                import ctypes

                trim = ctypes.CDLL("libc.so.6").malloc_trim
            t0 = monotonic()
            cpu0 = cpu_seconds()
            next_at = t0
            while True:
                now = monotonic()
                sample = {"t": now - t0, "rss_mb": proc_status_kb("VmRSS") / 1024,
                          "hwm_mb": proc_status_kb("VmHWM") / 1024,
                          "cpu": cpu_seconds() - cpu0, "delivered": probe.delivered,
                          "sim_rss_mb": sim.last.get("rss_kb", 0) / 1024,
                          "sim_sent": sim.last.get("sent", 0),
                          "server_positions": sim.last.get("book_positions"),
                          "server_orders": sim.last.get("book_orders"),
                          "states": "".join(p.state[0] for p in app.panels.values()),
                          **lengths(app)}
                if trim is not None:  # diagnosis: how much of RSS is free heap kept by malloc
                    trim(0)
                    sample["rss_trim_mb"] = proc_status_kb("VmRSS") / 1024
                samples.append(sample)
                if args.progress:
                    print(f"  t={sample['t']:6.0f}s rss={sample['rss_mb']:6.1f} MB "
                          f"delivered={sample['delivered']:>10,} orders={sample['orders.rows']} "
                          f"tasks={sample['asyncio.tasks']} objs={sample['gc.objects']:,}",
                          file=sys.stderr, flush=True)
                if now - t0 >= duration:
                    break
                next_at += args.interval
                await asyncio.sleep(max(0.0, next_at - monotonic()))
                # keep the probe's per-frame lists from growing over a long run (not the app's)
                del probe.staleness[:], probe.frames[:], probe.ticks[:], probe.delivered_series[:]
                sim.series[:] = []
    finally:
        await sim.stop()
    return {"rate": args.rate, "minutes": args.minutes, "warmup": args.warmup,
            "interval": args.interval, "samples": samples, "caps": found_caps}


def analyse(result: dict) -> bool:
    samples = result["samples"]
    warm = [s for s in samples if s["t"] >= result["warmup"]]
    if len(warm) < 2:
        print("run too short for a warm-up plus samples; use --minutes >= 2")
        return False
    first, last = warm[0], samples[-1]
    duration = last["t"]
    delivered_rate = (last["delivered"] - samples[0]["delivered"]) / max(1e-9, duration)
    cpu_rate = last["cpu"] / max(1e-9, duration)
    growth = last["rss_mb"] - first["rss_mb"]
    rss_slope_h = slope([(s["t"], s["rss_mb"]) for s in warm]) * 3600
    print(f"Soak: {result['minutes']:g} min at {result['rate']:,.0f} quote msgs/s, samples every "
          f"{result['interval']:g} s, warm-up {result['warmup']:g} s")
    print(f"delivered {delivered_rate:,.0f} msgs/s on average, CPU {cpu_rate:.2f} s per wall s, "
          f"panel states at the end: {last['states']}")
    print()
    rows = []
    shown = [samples[0]] + [s for s in samples[1:-1] if round(s["t"]) % 60 < result["interval"]]
    if samples[-1] is not shown[-1]:
        shown.append(samples[-1])
    for s in shown:
        rows.append([f"{s['t']:.0f}", f"{s['rss_mb']:.1f}", f"{s['hwm_mb']:.1f}",
                     f"{s['sim_rss_mb']:.1f}", f"{s['delivered']:,}", str(s["orders.rows"]),
                     str(s["tape.prints"]), str(s["bars.bars"]), str(s["asyncio.tasks"]),
                     f"{s['gc.objects']:,}"])
    print_table(["t s", "RSS MB", "peak MB", "sim RSS MB", "delivered", "orders", "T&S", "bars",
                 "tasks", "gc objects"], rows, title="Samples (one a minute)")
    print()

    rows = []
    growing = []
    half = [s for s in warm if s["t"] >= (first["t"] + last["t"]) / 2]
    for key in samples[0]:
        if key in ("t", "rss_mb", "hwm_mb", "cpu", "delivered", "sim_rss_mb", "sim_sent",
                   "states", "server_positions", "server_orders", "rss_trim_mb"):
            continue
        values = [s[key] for s in samples]
        start, at_warm, end, peak = values[0], first[key], values[-1], max(values)
        per_min = slope([(s["t"], s[key]) for s in warm]) * 60
        late = slope([(s["t"], s[key]) for s in half]) * 60 if len(half) >= 2 else 0.0
        cap, why = result.get("caps", {}).get(key, (None, ""))
        rising = end > at_warm and late > 0 and per_min > 0
        if key in ("gc.objects", "py.blocks"):  # noisy (garbage between collections): a clear trend only
            rising = per_min > 0.01 * at_warm and late > 0 and end > at_warm * 1.05
        server = last.get("server_positions")
        if key.startswith("positions.") and server is not None and abs(end - server) <= 2:
            # positions mirror the account (Deleted removes a row): bounded by what is held
            state, why = "mirrors server", f"{server} positions held on the server"
            cap = None
        elif cap is not None and peak <= cap:
            state = "bounded (cap)" if rising else "bounded"
        elif cap is not None:
            state = "OVER CAP"
            growing.append(key)
        elif rising:
            state = "GROWS"
            growing.append(key)
        else:
            state = "bounded"
        rows.append([key, f"{start:,}", f"{at_warm:,}", f"{end:,}", f"{peak:,}",
                     f"{per_min:+,.1f}", state,
                     f"{cap:,} ({why})" if cap is not None else why])
    print_table(["buffer", "start", "after warm-up", "end", "max", "per min", "verdict",
                 "cap in the code"], rows, title="Buffers over time ('bounded (cap)': still "
                                                 "rising, but the code caps it)")
    print()
    ok_rss = growth < 5.0
    mid = min(warm, key=lambda s: abs(s["t"] - last["t"] / 2))
    print(f"RSS over the second half ({mid['t']:.0f} s -> {last['t']:.0f} s; the T&S ring is "
          f"full by then): {mid['rss_mb']:.1f} -> {last['rss_mb']:.1f} MB "
          f"({last['rss_mb'] - mid['rss_mb']:+.1f} MB); orders {mid['orders.rows']} -> "
          f"{last['orders.rows']}, Python heap blocks {mid['py.blocks']:,} -> "
          f"{last['py.blocks']:,}")
    print()
    if "rss_trim_mb" in last:
        trimmed = last["rss_trim_mb"] - first["rss_trim_mb"]
        print(f"after malloc_trim(0): {first['rss_trim_mb']:.1f} -> {last['rss_trim_mb']:.1f} MB "
              f"({trimmed:+.1f} MB; slope "
              f"{slope([(s['t'], s['rss_trim_mb']) for s in warm]) * 3600:+.1f} MB/h)")
        print()
    print_table(["target", "result", "measured"], [
        ["RSS growth after warm-up < 5 MB", verdict(ok_rss),
         f"{growth:+.1f} MB ({first['rss_mb']:.1f} -> {last['rss_mb']:.1f} MB; slope "
         f"{rss_slope_h:+.1f} MB/h)"],
        ["no buffer grows without bound", verdict(not growing),
         ", ".join(growing) if growing else "all bounded"],
    ], title="Targets")
    return ok_rss and not growing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds excluded from the growth figure (default: 60, or 20%% of "
                             "a run shorter than 5 minutes)")
    parser.add_argument("--size", default="160x50")
    parser.add_argument("--no-ansi", action="store_true")
    parser.add_argument("--progress", action="store_true", help="print each sample to stderr")
    parser.add_argument("--malloc-trim", action="store_true",
                        help="diagnosis: after each RSS sample call malloc_trim(0) and sample "
                             "again (RSS after trim = memory in use, without free heap malloc "
                             "keeps); changes the process, so not for the figure of record")
    parser.add_argument("--json", help="also write the samples to this file")
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = 60.0 if args.minutes >= 5 else args.minutes * 60 * 0.2
    started = time.monotonic()
    result = asyncio.run(soak(args))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    ok = analyse(result)
    print()
    print(f"{'all targets met' if ok else 'some targets missed'} "
          f"(ran {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
