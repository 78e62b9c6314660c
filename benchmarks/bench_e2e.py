"""End to end: the simulator (own process) pushes quote deltas for 100 symbols at fixed rates into
the real dashboard running headless; throughput, backlog, repaints, screen staleness, CPU, memory
and key-press latency, per rate.

    python benchmarks/bench_e2e.py [--short] [--rates 1000,5000,20000] [--seconds 20]
                                   [--vs-ref [REV]]

``--vs-ref`` measures the code before issue 13 (or REV) in a ``git worktree`` with its own
virtualenv in the same run, each rate's two runs back to back, the same simulator (this
checkout's, in its own process) feeding both; it prints CPU side by side and judges
new <= old / 2 at 1k and 5k msgs/s.

How it is measured (each rate in a fresh worker process, so peak RSS is per rate):

* ``benchmarks/simrunner.py`` runs ``start_simulator(quote_rate=RATE)`` (demo trader on) in its
  own process and reports how many quote messages its paced feed produced, batch by batch, with
  ``time.monotonic()`` stamps (CLOCK_MONOTONIC is shared by the two processes).
* First a sim-only check: a bare aiohttp reader counts lines for 3 s (a separate simulator
  process), to show the simulator itself reaches the rate.
* Then the real ``TsdashApp`` (all six panels, a 100-symbol watchlist, repaint_hz 8) runs under
  ``App.run_test`` with a connector pointed at the simulator. After a warm-up, a window of
  ``--seconds`` is measured:
  - delivered/s: messages reaching the quote panel's callback (``quotes.on_data`` wrapped);
  - backlog: in flight = produced by the sim - delivered to the panel (both exact counts);
    its slope over the window and its final value; the kernel socket queues of the connection
    (/proc/net/tcp: server tx + client rx bytes); transit lag = receive time of message n minus
    the time the simulator produced message n;
  - repaints/s: repaint ticks in which the quote table changed at least one cell;
  - staleness: for every row painted, (time the frame was composed) - (receive time of the
    newest message merged into that row); p50, p99. The app runs under
    ``run_test(headless=False)`` with the harness's driver (``app.driver_class``): no terminal,
    but Textual writes each frame's escape sequences to it, so a frame costs what it costs on a
    terminal, and the driver's ``flush`` stamps it (``--no-ansi``: headless, no escape
    sequences, frames stamped by ``post_display_hook``);
  - CPU: getrusage (user+sys) of the app process over the window, per wall second and per 1,000
    delivered messages; peak RSS (VmHWM);
  - keys: a ``tab`` key event posted to the app (``app.post_message``) once a second; handled = the ``next_panel`` action ran,
    on screen = the next frame after it; plus the event loop's lag (a 50 ms sleep's overshoot).

Targets (2-core machine): at 20k msgs/s it keeps up (delivered >= 97% of the rate, the sim
produced >= 97% of its schedule, in-flight not growing and under 0.25 s worth) and every key
press is handled within 100 ms; at 5k msgs/s p99 staleness < 250 ms and CPU < 1.0 s per wall s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
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
    fmt_num,
    monotonic,
    percentile,
    print_table,
    proc_status_kb,
    slope,
    tcp_queues,
    verdict,
)

SNAPSHOT_MESSAGES = 100  # the full quote per symbol sent when the stream opens (not "produced")


async def sim_check(rate: float, seconds: float = 3.0) -> dict:
    """The simulator alone, read by a bare reader: can it produce ``rate``?"""
    import aiohttp

    from tsdash.sim.auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

    sim = await SimProcess(rate).start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(sim.token_url, data={
                    "grant_type": "refresh_token", "client_id": DEMO_CLIENT_ID,
                    "client_secret": DEMO_CLIENT_SECRET,
                    "refresh_token": DEMO_REFRESH_TOKEN}) as resp:
                token = (await resp.json())["access_token"]
            url = f"{sim.base_url}/marketdata/stream/quotes/{','.join(harness.watchlist(100))}"
            async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
                lines = 0
                t0 = monotonic()
                while monotonic() - t0 < 0.5:  # warm-up
                    await resp.content.readany()
                t0 = monotonic()
                while (t1 := monotonic()) - t0 < seconds:
                    lines += (await resp.content.readany()).count(b"\n")
        await asyncio.sleep(0.6)
        return {"rate": lines / (t1 - t0), "sim_cpu_per_s": None}
    finally:
        await sim.stop()


async def measure(args: argparse.Namespace) -> dict:
    from tsdash.ui.app import TsdashApp

    rate = float(args.rate)
    result: dict = {"rate": rate, "seconds": args.seconds}
    if not args.no_sim_check:
        result["sim_check"] = await sim_check(rate)

    sim = await SimProcess(rate).start()
    tmp = tempfile.mkdtemp(prefix="tsdash-bench-")
    try:
        settings = harness.bench_settings(harness.watchlist(100), tmp)
        app = TsdashApp(settings, connector=BenchConnector(sim.base_url, sim.token_url))
        probe = harness.instrument(app, ansi=not args.no_ansi)
        width, height = (int(x) for x in args.size.split("x"))
        async with app.run_test(headless=args.no_ansi, size=(width, height)) as pilot:
            harness.instrument_table(app, probe)
            quotes = app.quotes_panel
            assert quotes is not None  # the benchmark's settings have a watchlist
            await harness.wait_for(lambda: quotes.state == "live" and probe.delivered > 500,
                                   30, "the quote stream")
            await harness.wait_for(lambda: all(p.state == "live" for p in app.panels.values()),
                                   15, "every panel live")
            await asyncio.sleep(args.warmup)

            stop = asyncio.Event()
            samples: list[tuple[float, int, dict]] = []

            async def sampler() -> None:
                while not stop.is_set():
                    samples.append((monotonic(), probe.delivered, tcp_queues(sim.port)))
                    try:
                        await asyncio.wait_for(stop.wait(), 0.5)
                    except TimeoutError:
                        pass

            profiler = None
            if args.profile:
                from pyinstrument import Profiler  # type: ignore[import-not-found]

                profiler = Profiler(interval=0.001, async_mode="disabled")
                profiler.start()
            t0, cpu0, d0 = monotonic(), cpu_seconds(), probe.delivered
            tasks = [asyncio.create_task(harness.press_every(pilot, probe, "tab", 1.0, stop)),
                     asyncio.create_task(harness.watch_loop_lag(probe, stop)),
                     asyncio.create_task(sampler())]
            await asyncio.sleep(args.seconds)
            t1, cpu1, d1 = monotonic(), cpu_seconds(), probe.delivered
            samples.append((t1, d1, tcp_queues(sim.port)))
            stop.set()
            await asyncio.gather(*tasks)
            if profiler is not None:
                profiler.stop()
                Path(args.profile).write_text(profiler.output_text(unicode=True, color=False,
                                                                   show_all=False))
                Path(args.profile).with_suffix(".html").write_text(profiler.output_html())
                profiler.last_session.save(str(Path(args.profile).with_suffix(".pyisession")))
            result["rss_end_mb"] = proc_status_kb("VmRSS") / 1024
            result["peak_rss_mb"] = proc_status_kb("VmHWM") / 1024
            result["streams"] = app.client.stream_manager.active_count if app.client else None
            await asyncio.sleep(2 * sim.stats_interval + 0.2)  # the sim's last stats lines
            sim_stats = sim.stats
    finally:
        await sim.stop()

    window = t1 - t0
    delivered = d1 - d0
    produced = sim.sent_at(t1) - sim.sent_at(t0)
    result.update(window=window, delivered=delivered, delivered_rate=delivered / window,
                  produced=produced, produced_rate=produced / window,
                  sim_streams=sim_stats[-1].get("streams") if sim_stats else None)

    # backlog: in flight = produced - delivered (data messages), over the window
    inflight = [(t, sim.sent_at(t) - (d - SNAPSHOT_MESSAGES)) for t, d, _ in samples]
    result["inflight_start"] = inflight[0][1]
    result["inflight_end"] = inflight[-1][1]
    result["inflight_max"] = max(v for _, v in inflight)
    result["inflight_slope"] = slope(inflight)
    kernel = [(t, q["server_tx"] + q["client_rx"]) for t, _, q in samples]
    result["kernel_queue_max_kb"] = max(v for _, v in kernel) / 1024
    result["kernel_queue_end_kb"] = kernel[-1][1] / 1024
    result["kernel_queue_slope_kb"] = slope(kernel) / 1024
    write_buffers = [s.get("write_buffer", 0) for s in sim_stats if t0 <= s["t"] <= t1 + 0.6]
    result["sim_write_buffer_max_kb"] = max(write_buffers, default=0) / 1024
    cpu_window = [s for s in sim_stats if t0 - 0.6 <= s["t"] <= t1 + 0.6]
    if len(cpu_window) >= 2:
        result["sim_cpu_per_s"] = ((cpu_window[-1]["cpu"] - cpu_window[0]["cpu"])
                                   / (cpu_window[-1]["t"] - cpu_window[0]["t"]))

    lags = []
    for t, n in probe.delivered_series:
        if t0 <= t <= t1:
            sent_at = sim.time_of(n - SNAPSHOT_MESSAGES)
            if sent_at is not None:
                lags.append(t - sent_at)
    result["transit_p50_ms"] = _ms(percentile(lags, 50))
    result["transit_p99_ms"] = _ms(percentile(lags, 99))

    ticks = [(t, cells, dt) for t, cells, dt in probe.ticks if t0 <= t <= t1]
    result["ticks_per_s"] = len(ticks) / window
    result["repaints_per_s"] = sum(1 for _, cells, _ in ticks if cells) / window
    result["cells_per_s"] = sum(cells for _, cells, _ in ticks) / window
    result["tick_p50_ms"] = _ms(percentile([dt for *_, dt in ticks], 50))
    result["tick_p99_ms"] = _ms(percentile([dt for *_, dt in ticks], 99))
    result["frames_per_s"] = sum(1 for t in probe.frames if t0 <= t <= t1) / window
    stale = [age for t, age in probe.staleness if t0 <= t <= t1]
    result["staleness_n"] = len(stale)
    result["staleness_p50_ms"] = _ms(percentile(stale, 50))
    result["staleness_p99_ms"] = _ms(percentile(stale, 99))
    cpu = cpu1 - cpu0
    result["cpu_per_s"] = cpu / window
    result["cpu_per_1k"] = cpu / (delivered / 1000) if delivered else None
    keys = [k for k in probe.keys if t0 <= k[0] <= t1]
    handled = [k[1] for k in keys if not math.isnan(k[1])]
    shown = [k[2] for k in keys if k[2] is not None and not math.isnan(k[2])]
    result["keys"] = len(keys)
    result["keys_lost"] = len(keys) - len(handled)
    result["key_p50_ms"] = _ms(percentile(handled, 50))
    result["key_max_ms"] = _ms(max(handled, default=None))
    result["key_frame_p50_ms"] = _ms(percentile(shown, 50))
    result["key_frame_max_ms"] = _ms(max(shown, default=None))
    lag = [v for t, v in probe.loop_lag if t0 <= t <= t1]
    result["loop_lag_p50_ms"] = _ms(percentile(lag, 50))
    result["loop_lag_p99_ms"] = _ms(percentile(lag, 99))
    result["loop_lag_max_ms"] = _ms(max(lag, default=None))
    result.update(judge(result))
    return result


def _ms(value: float | None) -> float | None:
    return None if value is None else value * 1000.0


def judge(r: dict) -> dict:
    rate = r["rate"]
    keeps_up = (r["delivered_rate"] >= 0.97 * rate and r["produced_rate"] >= 0.97 * rate
                and r["inflight_end"] < 0.25 * rate and r["inflight_slope"] < 0.01 * rate)
    keys_ok = (r["keys"] > 0 and r["keys_lost"] == 0 and r["key_max_ms"] is not None
               and r["key_max_ms"] <= 100.0)
    return {
        "keeps_up": keeps_up,
        "keys_ok": keys_ok,
        "staleness_ok": r["staleness_p99_ms"] is not None and r["staleness_p99_ms"] < 250.0,
        "cpu_ok": r["cpu_per_s"] < 1.0,
    }


def report(results: list[dict]) -> bool:
    rows = []
    for r in results:
        check = r.get("sim_check", {}).get("rate")
        rows.append([
            f"{r['rate']:,.0f}/s",
            fmt_num(check),
            fmt_num(r["produced_rate"]),
            fmt_num(r["delivered_rate"]),
            f"{r['inflight_end']:,.0f} ({r['inflight_slope']:+,.0f}/s)",
            f"{r['kernel_queue_max_kb']:,.0f}",
            f"{fmt_num(r['transit_p50_ms'], '.1f')}/{fmt_num(r['transit_p99_ms'], '.1f')}",
            f"{r['repaints_per_s']:.1f}",
            f"{fmt_num(r['staleness_p50_ms'], '.0f')}/{fmt_num(r['staleness_p99_ms'], '.0f')}",
            f"{r['cpu_per_s']:.2f}",
            fmt_num(r["cpu_per_1k"], ".3f"),
            f"{r['peak_rss_mb']:.0f}",
            f"{fmt_num(r['key_p50_ms'], '.0f')}/{fmt_num(r['key_max_ms'], '.0f')}"
            + (f" ({r['keys_lost']} lost)" if r["keys_lost"] else ""),
            f"{fmt_num(r['loop_lag_p99_ms'], '.0f')}",
        ])
    print_table(
        ["rate", "sim alone/s", "sim sent/s", "delivered/s", "in flight end (slope)",
         "kq max KB", "transit p50/p99 ms", "repaints/s", "stale p50/p99 ms", "CPU s/s",
         "CPU s/1k msg", "peak RSS MB", "key p50/max ms", "loop lag p99 ms"],
        rows, title="End to end: simulator (own process) -> HttpStream -> panels -> frames")
    print()
    extra = []
    for r in results:
        extra.append([f"{r['rate']:,.0f}/s", f"{r['ticks_per_s']:.1f}", f"{r['cells_per_s']:,.0f}",
                      f"{fmt_num(r['tick_p50_ms'], '.1f')}/{fmt_num(r['tick_p99_ms'], '.1f')}",
                      f"{r['frames_per_s']:.1f}",
                      f"{fmt_num(r['key_frame_p50_ms'], '.0f')}/"
                      f"{fmt_num(r['key_frame_max_ms'], '.0f')}",
                      fmt_num(r.get("sim_cpu_per_s"), ".2f"),
                      f"{r['sim_write_buffer_max_kb']:,.0f}"])
    print_table(["rate", "ticks/s", "cells changed/s", "tick p50/p99 ms", "frames/s",
                 "key on screen p50/max ms", "sim CPU s/s", "sim write buf max KB"], extra)
    print()
    by_rate = {r["rate"]: r for r in results}
    targets = []
    ok_all = True
    r20 = by_rate.get(20000.0)
    r5 = by_rate.get(5000.0)
    if r20:
        targets.append(["20k/s: keeps up (no growing backlog)", verdict(r20["keeps_up"]),
                        f"delivered {r20['delivered_rate']:,.0f}/s, sim sent "
                        f"{r20['produced_rate']:,.0f}/s, in flight {r20['inflight_end']:,.0f} "
                        f"({r20['inflight_slope']:+,.0f}/s)"])
        targets.append(["20k/s: key press handled within 100 ms", verdict(r20["keys_ok"]),
                        f"max {fmt_num(r20['key_max_ms'], '.0f')} ms over {r20['keys']} presses"
                        + (f", {r20['keys_lost']} not handled" if r20["keys_lost"] else "")])
        ok_all &= r20["keeps_up"] and r20["keys_ok"]
    if r5:
        targets.append(["5k/s: p99 screen staleness < 250 ms", verdict(r5["staleness_ok"]),
                        f"p99 {fmt_num(r5['staleness_p99_ms'], '.0f')} ms"])
        targets.append(["5k/s: CPU < 1.0 s per wall s", verdict(r5["cpu_ok"]),
                        f"{r5['cpu_per_s']:.2f} s/s"])
        ok_all &= r5["staleness_ok"] and r5["cpu_ok"]
    if targets:
        print_table(["target", "result", "measured"], targets, title="Targets")
    return ok_all


def compare(new: list[dict], old: list[dict], ref_name: str) -> bool:
    """The --vs-ref table: CPU of both checkouts per rate, and the budgets against the old code
    (1k and 5k msgs/s: new <= old / 2)."""
    old_by_rate = {r["rate"]: r for r in old}
    rows, targets = [], []
    for r in new:
        o = old_by_rate.get(r["rate"])
        if o is None:
            continue
        rows.append([f"{r['rate']:,.0f}/s", f"{r['cpu_per_s']:.3f}", f"{o['cpu_per_s']:.3f}",
                     f"{r['cpu_per_s'] / o['cpu_per_s']:.2f}",
                     fmt_num(r["staleness_p99_ms"], ".0f") + " / "
                     + fmt_num(o["staleness_p99_ms"], ".0f"),
                     fmt_num(r["key_max_ms"], ".0f") + " / " + fmt_num(o["key_max_ms"], ".0f"),
                     f"{r['delivered_rate']:,.0f} / {o['delivered_rate']:,.0f}"])
        if r["rate"] in (1000.0, 5000.0):
            v, text = harness.ratio_verdict(r["cpu_per_s"], o["cpu_per_s"], 2.0)
            targets.append([f"{r['rate'] / 1000:g}k/s: CPU <= old / 2", v,
                            f"{r['cpu_per_s']:.3f} vs {o['cpu_per_s']:.3f} s/s, {text}"])
    print_table(["rate", "CPU s/s new", f"CPU s/s {ref_name}", "new/old",
                 "stale p99 ms new / old", "key max ms new / old", "delivered/s new / old"],
                rows, title=f"Side by side with {ref_name} (same run, interleaved)")
    print()
    if targets:
        print_table(["target", "result", "measured"], targets, title="Targets against the old code")
        print()
    return all(t[1] == "MET" for t in targets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="5 s per rate, 1 s warm-up")
    parser.add_argument("--rates", default="1000,5000,20000")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--size", default="160x50", help="terminal size WxH")
    parser.add_argument("--no-ansi", action="store_true",
                        help="do not render escape sequences for each frame")
    parser.add_argument("--no-sim-check", action="store_true")
    parser.add_argument("--vs-ref", nargs="?", const=harness.DEFAULT_REF, default=None,
                        metavar="REV", help="also measure REV (default %(const)s, the code before "
                        "issue 13) in a git worktree with its own virtualenv, each rate's runs "
                        "interleaved with this checkout's; prints CPU side by side and judges "
                        "new <= old / 2 at 1k and 5k msgs/s")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--profile", help="pyinstrument the measured window (one rate): "
                        "text to this file, HTML beside it (the figures then include its cost)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.short:
        args.seconds, args.warmup = 5.0, 1.0

    if args.worker:
        result = asyncio.run(measure(args))
        print(json.dumps(result))
        return 0

    ref = harness.ref_checkout(args.vs_ref) if args.vs_ref else None
    ref_name = f"old ({ref.sha[:7]})" if ref else ""
    results: list[dict] = []
    old_results: list[dict] = []
    for i, rate in enumerate(float(x) for x in args.rates.split(",")):
        worker_args = ["--rate", str(rate), "--seconds", str(args.seconds),
                       "--warmup", str(args.warmup), "--size", args.size]
        if args.no_ansi:
            worker_args.append("--no-ansi")
        if args.no_sim_check:
            worker_args.append("--no-sim-check")
        if args.profile:
            worker_args += ["--profile", args.profile]
        sides: list[tuple[str, harness.RefCheckout | None]] = [("new", None)]
        if ref is not None:
            sides.append((ref_name, ref))
            if i % 2:  # alternate which checkout goes first
                sides.reverse()
        for name, side in sides:
            label = f" [{name}]" if ref else ""
            print(f"... {rate:,.0f} msgs/s for {args.seconds:g} s{label}", file=sys.stderr,
                  flush=True)
            started = time.monotonic()
            extra = ["--no-sim-check"] if side is not None and "--no-sim-check" not in \
                worker_args else []  # the simulator is this checkout's: checked once
            result = harness.run_worker(Path(__file__), worker_args + extra,
                                        timeout=args.seconds + args.warmup + 180, ref=side)
            (old_results if side is not None else results).append(result)
            print(f"    done in {time.monotonic() - started:.0f} s: "
                  f"{result['cpu_per_s']:.3f} CPU s/s", file=sys.stderr, flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"new": results, "old": old_results, "ref": ref.sha if ref else None}
            if ref else results, indent=2))
    ok = report(results)
    print()
    if ref is not None:
        print(f"[{ref_name}]")
        report(old_results)
        print()
        ok &= compare(results, old_results, ref_name)
    print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
